//! Code points of the record and handshake protocols (RFC 6101 section 5, RFC 2246 and
//! RFC 4346 sections 6, 7 and appendix A, RFC 4347 section 4, RFC 4279, RFC 4162, RFC 5746,
//! RFC 7507 and RFC 6066 for the suites, SCSVs and extensions).
//!
//! Each enum keeps values it does not know in an `Unknown` arm, so that decoding a peer's
//! list never fails on a code point this build does not implement and re-encoding gives the
//! peer's bytes back.

use alloc::vec::Vec;

use super::{Codec, DecodeError, Reader};

/// Defines a wire enum over `$repr` with named code points and an `Unknown` arm.
///
/// The conversions are `match`es, except for an enum declared `$name : $repr as table`:
/// there both directions search one table of (wire value, variant) pairs. For the long
/// enums (every suite code point, every alert) the table is about half the code of the two
/// `match`es, which the compiler turns into a binary search tree over the values one way
/// and a jump table the other (about 680 B for the suites on a Cortex-M); a search over
/// a few dozen entries costs nothing beside the handshake around it.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident : $repr:ident as table {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr, )*
        }
    ) => {
        wire_enum!(@enum $(#[$meta])* $name : $repr { $( $(#[$vmeta])* $variant, )* });

        impl $name {
            /// Every named code point with its wire value.
            const NAMED: &'static [($repr, $name)] = &[ $( ($value, $name::$variant), )* ];

            /// The wire value in a constant (the table search of `From` is not `const`;
            /// called at run time this `match` would be the code the table saves).
            #[allow(dead_code, reason = "only some of the tables are needed in constants")]
            pub(crate) const fn const_wire(self) -> $repr {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unknown(other) => other,
                }
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                match Self::NAMED.iter().find(|(w, _)| *w == v) {
                    Some(&(_, named)) => named,
                    None => $name::Unknown(v),
                }
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                match v {
                    $name::Unknown(other) => other,
                    // Every other variant is in the table; the fallback is never taken.
                    named => $name::NAMED
                        .iter()
                        .find(|(_, n)| *n == named)
                        .map_or(0, |&(w, _)| w),
                }
            }
        }

        wire_enum!(@codec $name : $repr);
    };
    (
        $(#[$meta:meta])*
        $name:ident : $repr:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr, )*
        }
    ) => {
        wire_enum!(@enum $(#[$meta])* $name : $repr { $( $(#[$vmeta])* $variant, )* });

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                match v {
                    $( $value => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                match v {
                    $( $name::$variant => $value, )*
                    $name::Unknown(other) => other,
                }
            }
        }

        wire_enum!(@codec $name : $repr);
    };
    (
        @enum $(#[$meta:meta])* $name:ident : $repr:ident {
            $( $(#[$vmeta:meta])* $variant:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A code point this build has no name for, kept as received.
            Unknown($repr),
        }
    };
    (@codec $name:ident : $repr:ident) => {
        impl $name {
            /// The wire value.
            pub fn get(self) -> $repr {
                <$repr>::from(self)
            }
        }

        impl Codec<'_> for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                <$repr>::from(*self).encode(out);
            }
            fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(<$repr>::read(r)?.into())
            }
        }
    };
}

wire_enum! {
    /// The record layer's `ContentType` (RFC 2246 section 6.2.1).
    ContentType: u8 {
        /// change_cipher_spec(20).
        ChangeCipherSpec = 20,
        /// alert(21).
        Alert = 21,
        /// handshake(22).
        Handshake = 22,
        /// application_data(23).
        ApplicationData = 23,
    }
}

wire_enum! {
    /// `HandshakeType` (RFC 2246 section 7.4, RFC 4347 section 4.2.2 for
    /// hello_verify_request).
    HandshakeType: u8 {
        /// hello_request(0).
        HelloRequest = 0,
        /// client_hello(1).
        ClientHello = 1,
        /// server_hello(2).
        ServerHello = 2,
        /// hello_verify_request(3), DTLS only.
        HelloVerifyRequest = 3,
        /// new_session_ticket(4) (RFC 5077 section 3.3).
        NewSessionTicket = 4,
        /// certificate(11).
        Certificate = 11,
        /// server_key_exchange(12).
        ServerKeyExchange = 12,
        /// certificate_request(13).
        CertificateRequest = 13,
        /// server_hello_done(14).
        ServerHelloDone = 14,
        /// certificate_verify(15).
        CertificateVerify = 15,
        /// client_key_exchange(16).
        ClientKeyExchange = 16,
        /// finished(20).
        Finished = 20,
    }
}

