//! The object identifiers matrix recognises, as DER content bytes.

/// rsaEncryption (1.2.840.113549.1.1.1).
pub const RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
/// md2WithRSAEncryption (1.2.840.113549.1.1.2): recognised, never verified.
pub const MD2_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x02];
/// md5WithRSAEncryption (1.2.840.113549.1.1.4).
pub const MD5_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x04];
/// sha1WithRSAEncryption (1.2.840.113549.1.1.5).
pub const SHA1_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05];
/// sha256WithRSAEncryption (1.2.840.113549.1.1.11).
pub const SHA256_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
/// sha384WithRSAEncryption (1.2.840.113549.1.1.12).
pub const SHA384_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C];
/// sha512WithRSAEncryption (1.2.840.113549.1.1.13).
pub const SHA512_WITH_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D];

/// id-ecPublicKey (1.2.840.10045.2.1, RFC 5480 section 2.1.1).
pub const EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
/// secp256r1 / prime256v1 (1.2.840.10045.3.1.7).
pub const SECP256R1: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
/// secp384r1 (1.3.132.0.34).
pub const SECP384R1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
/// ecdsa-with-SHA1 (1.2.840.10045.4.1, RFC 3279 section 2.2.3).
pub const ECDSA_WITH_SHA1: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01];
/// ecdsa-with-SHA256 (1.2.840.10045.4.3.2, RFC 5758 section 3.2).
pub const ECDSA_WITH_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
/// ecdsa-with-SHA384 (1.2.840.10045.4.3.3).
pub const ECDSA_WITH_SHA384: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03];
/// ecdsa-with-SHA512 (1.2.840.10045.4.3.4).
pub const ECDSA_WITH_SHA512: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04];

/// id-at-commonName (2.5.4.3).
pub const AT_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
/// id-at-countryName (2.5.4.6).
pub const AT_COUNTRY: &[u8] = &[0x55, 0x04, 0x06];
/// id-at-localityName (2.5.4.7).
pub const AT_LOCALITY: &[u8] = &[0x55, 0x04, 0x07];
/// id-at-stateOrProvinceName (2.5.4.8).
pub const AT_STATE: &[u8] = &[0x55, 0x04, 0x08];
/// id-at-organizationName (2.5.4.10).
pub const AT_ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0A];
/// id-at-organizationalUnitName (2.5.4.11).
pub const AT_ORG_UNIT: &[u8] = &[0x55, 0x04, 0x0B];

/// pkcs-9 emailAddress (1.2.840.113549.1.9.1): the subject attribute RFC 5280 4.2.1.10
/// applies rfc822Name constraints to when there is no subjectAltName email.
pub const AT_EMAIL_ADDRESS: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01];

/// id-ce-subjectKeyIdentifier (2.5.29.14).
pub const CE_SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1D, 0x0E];
/// id-ce-keyUsage (2.5.29.15).
pub const CE_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x0F];
/// id-ce-subjectAltName (2.5.29.17).
pub const CE_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1D, 0x11];
/// id-ce-nameConstraints (2.5.29.30).
pub const CE_NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1D, 0x1E];
/// id-ce-basicConstraints (2.5.29.19).
pub const CE_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1D, 0x13];
/// id-ce-authorityKeyIdentifier (2.5.29.35).
pub const CE_AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1D, 0x23];
/// id-ce-extKeyUsage (2.5.29.37).
pub const CE_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1D, 0x25];

/// id-kp-serverAuth (1.3.6.1.5.5.7.3.1).
pub const KP_SERVER_AUTH: &[u8] = &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
/// id-kp-clientAuth (1.3.6.1.5.5.7.3.2).
pub const KP_CLIENT_AUTH: &[u8] = &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
/// anyExtendedKeyUsage (2.5.29.37.0).
pub const KP_ANY: &[u8] = &[0x55, 0x1D, 0x25, 0x00];
