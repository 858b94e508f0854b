//! The callbacks into C: the certificate callback (`certValidator`/`certCB`, with the peer's
//! chain as a `psX509Cert_t` list) and the hello extension callback (`extensionCback`).
//!
//! The chain handed to C is built for the one call from the parsed certificates
//! (matrix-x509's `X509Cert`): every pointer in it points into allocations owned by a
//! [`CChain`] that outlives the call and is freed after it. Strings are NUL-terminated;
//! the DN strings end in two NUL bytes and their lengths count them, as the reference
//! says.

#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
use std::ffi::c_void;
use std::ffi::{c_char, c_short};
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering};

#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
use matrix_ssl::ExtensionCallback;
use matrix_ssl::{AlertDescription, CertValidator, Verdict};
use matrix_x509::{PublicKey, SignatureAlgorithm, X509Cert};

use crate::session::Ssl;
use crate::types::*;

/// The C certificate callback type.
pub type CertCb = unsafe extern "C" fn(*mut Ssl, *mut PsX509Cert, i32) -> i32;
/// The C hello extension callback type (client sessions).
#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
pub type ExtCb = unsafe extern "C" fn(*mut Ssl, u16, u16, *mut c_void) -> i32;

/// Where a session's callbacks find its `ssl_t *` (set once the handle exists).
pub(crate) type SslSlot = Arc<AtomicPtr<Ssl>>;

/// A certificate callback for matrix-ssl that calls the C one.
pub(crate) fn cert_validator(cb: Option<CertCb>, slot: &SslSlot) -> Option<CertValidator> {
    let cb = cb?;
    let slot = Arc::clone(slot);
    Some(Box::new(move |_info, chain, alert| {
        let mut c = CChain::new(chain.certs());
        let alert = alert.map_or(0, |a: AlertDescription| i32::from(a.get()));
        let first = c.first();
        // SAFETY: a C function pointer the application registered with this signature; the
        // chain's pointers stay valid until `c` is dropped after the call; the ssl_t
        // pointer is this session's handle (re-entering calls are refused while busy).
        let ret = unsafe { cb(slot.load(Ordering::Acquire), first, alert) };
        Verdict::from_code(ret)
    }))
}

/// A hello extension callback for matrix-ssl that calls the C one.
#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
pub(crate) fn extension_callback(cb: Option<ExtCb>, slot: &SslSlot) -> Option<ExtensionCallback> {
    let cb = cb?;
    let slot = Arc::clone(slot);
    Some(Box::new(move |ext_type, data| {
        // A copy: C gets a `void *` it might write through.
        let mut copy = data.to_vec();
        let Ok(len) = u16::try_from(copy.len()) else {
            return -1;
        };
        let ptr = if copy.is_empty() {
            std::ptr::null_mut()
        } else {
            copy.as_mut_ptr().cast::<c_void>()
        };
        // SAFETY: a C function pointer registered with this signature; `ptr` is NULL or
        // `len` bytes owned by `copy`, alive until after the call.
        unsafe { cb(slot.load(Ordering::Acquire), ext_type, len, ptr) }
    }))
}

/// The `psX509Cert_t` list of one callback and everything its pointers point into.
pub(crate) struct CChain {
    certs: Box<[PsX509Cert]>,
    /// Strings and byte arrays (boxes: their contents never move).
    bytes: Vec<Box<[u8]>>,
    /// One SAN list per certificate.
    sans: Vec<Box<[X509SubjectAltName]>>,
}

impl CChain {
    pub(crate) fn new(certs: &[X509Cert]) -> CChain {
        let mut c = CChain {
            certs: Box::new([]),
            bytes: Vec::new(),
            sans: Vec::new(),
        };
        let list: Vec<PsX509Cert> = certs.iter().map(|x| c.cert(x)).collect();
        c.certs = list.into_boxed_slice();
        let n = c.certs.len();
        let base = c.certs.as_mut_ptr();
        for (i, cert) in c.certs.iter_mut().enumerate() {
            cert.next = if i + 1 < n {
                // SAFETY: i + 1 < n: within the boxed slice, which is not moved afterwards.
                unsafe { base.add(i + 1) }
            } else {
                std::ptr::null_mut()
            };
        }
        c
    }

