//! The C structures of `matrixsslApi.h`, `#[repr(C)]`, field for field.

use std::ffi::{c_char, c_short, c_void};

/// `SSL_MAX_SESSION_ID_SIZE`.
pub const SSL_MAX_SESSION_ID_SIZE: usize = 32;
/// `SSL_HS_MASTER_SIZE`.
pub const SSL_HS_MASTER_SIZE: usize = 48;
/// `SHA1_HASH_SIZE`.
pub const SHA1_HASH_SIZE: usize = 20;

/// `sslSessionId_t`: MatrixSSL 3.x's fields plus matrix's length, version and flags.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SslSessionId {
    /// `id`: the server's session id.
    pub id: [u8; SSL_MAX_SESSION_ID_SIZE],
    /// `masterSecret`.
    pub master_secret: [u8; SSL_HS_MASTER_SIZE],
    /// `cipherId`.
    pub cipher_id: u32,
    /// `idLen` (matrix): bytes of `id` in use, 0 when there is nothing to resume.
    pub id_len: u8,
    /// `majVer`, `minVer` (matrix): the protocol version.
    pub maj_ver: u8,
    /// See `maj_ver`.
    pub min_ver: u8,
    /// `flags` (matrix): bit 0 is RFC 7627's extended master secret.
    pub flags: u8,
    /// `sessionTicket` (MatrixSSL 3.4+, `USE_STATELESS_SESSION_TICKETS`): the server's
    /// RFC 5077 ticket, allocated by the library (NULL: none); freed by
    /// `matrixSslDeleteSessionId` or when a later handshake replaces it.
    #[cfg(feature = "stateless-session-tickets")]
    pub session_ticket: *mut u8,
    /// `sessionTicketLen`: bytes at `sessionTicket`.
    #[cfg(feature = "stateless-session-tickets")]
    pub session_ticket_len: u16,
    /// `sessionTicketState` (3.4+): 1 while a ticket is held, else 0.
    #[cfg(feature = "stateless-session-tickets")]
    pub session_ticket_state: u16,
    /// `sessionTicketLifetimeHint`: the server's hint in seconds.
    #[cfg(feature = "stateless-session-tickets")]
    pub session_ticket_lifetime_hint: u32,
}

/// `flags` bit: the master secret is an extended one.
pub const SID_FLAG_EMS: u8 = 1;

// sslSessionId_t holds what matrix-ssl's SessionId needs: an id of up to 32 bytes
// (RFC 5246 section 7.4.1.2), the 48-byte master secret, the suite (u16 in a uint32), the
// version (two bytes) and the extended-master-secret flag; the size C sees is 88 bytes.
const _: () = assert!(SSL_MAX_SESSION_ID_SIZE >= 32 && SSL_HS_MASTER_SIZE == 48);
#[cfg(not(feature = "stateless-session-tickets"))]
const _: () = assert!(std::mem::size_of::<SslSessionId>() == 88);
#[cfg(not(feature = "stateless-session-tickets"))]
const _: () = assert!(std::mem::align_of::<SslSessionId>() == 4);
// With tickets: a pointer (aligned after the 88 bytes) and 8 bytes of length, state and
// hint.
#[cfg(feature = "stateless-session-tickets")]
const _: () = assert!(
    std::mem::size_of::<SslSessionId>()
        == 88_usize.next_multiple_of(std::mem::size_of::<usize>())
            + std::mem::size_of::<usize>()
            + 8
);

/// `sslSessOpts_t` (MatrixSSL 3.x's session options, the fields matrix reads): given to
/// `matrixSslNewClientSessionWithOpts`. Cleared to zero, every field means "the default".
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SslSessOpts {
    /// `ticketResumption`: 1 = ask for and offer RFC 5077 tickets (client).
    pub ticket_resumption: i16,
    /// `maxFragLen`: 0 only (RFC 6066 max_fragment_length is not implemented).
    pub max_frag_len: i16,
    /// `truncHmac`: 0 only (RFC 6066 truncated HMAC is not implemented).
    pub trunc_hmac: i16,
    /// `extendedMasterSecret`: 0 or 1 (RFC 7627 is always offered); -1 is refused.
    pub extended_master_secret: i16,
    /// `trustedCAindication`: 0 only.
    pub trusted_ca_indication: i16,
    /// `fallbackScsv`: 0 only (the SCSV is matrix's own decision, RFC 7507).
    pub fallback_scsv: i16,
    /// `ecFlags`: `IS_SECP256R1 | IS_SECP384R1 | IS_X25519` (0: the default groups).
    pub ec_flags: i32,
    /// `versionFlag`: 0 only (the versions are the library's).
    pub version_flag: i32,
    /// `userPtr`: kept by the caller, not read by matrix.
    pub user_ptr: *mut std::ffi::c_void,
}

/// `psPubKey_t` (matrix gives the algorithm and size, `key` is NULL).
#[repr(C)]
#[derive(Debug)]
pub struct PsPubKey {
    /// `key`: NULL.
    pub key: *mut c_void,
    /// `type`: `PS_RSA` or 0.
    pub key_type: i32,
    /// `keysize`: modulus bytes.
    pub keysize: i32,
}