wire_enum! {
    /// `AlertLevel` (RFC 2246 section 7.2).
    AlertLevel: u8 {
        /// warning(1).
        Warning = 1,
        /// fatal(2).
        Fatal = 2,
    }
}

wire_enum! {
    /// `AlertDescription`: RFC 2246 and RFC 4346 section 7.2, no_certificate of SSL 3.0
    /// (RFC 6101 section 5.4.2), RFC 4366/6066 and RFC 4279 additions, no_renegotiation,
    /// and inappropriate_fallback of RFC 7507.
    AlertDescription: u8 as table {
        /// close_notify(0).
        CloseNotify = 0,
        /// unexpected_message(10).
        UnexpectedMessage = 10,
        /// bad_record_mac(20).
        BadRecordMac = 20,
        /// decryption_failed(21), TLS 1.0 only (TLS 1.1 sends bad_record_mac instead).
        DecryptionFailed = 21,
        /// record_overflow(22).
        RecordOverflow = 22,
        /// decompression_failure(30).
        DecompressionFailure = 30,
        /// handshake_failure(40).
        HandshakeFailure = 40,
        /// no_certificate(41), SSL 3.0 only.
        NoCertificate = 41,
        /// bad_certificate(42).
        BadCertificate = 42,
        /// unsupported_certificate(43).
        UnsupportedCertificate = 43,
        /// certificate_revoked(44).
        CertificateRevoked = 44,
        /// certificate_expired(45).
        CertificateExpired = 45,
        /// certificate_unknown(46).
        CertificateUnknown = 46,
        /// illegal_parameter(47).
        IllegalParameter = 47,
        /// unknown_ca(48).
        UnknownCa = 48,
        /// access_denied(49).
        AccessDenied = 49,
        /// decode_error(50).
        DecodeError = 50,
        /// decrypt_error(51).
        DecryptError = 51,
        /// export_restriction(60), TLS 1.0 only.
        ExportRestriction = 60,
        /// protocol_version(70).
        ProtocolVersion = 70,
        /// insufficient_security(71).
        InsufficientSecurity = 71,
        /// internal_error(80).
        InternalError = 80,
        /// inappropriate_fallback(86) (RFC 7507).
        InappropriateFallback = 86,
        /// user_canceled(90).
        UserCanceled = 90,
        /// no_renegotiation(100).
        NoRenegotiation = 100,
        /// unsupported_extension(110).
        UnsupportedExtension = 110,
        /// unrecognized_name(112) (RFC 6066).
        UnrecognizedName = 112,
        /// unknown_psk_identity(115) (RFC 4279).
        UnknownPskIdentity = 115,
    }
}

wire_enum! {
    /// `ProtocolVersion` (RFC 2246 section 6.2.1, RFC 4347 section 4.1).
    ///
    /// TLS 1.2 (RFC 5246) is spoken with the `tls-1-2` feature; without it, a hello
    /// offering it is answered with the best version this build has. DTLS 1.2 (RFC 6347)
    /// likewise needs `tls-1-2` besides `dtls`.
    ProtocolVersion: u16 {
        /// SSL 3.0 (0x0300).
        SSLv3 = 0x0300,
        /// TLS 1.0 (0x0301).
        TLSv1_0 = 0x0301,
        /// TLS 1.1 (0x0302).
        TLSv1_1 = 0x0302,
        /// TLS 1.2 (0x0303).
        TLSv1_2 = 0x0303,
        /// DTLS 1.0 (0xFEFF, the one's complement of 1.0).
        DTLSv1_0 = 0xfeff,
        /// DTLS 1.2 (0xFEFD, RFC 6347; there is no DTLS 1.1): TLS 1.2 over datagrams,
        /// spoken with the `dtls` and `tls-1-2` features together.
        DTLSv1_2 = 0xfefd,
    }
}

impl ProtocolVersion {
    /// Whether this is a DTLS version: DTLS versions are one's complements, so their major
    /// byte is 0xFE (0xFEFF is 1.0, 0xFEFD is 1.2).
    pub fn is_dtls(self) -> bool {
        self.get() >> 8 == 0xfe
    }

    /// Whether this is SSL 3.0, whose messages differ (no decode_error alert, unprefixed RSA
    /// key exchange, 36-byte Finished).
    ///
    /// Always false in a build without feature `ssl3`: no session of such a build speaks
    /// SSL 3.0 (it is not a compiled version), and a constant false lets the compiler drop
    /// every SSL 3.0 branch (its MAC, PRF, Finished and key exchange) from the build.
    pub fn is_ssl3(self) -> bool {
        cfg!(feature = "ssl3") && self == ProtocolVersion::SSLv3
    }