    /// The head of the list (NULL for an empty chain).
    pub(crate) fn first(&mut self) -> *mut PsX509Cert {
        self.certs
            .first_mut()
            .map_or(std::ptr::null_mut(), |c| c as *mut PsX509Cert)
    }

    /// Keeps `data` (plus `nuls` zero bytes) and returns a pointer to it (NULL when empty
    /// and unterminated).
    fn keep(&mut self, data: &[u8], nuls: usize) -> *mut u8 {
        if data.is_empty() && nuls == 0 {
            return std::ptr::null_mut();
        }
        let mut v = Vec::with_capacity(data.len() + nuls);
        v.extend_from_slice(data);
        v.resize(data.len() + nuls, 0);
        let mut b = v.into_boxed_slice();
        let p = b.as_mut_ptr();
        self.bytes.push(b);
        p
    }

    fn keep_opt(&mut self, data: Option<&[u8]>) -> (*mut u8, i32) {
        match data {
            Some(d) => (self.keep(d, 0), crate::c_count(d.len())),
            None => (std::ptr::null_mut(), 0),
        }
    }

    fn cert(&mut self, x: &X509Cert) -> PsX509Cert {
        let (serial_number, serial_number_len) = self.keep_opt(Some(&x.serial_number));
        let (signature, signature_len) = self.keep_opt(Some(&x.signature));
        let (unique_issuer_id, unique_issuer_id_len) = self.keep_opt(x.unique_issuer_id.as_deref());
        let (unique_subject_id, unique_subject_id_len) =
            self.keep_opt(x.unique_subject_id.as_deref());
        let (unparsed_bin, bin_len) = self.keep_opt(Some(&x.der));
        let issuer = self.dn(&x.issuer);
        let subject = self.dn(&x.subject);
        let not_before = self.keep(x.not_before.text.as_bytes(), 1).cast::<c_char>();
        let not_after = self.keep(x.not_after.text.as_bytes(), 1).cast::<c_char>();
        let mut sig_hash = [0u8; SHA1_HASH_SIZE];
        if let Some(h) = x
            .sig_algorithm
            .hash()
            .and_then(|alg| matrix_crypto::hash::HashContext::digest(alg, x.tbs_der()).ok())
        {
            let n = h.len().min(SHA1_HASH_SIZE);
            sig_hash[..n].copy_from_slice(&h[..n]);
        }
        let san = self.sans(x);
        let bc = x.extensions.basic_constraints.as_ref();
        PsX509Cert {
            version: i32::from(x.version),
            serial_number,
            serial_number_len,
            issuer,
            subject,
            time_type: i32::from(x.not_before.time_type.tag()),
            not_before,
            not_after,
            public_key: public_key(&x.public_key),
            pub_key_algorithm: match x.public_key {
                PublicKey::Rsa { .. } => OID_RSA_KEY_ALG,
                _ => 0,
            },
            cert_algorithm: sig_oid(&x.cert_algorithm),
            sig_algorithm: sig_oid(&x.sig_algorithm),
            signature,
            signature_len,
            sig_hash,
            unique_issuer_id,
            unique_issuer_id_len,
            unique_subject_id,
            unique_subject_id_len,
            extensions: X509V3Extensions {
                bc: X509ExtBasicConstraints {
                    ca: i32::from(bc.is_some_and(|b| b.ca)),
                    path_len_constraint: bc
                        .and_then(|b| b.path_len_constraint)
                        .map_or(-1, |p| i32::try_from(p).unwrap_or(i32::MAX)),
                },
                san,
            },
            auth_status: x.auth_status.code(),
            unparsed_bin,
            bin_len,
            next: std::ptr::null_mut(),
        }
    }