/// `x509DNattributes_t`.
#[repr(C)]
#[derive(Debug)]
pub struct X509DnAttributes {
    /// `country`.
    pub country: *mut c_char,
    /// `state`.
    pub state: *mut c_char,
    /// `locality`.
    pub locality: *mut c_char,
    /// `organization`.
    pub organization: *mut c_char,
    /// `orgUnit`.
    pub org_unit: *mut c_char,
    /// `commonName`.
    pub common_name: *mut c_char,
    /// `hash`: the first 20 bytes of the DN's digest.
    pub hash: [c_char; SHA1_HASH_SIZE],
    /// `dnenc`: the DER of the DN.
    pub dnenc: *mut c_char,
    /// `dnencLen`.
    pub dnenc_len: i32,
    /// `countryType`.
    pub country_type: c_short,
    /// `countryLen` (with the two terminating NUL bytes).
    pub country_len: c_short,
    /// `stateType`.
    pub state_type: c_short,
    /// `stateLen`.
    pub state_len: c_short,
    /// `localityType`.
    pub locality_type: c_short,
    /// `localityLen`.
    pub locality_len: c_short,
    /// `organizationType`.
    pub organization_type: c_short,
    /// `organizationLen`.
    pub organization_len: c_short,
    /// `orgUnitType`.
    pub org_unit_type: c_short,
    /// `orgUnitLen`.
    pub org_unit_len: c_short,
    /// `commonNameType`.
    pub common_name_type: c_short,
    /// `commonNameLen`.
    pub common_name_len: c_short,
}

/// `x509extBasicConstraints_t`.
#[repr(C)]
#[derive(Debug)]
pub struct X509ExtBasicConstraints {
    /// `cA`.
    pub ca: i32,
    /// `pathLenConstraint` (-1: none).
    pub path_len_constraint: i32,
}

/// `x509SubjectAltName_t`.
#[repr(C)]
#[derive(Debug)]
pub struct X509SubjectAltName {
    /// `id`: the GeneralName choice (0 other ... 8 registeredID).
    pub id: i32,
    /// `name`: the choice's name, NUL-terminated ("DNS", "email", ...).
    pub name: [u8; 16],
    /// `data` (NUL-terminated after `dataLen` bytes).
    pub data: *mut u8,
    /// `dataLen`.
    pub data_len: i32,
    /// `next`.
    pub next: *mut X509SubjectAltName,
}

/// `x509v3extensions_t`.
#[repr(C)]
#[derive(Debug)]
pub struct X509V3Extensions {
    /// `bc`.
    pub bc: X509ExtBasicConstraints,
    /// `san`.
    pub san: *mut X509SubjectAltName,
}

/// `psX509Cert_t`.
#[repr(C)]
#[derive(Debug)]
pub struct PsX509Cert {
    /// `version`: 0 = v1, 1 = v2, 2 = v3.
    pub version: i32,
    /// `serialNumber`.
    pub serial_number: *mut u8,
    /// `serialNumberLen`.
    pub serial_number_len: i32,
    /// `issuer`.
    pub issuer: X509DnAttributes,
    /// `subject`.
    pub subject: X509DnAttributes,
    /// `timeType`: `ASN_UTCTIME` or `ASN_GENERALIZEDTIME`.
    pub time_type: i32,
    /// `notBefore`, NUL-terminated.
    pub not_before: *mut c_char,
    /// `notAfter`, NUL-terminated.
    pub not_after: *mut c_char,
    /// `publicKey`.
    pub public_key: PsPubKey,
    /// `pubKeyAlgorithm`.
    pub pub_key_algorithm: i32,
    /// `certAlgorithm`.
    pub cert_algorithm: i32,
    /// `sigAlgorithm`.
    pub sig_algorithm: i32,
    /// `signature`.
    pub signature: *mut u8,
    /// `signatureLen`.
    pub signature_len: i32,
    /// `sigHash`: the digest of the signed part with the signature's hash, cut to 20 bytes.
    pub sig_hash: [u8; SHA1_HASH_SIZE],
    /// `uniqueIssuerId`.
    pub unique_issuer_id: *mut u8,
    /// `uniqueIssuerIdLen`.
    pub unique_issuer_id_len: i32,
    /// `uniqueSubjectId`.
    pub unique_subject_id: *mut u8,
    /// `uniqueSubjectIdLen`.
    pub unique_subject_id_len: i32,
    /// `extensions`.
    pub extensions: X509V3Extensions,
    /// `authStatus`: `PS_FALSE`, `PS_CERT_AUTH_PASS` or a `PS_CERT_AUTH_FAIL_*` code.
    pub auth_status: i32,
    /// `unparsedBin`: the whole certificate's DER.
    pub unparsed_bin: *mut u8,
    /// `binLen`.
    pub bin_len: i32,
    /// `next`.
    pub next: *mut PsX509Cert,
}