    /// The TLS version whose record and handshake rules this version follows: DTLS 1.0 is
    /// TLS 1.1 over datagrams (RFC 4347 section 1), DTLS 1.2 is TLS 1.2; a TLS or SSL version
    /// is itself. `None` for values that are neither.
    pub fn tls_equivalent(self) -> Option<ProtocolVersion> {
        let rank = self.tls_rank();
        (rank != 0).then(|| ProtocolVersion::from(rank))
    }

    /// The wire value of [`Self::tls_equivalent`], 0 for none. The comparisons below
    /// work on it: no round trip through the enum for each side (on a Cortex-M the
    /// conversions were most of their code).
    fn tls_rank(self) -> u16 {
        match self.get() {
            0xfeff => 0x0302,
            0xfefd => 0x0303,
            v @ 0x0300..=0x03ff => v,
            _ => 0,
        }
    }

    /// Whether this version follows TLS 1.2's rules (TLS 1.2, DTLS 1.2): the suite's PRF,
    /// signature_algorithms, and hash-and-signature-prefixed signatures.
    pub fn is_tls12(self) -> bool {
        self.tls_rank() == 0x0303
    }

    /// Compares two versions by their TLS equivalents, so that DTLS versions (which count
    /// down) order with TLS ones; `None` when either is neither SSL, TLS nor DTLS.
    pub fn cmp_tls(self, other: ProtocolVersion) -> Option<core::cmp::Ordering> {
        let (a, b) = (self.tls_rank(), other.tls_rank());
        (a != 0 && b != 0).then(|| a.cmp(&b))
    }

    /// Whether this version is `other` or newer (by TLS equivalent); false for unknown
    /// families.
    pub fn is_at_least(self, other: ProtocolVersion) -> bool {
        let (a, b) = (self.tls_rank(), other.tls_rank());
        a != 0 && b != 0 && a >= b
    }
}