    fn sans(&mut self, x: &X509Cert) -> *mut X509SubjectAltName {
        let list = &x.extensions.subject_alt_names;
        if list.is_empty() {
            return std::ptr::null_mut();
        }
        let mut entries = Vec::with_capacity(list.len());
        for s in list {
            let mut name = [0u8; 16];
            let n = s.name().as_bytes();
            let k = n.len().min(15);
            name[..k].copy_from_slice(&n[..k]);
            entries.push(X509SubjectAltName {
                id: i32::from(s.id),
                name,
                data: self.keep(&s.data, 1),
                data_len: crate::c_count(s.data.len()),
                next: std::ptr::null_mut(),
            });
        }
        let mut b = entries.into_boxed_slice();
        let n = b.len();
        let base = b.as_mut_ptr();
        for (i, e) in b.iter_mut().enumerate() {
            if i + 1 < n {
                // SAFETY: within the boxed slice, which is moved into `self.sans` (a move
                // of the box, not of its contents).
                e.next = unsafe { base.add(i + 1) };
            }
        }
        self.sans.push(b);
        base
    }

    fn dn(&mut self, dn: &matrix_x509::DistinguishedName) -> X509DnAttributes {
        let mut part = |s: &Option<matrix_x509::DnString>| -> (*mut c_char, c_short, c_short) {
            match s {
                Some(s) => (
                    self.keep(&s.value, 2).cast::<c_char>(),
                    c_short::from(s.string_type.tag()),
                    c_short::try_from(s.value.len() + 2).unwrap_or(c_short::MAX),
                ),
                None => (std::ptr::null_mut(), 0, 0),
            }
        };
        let (country, country_type, country_len) = part(&dn.country);
        let (state, state_type, state_len) = part(&dn.state);
        let (locality, locality_type, locality_len) = part(&dn.locality);
        let (organization, organization_type, organization_len) = part(&dn.organization);
        let (org_unit, org_unit_type, org_unit_len) = part(&dn.org_unit);
        let (common_name, common_name_type, common_name_len) = part(&dn.common_name);
        let mut hash = [0 as c_char; SHA1_HASH_SIZE];
        for (h, d) in hash.iter_mut().zip(dn.digest()) {
            *h = d as c_char;
        }
        let dnenc = self.keep(&dn.der, 0).cast::<c_char>();
        X509DnAttributes {
            country,
            state,
            locality,
            organization,
            org_unit,
            common_name,
            hash,
            dnenc,
            dnenc_len: crate::c_count(dn.der.len()),
            country_type,
            country_len,
            state_type,
            state_len,
            locality_type,
            locality_len,
            organization_type,
            organization_len,
            org_unit_type,
            org_unit_len,
            common_name_type,
            common_name_len,
        }
    }
}

/// `OID_RSA_KEY_ALG`.
const OID_RSA_KEY_ALG: i32 = 645;

/// MatrixSSL 3.x's signature algorithm ids (crypto/x509.h: sums of the OID's bytes).
fn sig_oid(a: &SignatureAlgorithm) -> i32 {
    match a {
        SignatureAlgorithm::Md2WithRsa => 646,
        SignatureAlgorithm::Md5WithRsa => 648,
        SignatureAlgorithm::Sha1WithRsa => 649,
        SignatureAlgorithm::Sha256WithRsa => 655,
        SignatureAlgorithm::Sha384WithRsa => 656,
        SignatureAlgorithm::Sha512WithRsa => 657,
        _ => 0,
    }
}

fn public_key(k: &PublicKey) -> PsPubKey {
    match k {
        PublicKey::Rsa { n, .. } => PsPubKey {
            key: std::ptr::null_mut(),
            key_type: 1,
            keysize: crate::c_count(n.len()),
        },
        _ => PsPubKey {
            key: std::ptr::null_mut(),
            key_type: 0,
            keysize: 0,
        },
    }
}