wire_enum! {
    /// `CipherSuite`: every suite of MatrixSSL 3.2 (RFC 2246, RFC 4346, RFC 3268 for AES,
    /// RFC 4162 for SEED, RFC 4279 for PSK), the renegotiation SCSV of RFC 5746 and the
    /// fallback SCSV of RFC 7507.
    #[allow(non_camel_case_types)]
    CipherSuite: u16 as table {
        /// TLS_NULL_WITH_NULL_NULL (0x0000), the initial state; never negotiated.
        TLS_NULL_WITH_NULL_NULL = 0x0000,
        /// SSL_RSA_WITH_RC4_128_MD5 (0x0004).
        SSL_RSA_WITH_RC4_128_MD5 = 0x0004,
        /// SSL_RSA_WITH_RC4_128_SHA (0x0005).
        SSL_RSA_WITH_RC4_128_SHA = 0x0005,
        /// SSL_RSA_WITH_3DES_EDE_CBC_SHA (0x000A).
        SSL_RSA_WITH_3DES_EDE_CBC_SHA = 0x000a,
        /// SSL_DHE_RSA_WITH_3DES_EDE_CBC_SHA (0x0016).
        SSL_DHE_RSA_WITH_3DES_EDE_CBC_SHA = 0x0016,
        /// SSL_DH_anon_WITH_RC4_128_MD5 (0x0018).
        SSL_DH_anon_WITH_RC4_128_MD5 = 0x0018,
        /// TLS_RSA_WITH_AES_128_CBC_SHA (0x002F).
        TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f,
        /// TLS_DHE_RSA_WITH_AES_128_CBC_SHA (0x0033).
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA = 0x0033,
        /// TLS_RSA_WITH_AES_256_CBC_SHA (0x0035).
        TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035,
        /// TLS_DHE_RSA_WITH_AES_256_CBC_SHA (0x0039).
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA = 0x0039,
        /// TLS_PSK_WITH_AES_128_CBC_SHA (0x008C).
        TLS_PSK_WITH_AES_128_CBC_SHA = 0x008c,
        /// TLS_PSK_WITH_AES_256_CBC_SHA (0x008D).
        TLS_PSK_WITH_AES_256_CBC_SHA = 0x008d,
        /// TLS_DHE_PSK_WITH_AES_128_CBC_SHA (0x0090).
        TLS_DHE_PSK_WITH_AES_128_CBC_SHA = 0x0090,
        /// TLS_DHE_PSK_WITH_AES_256_CBC_SHA (0x0091).
        TLS_DHE_PSK_WITH_AES_256_CBC_SHA = 0x0091,
        /// TLS_RSA_WITH_SEED_CBC_SHA (0x0096).
        TLS_RSA_WITH_SEED_CBC_SHA = 0x0096,
        /// TLS_RSA_WITH_AES_128_CBC_SHA256 (0x003C, RFC 5246).
        TLS_RSA_WITH_AES_128_CBC_SHA256 = 0x003c,
        /// TLS_RSA_WITH_AES_256_CBC_SHA256 (0x003D, RFC 5246).
        TLS_RSA_WITH_AES_256_CBC_SHA256 = 0x003d,
        /// TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 (0x0067, RFC 5246).
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 = 0x0067,
        /// TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 (0x006B, RFC 5246).
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 = 0x006b,
        /// TLS_RSA_WITH_AES_128_GCM_SHA256 (0x009C, RFC 5288).
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c,
        /// TLS_RSA_WITH_AES_256_GCM_SHA384 (0x009D, RFC 5288).
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d,
        /// TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 (0x009E, RFC 5288).
        TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009e,
        /// TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 (0x009F, RFC 5288).
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009f,
        /// TLS_PSK_WITH_AES_128_GCM_SHA256 (0x00A8, RFC 5487).
        TLS_PSK_WITH_AES_128_GCM_SHA256 = 0x00a8,
        /// TLS_PSK_WITH_AES_256_GCM_SHA384 (0x00A9, RFC 5487).
        TLS_PSK_WITH_AES_256_GCM_SHA384 = 0x00a9,
        /// TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 (0x00AA, RFC 5487).
        TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 = 0x00aa,
        /// TLS_DHE_PSK_WITH_AES_256_GCM_SHA384 (0x00AB, RFC 5487).
        TLS_DHE_PSK_WITH_AES_256_GCM_SHA384 = 0x00ab,
        /// TLS_PSK_WITH_AES_128_CBC_SHA256 (0x00AE, RFC 5487).
        TLS_PSK_WITH_AES_128_CBC_SHA256 = 0x00ae,
        /// TLS_PSK_WITH_AES_256_CBC_SHA384 (0x00AF, RFC 5487).
        TLS_PSK_WITH_AES_256_CBC_SHA384 = 0x00af,
        /// TLS_DHE_PSK_WITH_AES_128_CBC_SHA256 (0x00B2, RFC 5487).
        TLS_DHE_PSK_WITH_AES_128_CBC_SHA256 = 0x00b2,
        /// TLS_DHE_PSK_WITH_AES_256_CBC_SHA384 (0x00B3, RFC 5487).
        TLS_DHE_PSK_WITH_AES_256_CBC_SHA384 = 0x00b3,
        /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00FF, RFC 5746): not a suite, a signal.
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff,
        /// TLS_FALLBACK_SCSV (0x5600, RFC 7507): not a suite, a signal.
        TLS_FALLBACK_SCSV = 0x5600,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (0xC009, RFC 8422).
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009,
        /// TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA (0xC00A, RFC 8422).
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xc00a,
        /// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (0xC013, RFC 8422).
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013,
        /// TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA (0xC014, RFC 8422).
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xc014,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 (0xC023, RFC 5289).
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xc023,
        /// TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 (0xC024, RFC 5289).
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = 0xc024,
        /// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 (0xC027, RFC 5289).
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 = 0xc027,
        /// TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 (0xC028, RFC 5289).
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 = 0xc028,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xC02B, RFC 5289).
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
        /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xC02C, RFC 5289).
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
        /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xC02F, RFC 5289).
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
        /// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xC030, RFC 5289).
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
    }
}

impl CipherSuite {
    /// Whether this value is a signalling value rather than a suite (RFC 5746, RFC 7507).
    pub fn is_scsv(self) -> bool {
        matches!(
            self,
            CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV | CipherSuite::TLS_FALLBACK_SCSV
        )
    }
}

wire_enum! {
    /// `CompressionMethod` (RFC 2246 section 6.1); matrix only ever uses null.
    CompressionMethod: u8 {
        /// null(0).
        Null = 0,
    }
}

wire_enum! {
    /// `ExtensionType` (RFC 4366 / RFC 6066, RFC 5746).
    ExtensionType: u16 {
        /// server_name(0) (RFC 6066 section 3).
        ServerName = 0,
        /// supported_groups(10), once elliptic_curves (RFC 8422 section 5.1.1).
        SupportedGroups = 10,
        /// ec_point_formats(11) (RFC 8422 section 5.1.2).
        EcPointFormats = 11,
        /// signature_algorithms(13) (RFC 5246 section 7.4.1.4.1).
        SignatureAlgorithms = 13,
        /// SessionTicket(35) (RFC 5077 section 3.2).
        SessionTicket = 35,
        /// renegotiation_info(0xFF01) (RFC 5746 section 3.2).
        RenegotiationInfo = 0xff01,
    }
}

wire_enum! {
    /// `ClientCertificateType` of CertificateRequest (RFC 2246 section 7.4.4).
    ClientCertificateType: u8 {
        /// rsa_sign(1).
        RsaSign = 1,
        /// dss_sign(2).
        DssSign = 2,
        /// rsa_fixed_dh(3).
        RsaFixedDh = 3,
        /// dss_fixed_dh(4).
        DssFixedDh = 4,
        /// ecdsa_sign(64) (RFC 8422 section 5.5).
        EcdsaSign = 64,
    }
}

wire_enum! {
    /// `SignatureAndHashAlgorithm` of TLS 1.2 (RFC 5246 section 7.4.1.4.1) as one 16-bit
    /// value, hash in the high byte and signature in the low one (the TLS 1.3 registry's
    /// `SignatureScheme` names these same values). matrix signs and verifies RSA PKCS#1 v1.5.
    #[allow(non_camel_case_types)]
    SignatureScheme: u16 as table {
        /// rsa(1) with sha1(2).
        RSA_PKCS1_SHA1 = 0x0201,
        /// rsa(1) with sha256(4).
        RSA_PKCS1_SHA256 = 0x0401,
        /// rsa(1) with sha384(5).
        RSA_PKCS1_SHA384 = 0x0501,
        /// rsa(1) with sha512(6).
        RSA_PKCS1_SHA512 = 0x0601,
        /// ecdsa(3) with sha1(2) (RFC 8422 section 5.1.3).
        ECDSA_SHA1 = 0x0203,
        /// ecdsa(3) with sha256(4).
        ECDSA_SHA256 = 0x0403,
        /// ecdsa(3) with sha384(5).
        ECDSA_SHA384 = 0x0503,
        /// ecdsa(3) with sha512(6).
        ECDSA_SHA512 = 0x0603,
    }
}

#[cfg(test)]
mod tests {
    use super::ProtocolVersion;
    use core::cmp::Ordering;

    /// The TLS equivalents and their comparisons, written out: DTLS 1.0 is TLS 1.1 and
    /// DTLS 1.2 is TLS 1.2; any 3.x value is itself; anything else has none and compares
    /// with nothing.
    #[test]
    fn tls_equivalents_and_comparisons() {
        let v = ProtocolVersion::from;
        assert_eq!(v(0xfeff).tls_equivalent(), Some(ProtocolVersion::TLSv1_1));
        assert_eq!(v(0xfefd).tls_equivalent(), Some(ProtocolVersion::TLSv1_2));
        assert_eq!(v(0x0300).tls_equivalent(), Some(ProtocolVersion::SSLv3));
        assert_eq!(
            v(0x0304).tls_equivalent(),
            Some(ProtocolVersion::Unknown(0x0304))
        );
        assert_eq!(
            v(0x03ff).tls_equivalent(),
            Some(ProtocolVersion::Unknown(0x03ff))
        );
        for none in [0x0000, 0x0200, 0x02ff, 0x0400, 0xfefe, 0xfe00, 0xffff] {
            assert_eq!(v(none).tls_equivalent(), None, "{none:#06x}");
            assert_eq!(v(none).cmp_tls(ProtocolVersion::TLSv1_0), None);
            assert_eq!(ProtocolVersion::TLSv1_0.cmp_tls(v(none)), None);
            assert!(!v(none).is_at_least(v(none)));
            assert!(!v(none).is_tls12());
        }
        assert!(ProtocolVersion::TLSv1_2.is_tls12() && ProtocolVersion::DTLSv1_2.is_tls12());
        assert!(!ProtocolVersion::TLSv1_1.is_tls12() && !ProtocolVersion::DTLSv1_0.is_tls12());
        assert!(ProtocolVersion::Unknown(0xfeff).is_at_least(ProtocolVersion::TLSv1_1));
        assert_eq!(
            ProtocolVersion::DTLSv1_2.cmp_tls(ProtocolVersion::DTLSv1_0),
            Some(Ordering::Greater)
        );
        assert_eq!(
            ProtocolVersion::DTLSv1_0.cmp_tls(ProtocolVersion::TLSv1_1),
            Some(Ordering::Equal)
        );
        assert!(ProtocolVersion::TLSv1_1.is_at_least(ProtocolVersion::SSLv3));
        assert!(!ProtocolVersion::TLSv1_0.is_at_least(ProtocolVersion::DTLSv1_0));
        assert!(v(0x0305).is_at_least(ProtocolVersion::TLSv1_2));
    }
}
