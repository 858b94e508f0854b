/*
 * matrixsslApi.h: the MatrixSSL 3.2 C API, implemented by matrix (libmatrixssl).
 *
 * Every function, type and constant of the MatrixSSL 3.2 API reference, with the numeric
 * values of MatrixSSL 3.x's public headers, so that a C program written for MatrixSSL
 * compiles against this header and links against libmatrixssl.a or libmatrixssl.so.
 *
 * Where the 3.2 reference leaves a definition open (matrixSslLoadPkcs12, LoadDhParams,
 * LoadPsk, SetSessionOption, the session-id calls, psPubKey_t, the SSL_OPTION_* values,
 * the PS_* codes it names without values), this header follows MatrixSSL 3.x's public
 * headers (matrixsslApi.h, matrixssllib.h, core/coreApi.h, crypto/x509.h); each such place
 * says so. Calls and fields that are matrix's own are marked "matrix extension".
 *
 * matrixsslConfig.h is generated when the library is built: it lists the USE_* defines
 * (the Cargo features) the library was compiled with. Functions that need a feature are
 * declared only when its define is there (PS_USE_FILE_SYSTEM for the file loaders,
 * USE_CLIENT_SIDE_SSL / USE_SERVER_SIDE_SSL for the session constructors, USE_DTLS for
 * Appendix A); a loader whose material the build cannot read (PKCS#12 without USE_PKCS12)
 * is declared and answers PS_UNSUPPORTED_FAIL, as MatrixSSL answers for what it was
 * compiled without.
 *
 * What differs from MatrixSSL's C library (see the README, "Using matrix from C"):
 *  - A NULL or otherwise unusable argument is answered with PS_ARG_FAIL (void functions
 *    do nothing), never undefined behaviour; a call on an ssl_t from inside one of that
 *    session's own callbacks is refused the same way.
 *  - A Rust panic never crosses into C: the call answers PS_FAILURE (in a build with
 *    panic=abort the process aborts instead).
 *  - sslKeys_t is reference counted: sessions keep the keys they were created with, so
 *    matrixSslDeleteKeys before matrixSslDeleteSession is safe. Keys cannot be loaded into
 *    once a session uses them (PS_ARG_FAIL).
 *  - DTLS sessions are created with matrixDtlsNewClientSession/matrixDtlsNewServerSession
 *    (matrix extensions); the server's constructor takes the client's transport address,
 *    which its HelloVerifyRequest cookie is bound to.
 *  - MatrixSSL 3.x's later calls are here with its names and prototypes where the 3.2
 *    API can carry them: RFC 5077 session tickets (USE_STATELESS_SESSION_TICKETS) and
 *    EC keys (USE_ECC, matrixSslLoadEcKeys). Session options (sslSessOpts_t), which
 *    3.x's matrixSslNewClientSession takes as a new last argument, go to
 *    matrixSslNewClientSessionWithOpts (matrix extension), so that 3.2 programs keep
 *    their constructor.
 *  - Session-ticket keys belong to the open library, not to an sslKeys_t: the keys
 *    argument of matrixSslLoadSessionTicketKeys and its siblings must be a valid handle,
 *    but the ticket keys serve every server session (TLS and DTLS) until matrixSslClose,
 *    whatever keys the session was created with, and can be loaded and deleted while
 *    sessions run (key rotation). Load them after matrixSslOpen (PS_FAILURE before).
 */
#ifndef _h_MATRIXSSL_API
#define _h_MATRIXSSL_API

#include <stddef.h>
#include "matrixsslConfig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Integer sizes (core/osdep.h) ---- */
typedef int int32;
typedef unsigned int uint32;
typedef short int16;
typedef unsigned short uint16;

/* ---- Core return codes (core/coreApi.h of MatrixSSL 3.x) ---- */
#define PS_TRUE                 1
#define PS_FALSE                0
#define PS_SUCCESS              0
#define PS_FAILURE              -1
#define PS_ARG_FAIL             -6   /* Failure due to bad function param */
#define PS_PLATFORM_FAIL        -7   /* Failure as a result of system call error */
#define PS_MEM_FAIL             -8   /* Failure to allocate requested memory */
#define PS_LIMIT_FAIL           -9   /* Failure on sanity/limit tests */
#define PS_UNSUPPORTED_FAIL     -10  /* Unimplemented feature error */
#define PS_DISABLED_FEATURE_FAIL -11 /* Incorrect #define toggle for feature */
#define PS_PROTOCOL_FAIL        -12  /* A protocol error occurred */
#define PS_TIMEOUT_FAIL         -13  /* A timeout occurred and MAY be an error */
#define PS_INTERRUPT_FAIL       -14  /* An interrupt occurred and MAY be an error */
#define PS_PENDING              -15  /* In process. Not necessarily an error */
#define PS_EAGAIN               -16  /* Try again later. Not necessarily an error */

/* ---- Crypto return codes (crypto/cryptoApi.h of MatrixSSL 3.x) ---- */
#define PS_PARSE_FAIL           -31  /* Failed to parse a key, certificate or file */
#define PS_CERT_AUTH_FAIL_BC    -32  /* Cert auth fail: the issuer is not a CA */
#define PS_CERT_AUTH_FAIL_DN    -33  /* Cert auth fail: issuer DN mismatch */
#define PS_CERT_AUTH_FAIL_SIG   -34  /* Cert auth fail: the signature did not verify */
#define PS_CERT_AUTH_FAIL_REVOKED -35 /* Cert auth fail: revoked */
#define PS_CERT_AUTH_FAIL       -36  /* Cert auth fail: general */
#define PS_CERT_AUTH_FAIL_EXTENSION -37 /* Cert auth fail: an extension forbids the use */
#define PS_CERT_AUTH_FAIL_PATH_LEN -38 /* Cert auth fail: pathLenConstraint exceeded */
#define PS_SIGNATURE_MISMATCH   -40  /* Algorithms of the certificate do not match */
#define PS_AUTH_FAIL            -41  /* A password or MAC check failed (matrix: a wrong
                                        PKCS#12 or key-file password) */
#define PS_CERT_AUTH_PASS       PS_TRUE

/* ---- MatrixSSL return codes (matrixsslApi.h of MatrixSSL 3.x) ---- */
#define MATRIXSSL_SUCCESS            PS_SUCCESS
#define MATRIXSSL_ERROR              PS_PROTOCOL_FAIL
#define MATRIXSSL_REQUEST_SEND       1
#define MATRIXSSL_REQUEST_RECV       2
#define MATRIXSSL_REQUEST_CLOSE      3
#define MATRIXSSL_APP_DATA           4
#define MATRIXSSL_HANDSHAKE_COMPLETE 5
#define MATRIXSSL_RECEIVED_ALERT     6

/* ---- Alerts (matrixssllib.h of MatrixSSL 3.x; RFC 2246 section 7.2) ---- */
#define SSL_ALERT_LEVEL_WARNING             1
#define SSL_ALERT_LEVEL_FATAL               2

#define SSL_ALERT_CLOSE_NOTIFY              0
#define SSL_ALERT_UNEXPECTED_MESSAGE        10
#define SSL_ALERT_BAD_RECORD_MAC            20
#define SSL_ALERT_DECRYPTION_FAILED         21
#define SSL_ALERT_RECORD_OVERFLOW           22
#define SSL_ALERT_DECOMPRESSION_FAILURE     30
#define SSL_ALERT_HANDSHAKE_FAILURE         40
#define SSL_ALERT_NO_CERTIFICATE            41
#define SSL_ALERT_BAD_CERTIFICATE           42
#define SSL_ALERT_UNSUPPORTED_CERTIFICATE   43
#define SSL_ALERT_CERTIFICATE_REVOKED       44
#define SSL_ALERT_CERTIFICATE_EXPIRED       45
#define SSL_ALERT_CERTIFICATE_UNKNOWN       46
#define SSL_ALERT_ILLEGAL_PARAMETER         47
#define SSL_ALERT_UNKNOWN_CA                48
#define SSL_ALERT_ACCESS_DENIED             49
#define SSL_ALERT_DECODE_ERROR              50
#define SSL_ALERT_DECRYPT_ERROR             51
#define SSL_ALERT_PROTOCOL_VERSION          70
#define SSL_ALERT_INSUFFICIENT_SECURITY     71
#define SSL_ALERT_INTERNAL_ERROR            80
#define SSL_ALERT_INAPPROPRIATE_FALLBACK    86   /* matrix: RFC 7507 */
#define SSL_ALERT_NO_RENEGOTIATION          100
#define SSL_ALERT_UNSUPPORTED_EXTENSION     110

/* The certificate callback's "continue without authentication" answer. */
#define SSL_ALLOW_ANON_CONNECTION           254

/* ---- Session options (matrixsslApi.h of MatrixSSL 3.x) ---- */
#define SSL_OPTION_FULL_HANDSHAKE           1
#define SSL_OPTION_DISABLE_CLIENT_AUTH      2
#define SSL_OPTION_ENABLE_CLIENT_AUTH       3

/* ---- Cipher suite ids (matrixssllib.h of MatrixSSL 3.x) ---- */
#define SSL_NULL_WITH_NULL_NULL             0x0000
#define SSL_RSA_WITH_RC4_128_MD5            0x0004
#define SSL_RSA_WITH_RC4_128_SHA            0x0005
#define SSL_RSA_WITH_3DES_EDE_CBC_SHA       0x000A
#define SSL_DHE_RSA_WITH_3DES_EDE_CBC_SHA   0x0016
#define SSL_DH_anon_WITH_RC4_128_MD5        0x0018
#define TLS_RSA_WITH_AES_128_CBC_SHA        0x002F
#define TLS_DHE_RSA_WITH_AES_128_CBC_SHA    0x0033
#define TLS_RSA_WITH_AES_256_CBC_SHA        0x0035
#define TLS_DHE_RSA_WITH_AES_256_CBC_SHA    0x0039
#define TLS_PSK_WITH_AES_128_CBC_SHA        0x008C
#define TLS_PSK_WITH_AES_256_CBC_SHA        0x008D
#define TLS_DHE_PSK_WITH_AES_128_CBC_SHA    0x0090
#define TLS_DHE_PSK_WITH_AES_256_CBC_SHA    0x0091
#define TLS_RSA_WITH_SEED_CBC_SHA           0x0096
#define TLS_EMPTY_RENEGOTIATION_INFO_SCSV   0x00FF
/* TLS 1.2 (RFC 5246, RFC 5288; MatrixSSL 3.x USE_TLS_1_2): usable when the library is
 * built with `tls-1-2` and the suite's feature. */
#define TLS_RSA_WITH_AES_128_CBC_SHA256     0x003C
#define TLS_RSA_WITH_AES_256_CBC_SHA256     0x003D
#define TLS_RSA_WITH_AES_128_GCM_SHA256     0x009C
#define TLS_RSA_WITH_AES_256_GCM_SHA384     0x009D
/* ECDHE (RFC 8422, RFC 5289; MatrixSSL 3.x USE_ECC): usable when the library is built
 * with matrix-ssl's `ecc` and the suite's feature. */
#define TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA     0xC009
#define TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA     0xC00A
#define TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA       0xC013
#define TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA       0xC014
#define TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256  0xC023
#define TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384  0xC024
#define TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256    0xC027
#define TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384    0xC028
#define TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256  0xC02B
#define TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384  0xC02C
#define TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256    0xC02F
#define TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384    0xC030

/* Elliptic-curve groups of sslSessOpts_t.ecFlags (crypto/cryptoApi.h of MatrixSSL 3.x;
 * IS_X25519 is matrix's: 3.x had no X25519). 0: the library's default, X25519, P-256 and
 * P-384 in that order of preference. */
#define IS_SECP256R1                0x00000004
#define IS_SECP384R1                0x00000008
#define IS_X25519                   0x01000000  /* matrix extension */

/* ---- Sizes ---- */
#define SSL_MAX_SESSION_ID_SIZE     32
#define SSL_HS_MASTER_SIZE          48
#define SSL_MAX_PLAINTEXT_LEN       0x4000
#define SSL_MAX_DISABLED_CIPHERS    8
#define SHA1_HASH_SIZE              20
#define DTLS_PMTU                   1500

/* X.509 time types (crypto/keyformat/asn1.h) and string types of x509DNattributes_t. */
#define ASN_UTCTIME                 23
#define ASN_GENERALIZEDTIME         24
#define ASN_UTF8STRING              12
#define ASN_PRINTABLESTRING         19
#define ASN_T61STRING               20
#define ASN_IA5STRING               22
#define ASN_BMPSTRING               30

/* Public-key and signature algorithm ids (crypto/x509.h of MatrixSSL 3.x: OID sums). */
#define OID_RSA_KEY_ALG             645
#define OID_MD2_RSA_SIG             646
#define OID_MD5_RSA_SIG             648
#define OID_SHA1_RSA_SIG            649
#define OID_SHA256_RSA_SIG          655
#define OID_SHA384_RSA_SIG          656
#define OID_SHA512_RSA_SIG          657
#define PS_RSA                      1   /* psPubKey_t.type */

/* ---- Types ---- */

/* A session (opaque). */
typedef struct ssl ssl_t;
/* Key material shared by sessions (opaque). */
typedef struct sslKeys sslKeys_t;
/* CLIENT_HELLO extensions being assembled (opaque). */
typedef struct tlsExtension tlsExtension_t;

/*
 * A client's resumable session, allocated by the caller (MatrixSSL 3.x's definition, with
 * matrix's four bytes at the end: the id's length, the protocol version and flags). Clear
 * it with matrixSslInitSessionId before its first use; the library fills it when a
 * handshake of the session it was given to completes.
 */
typedef struct {
    unsigned char   id[SSL_MAX_SESSION_ID_SIZE];
    unsigned char   masterSecret[SSL_HS_MASTER_SIZE];
    uint32          cipherId;
    unsigned char   idLen;      /* matrix: bytes of id in use; 0 = nothing to resume */
    unsigned char   majVer;     /* matrix: protocol version of the session */
    unsigned char   minVer;
    unsigned char   flags;      /* matrix: bit 0 = RFC 7627 extended master secret */
#ifdef USE_STATELESS_SESSION_TICKETS
    /* MatrixSSL 3.4+'s ticket fields (RFC 5077), owned by the library: the ticket is
       allocated when a handshake stores it, replaced by the next one, and freed by
       matrixSslDeleteSessionId (matrixSslInitSessionId only clears, as it may be given
       uninitialised storage: call DeleteSessionId on a used one). Copy a session
       holding a ticket with matrixSslGetSessionId, not by assignment (two structures
       would own one buffer). A session with a ticket and idLen 0 resumes by the ticket
       alone. */
    unsigned char   *sessionTicket;
    uint16          sessionTicketLen;
    uint16          sessionTicketState;         /* 1 while a ticket is held */
    uint32          sessionTicketLifetimeHint;  /* seconds, the server's hint */
#endif
} sslSessionId_t;

/*
 * Session options (MatrixSSL 3.x's sslSessOpts_t, the fields matrix reads), for
 * matrixSslNewClientSessionWithOpts. Clear the structure to zero, then set fields.
 *   ticketResumption  1: ask for RFC 5077 tickets, keep them in the sslSessionId_t and
 *                     offer them to resume (USE_STATELESS_SESSION_TICKETS, else
 *                     PS_UNSUPPORTED_FAIL; a value other than 0/1 is PS_ARG_FAIL)
 *   ecFlags           IS_SECP256R1 | IS_SECP384R1 | IS_X25519: the groups offered
 *                     (USE_ECC; other curves are PS_UNSUPPORTED_FAIL); 0: the default
 *   extendedMasterSecret  0 or 1: RFC 7627 is always offered; -1 is PS_UNSUPPORTED_FAIL
 *   maxFragLen, truncHmac, trustedCAindication, fallbackScsv, versionFlag: not
 *                     implemented by matrix: 0, else PS_UNSUPPORTED_FAIL
 *   userPtr           the caller's; matrix does not read it
 */
typedef struct {
    short           ticketResumption;
    short           maxFragLen;
    short           truncHmac;
    short           extendedMasterSecret;
    short           trustedCAindication;
    short           fallbackScsv;
    int32           ecFlags;
    int32           versionFlag;
    void            *userPtr;
} sslSessOpts_t;

/*
 * The public key of a certificate. MatrixSSL 3.x keeps the parsed key here; matrix gives
 * the algorithm and size only (key is NULL).
 */
typedef struct {
    void            *key;
    int32           type;       /* PS_RSA, or 0 for a key of another algorithm */
    int32           keysize;    /* modulus bytes */
} psPubKey_t;

typedef struct {
    char            *country;
    char            *state;
    char            *locality;
    char            *organization;
    char            *orgUnit;
    char            *commonName;
    char            hash[SHA1_HASH_SIZE];
    char            *dnenc;
    int32           dnencLen;
    short           countryType;
    short           countryLen;
    short           stateType;
    short           stateLen;
    short           localityType;
    short           localityLen;
    short           organizationType;
    short           organizationLen;
    short           orgUnitType;
    short           orgUnitLen;
    short           commonNameType;
    short           commonNameLen;
} x509DNattributes_t;

typedef struct {
    int32           cA;
    int32           pathLenConstraint;  /* -1: none */
} x509extBasicConstraints_t;

typedef struct psSubjectAltNameEntry {
    int32           id;
    unsigned char   name[16];
    unsigned char   *data;
    int32           dataLen;
    struct psSubjectAltNameEntry *next;
} x509SubjectAltName_t;

typedef struct {
    x509extBasicConstraints_t   bc;
    x509SubjectAltName_t        *san;
} x509v3extensions_t;

typedef struct psCert {
    int32               version;
    unsigned char       *serialNumber;
    int32               serialNumberLen;
    x509DNattributes_t  issuer;
    x509DNattributes_t  subject;
    int32               timeType;
    char                *notBefore;
    char                *notAfter;
    psPubKey_t          publicKey;
    int32               pubKeyAlgorithm;
    int32               certAlgorithm;
    int32               sigAlgorithm;
    unsigned char       *signature;
    int32               signatureLen;
    unsigned char       sigHash[SHA1_HASH_SIZE];
    unsigned char       *uniqueIssuerId;
    int32               uniqueIssuerIdLen;
    unsigned char       *uniqueSubjectId;
    int32               uniqueSubjectIdLen;
    x509v3extensions_t  extensions;
    int32               authStatus;
    unsigned char       *unparsedBin;
    int32               binLen;
    struct psCert       *next;
} psX509Cert_t;

/*
 * (sslCertCb_t and sslExtCb_t are matrix's names for the two callback types; the
 * prototypes below spell them out as the reference does.)
 *
 * The certificate callback: certInfo is the peer's chain (child first, linked by next),
 * valid during the call only and read-only. alert is 0 when the chain authenticated, else
 * SSL_ALERT_BAD_CERTIFICATE or SSL_ALERT_UNKNOWN_CA. Return 0 to continue,
 * SSL_ALLOW_ANON_CONNECTION to continue unauthenticated, an alert (> 0) to fail the
 * handshake with it, < 0 to fail it with internal_error.
 */
typedef int32 (*sslCertCb_t)(ssl_t *ssl, psX509Cert_t *certInfo, int32 alert);
/*
 * The hello extension callback: one call per ServerHello extension (type, length, data,
 * data read-only and valid during the call). Return < 0 to end the handshake.
 */
typedef int32 (*sslExtCb_t)(ssl_t *ssl, unsigned short type, unsigned short len,
    void *data);

/* ---- Library ---- */
int32 matrixSslOpen(void);
void matrixSslClose(void);

/* ---- Keys ---- */
int32 matrixSslNewKeys(sslKeys_t **keys);
void matrixSslDeleteKeys(sslKeys_t *keys);
#ifdef PS_USE_FILE_SYSTEM
int32 matrixSslLoadRsaKeys(sslKeys_t *keys, const char *certFile,
    const char *privFile, const char *privPass,
    const char *trustedCAFiles);
#endif
int32 matrixSslLoadRsaKeysMem(sslKeys_t *keys,
    unsigned char *certBuf, int32 certLen,
    unsigned char *privBuf, int32 privLen,
    unsigned char *trustedCABuf, int32 trustedCALen);
/*
 * MatrixSSL 3.x's prototype. The key and certificate chain of a PKCS#12 file. macPass
 * NULL: the import password is the MAC password too. flags: 0 (reserved).
 */
#ifdef PS_USE_FILE_SYSTEM
int32 matrixSslLoadPkcs12(sslKeys_t *keys, unsigned char *p12File,
    unsigned char *importPass, int32 ipasslen,
    unsigned char *macPass, int32 mpasslen, int32 flags);
#endif
/* matrix extension: matrixSslLoadPkcs12 from a DER buffer. */
int32 matrixSslLoadPkcs12Mem(sslKeys_t *keys, unsigned char *p12Buf, int32 p12Len,
    unsigned char *importPass, int32 ipasslen,
    unsigned char *macPass, int32 mpasslen, int32 flags);
/* MatrixSSL 3.x's prototypes: PKCS#3 Diffie-Hellman parameters (PEM or DER). */
#ifdef PS_USE_FILE_SYSTEM
int32 matrixSslLoadDhParams(sslKeys_t *keys, const char *paramFile);
#endif
int32 matrixSslLoadDhParamsMem(sslKeys_t *keys, unsigned char *dhBin, int32 dhBinLen);
/*
 * MatrixSSL 3.x's prototypes (USE_ECC): an EC (P-256 or P-384) certificate chain and its
 * private key (SEC 1 "EC PRIVATE KEY", PKCS#8, encrypted PKCS#8 or encrypted PEM with
 * privPass), PEM or DER, and trusted CAs (RSA or ECDSA). The EC identity sits beside an
 * RSA one loaded into the same keys: a server holding both chooses by the client's
 * suites and signature algorithms. PS_ARG_FAIL when an EC identity is loaded already;
 * PS_UNSUPPORTED_FAIL in a build without USE_ECC, or for a key on another curve.
 */
#ifdef PS_USE_FILE_SYSTEM
int32 matrixSslLoadEcKeys(sslKeys_t *keys, const char *certFile,
    const char *privFile, const char *privPass, const char *CAfile);
#endif
int32 matrixSslLoadEcKeysMem(sslKeys_t *keys, const unsigned char *certBuf,
    int32 certLen, const unsigned char *privBuf, int32 privLen,
    const unsigned char *CAbuf, int32 CAlen);
/* MatrixSSL 3.x's prototype: one pre-shared key and its identity (may be called again). */
int32 matrixSslLoadPsk(sslKeys_t *keys, unsigned char *key, uint32 keyLen,
    unsigned char *id, uint32 idLen);

/* ---- Sessions ---- */
#ifdef USE_CLIENT_SIDE_SSL
int32 matrixSslNewClientSession(ssl_t **ssl, sslKeys_t *keys,
    sslSessionId_t *sessionId, uint32 cipherSuite,
    int32 (*certValidator)(ssl_t *, psX509Cert_t *, int32),
    tlsExtension_t *extensions, int32 (*extensionCback)(ssl_t *ssl,
    unsigned short type, unsigned short len, void *data));
/*
 * matrix extension: matrixSslNewClientSession with MatrixSSL 3.x's session options
 * (options NULL: the defaults). Returns as matrixSslNewClientSession, and PS_ARG_FAIL or
 * PS_UNSUPPORTED_FAIL for options as sslSessOpts_t says.
 */
int32 matrixSslNewClientSessionWithOpts(ssl_t **ssl, sslKeys_t *keys,
    sslSessionId_t *sessionId, uint32 cipherSuite,
    int32 (*certValidator)(ssl_t *, psX509Cert_t *, int32),
    tlsExtension_t *extensions, int32 (*extensionCback)(ssl_t *ssl,
    unsigned short type, unsigned short len, void *data),
    sslSessOpts_t *options);
#endif
#ifdef USE_SERVER_SIDE_SSL
int32 matrixSslNewServerSession(ssl_t **ssl, sslKeys_t *keys,
    int32 (*certCB)(ssl_t *, psX509Cert_t *, int32));
#endif
void matrixSslDeleteSession(ssl_t *ssl);
void matrixSslGetAnonStatus(ssl_t *ssl, int32 *anon);

/*
 * Session ids (MatrixSSL 3.x names; the storage is the caller's). InitSessionId clears one
 * (a full handshake follows); GetSessionId copies the session's current one out
 * (PS_SUCCESS, or PS_FAILURE when there is none yet; with USE_STATELESS_SESSION_TICKETS
 * into an initialised sslSessionId_t, as it replaces the ticket there); DeleteSessionId
 * wipes the master secret and the id and frees the ticket (the storage stays the
 * caller's).
 */
void matrixSslInitSessionId(sslSessionId_t *sessionId);
int32 matrixSslGetSessionId(ssl_t *ssl, sslSessionId_t *sessionId);
void matrixSslDeleteSessionId(sslSessionId_t *sessionId);

/* ---- RFC 5077 session tickets (MatrixSSL 3.4+, server side) ---- */
#if defined(USE_STATELESS_SESSION_TICKETS) && defined(USE_SERVER_SIDE_SSL)
/*
 * Loads a ticket key: a 16-byte name, an AES-128 or AES-256 key (symkeyLen 16 or 32) and
 * a 32-byte HMAC-SHA-256 key. The newest key issues the tickets of every full handshake
 * (to clients that ask) and re-issues older keys' tickets on resumption; keys loaded
 * before still accept their tickets until deleted. The ticket lifetime is the session
 * cache's. PS_SUCCESS; PS_ARG_FAIL for a bad handle, NULL, a bad key length or a name
 * already loaded; PS_LIMIT_FAIL past 32 keys; PS_FAILURE before matrixSslOpen. Keys are
 * the library's, not this sslKeys_t's (see the top of this file).
 */
int32 matrixSslLoadSessionTicketKeys(sslKeys_t *keys, const unsigned char name[16],
    const unsigned char *symkey, short symkeyLen,
    const unsigned char *hashkey, short hashkeyLen);
/* Forgets (and wipes) the key of that name: its tickets then mean full handshakes.
   PS_SUCCESS; PS_FAILURE when no key has that name; PS_ARG_FAIL for a bad argument. */
int32 matrixSslDeleteSessionTicketKey(sslKeys_t *keys, unsigned char name[16]);
/*
 * Registers the callback for a ticket whose key name is not loaded (NULL: none). It is
 * called with this keys handle, the name, and found = 0 (matrix calls it only for
 * unknown names). To accept the ticket it loads the key with
 * matrixSslLoadSessionTicketKeys(keys, name, ...) and returns >= 0; the library keeps
 * that key as an accepting one. A return < 0 refuses the ticket (a full handshake
 * follows). Inside it, matrixSslDeleteSessionTicketKey answers PS_ARG_FAIL and
 * matrixSslSetSessionTicketCallback is ignored. matrixSslDeleteKeys of the handle
 * unregisters it.
 */
void matrixSslSetSessionTicketCallback(sslKeys_t *keys,
    int32 (*ticket_cb)(void *keys, unsigned char name[16], short found));
#endif

/* ---- The buffer API ---- */
/* Valid until the next ReceivedData (or DeleteSession). */
int32 matrixSslGetReadbuf(ssl_t *ssl, unsigned char **buf);
/* *ptbuf (application data, or the 2 alert bytes) is valid until the next ProcessedData. */
int32 matrixSslReceivedData(ssl_t *ssl, uint32 bytes,
    unsigned char **ptbuf, uint32 *ptLen);
int32 matrixSslProcessedData(ssl_t *ssl, unsigned char **ptbuf,
    uint32 *ptlen);
/* Valid until the next SentData or encoding call. */
int32 matrixSslGetOutdata(ssl_t *ssl, unsigned char **buf);
int32 matrixSslSentData(ssl_t *ssl, uint32 bytes);
/* Valid until the next EncodeWritebuf. matrix refuses it before the handshake completes. */
int32 matrixSslGetWritebuf(ssl_t *ssl, unsigned char **buf,
    uint32 requestedLen);
int32 matrixSslEncodeWritebuf(ssl_t *ssl, uint32 len);
int32 matrixSslEncodeToOutdata(ssl_t *ssl, unsigned char *ptBuf,
    uint32 len);
int32 matrixSslEncodeClosureAlert(ssl_t *ssl);
int32 matrixSslEncodeRehandshake(ssl_t *ssl, sslKeys_t *keys,
    int32 (*certCb)(ssl_t *, psX509Cert_t *, int32),
    uint32 sessionOption, uint32 cipherSpec);
/*
 * MatrixSSL 3.x's prototype (its return is void there; matrix returns PS_SUCCESS or
 * PS_ARG_FAIL, which a caller may ignore). arg: unused, NULL. SSL_OPTION_FULL_HANDSHAKE
 * deletes the session's resumption state (the next re-handshake, started by either side,
 * is a full one; a server also drops it from its session cache), on TLS and DTLS sessions.
 */
int32 matrixSslSetSessionOption(ssl_t *ssl, int32 option, void *arg);
/* ssl NULL: global (TLS and DTLS sessions alike); a session: servers only (a client or a
   DTLS session answers PS_UNSUPPORTED_FAIL). */
int32 matrixSslSetCipherSuiteEnabledStatus(ssl_t *ssl,
    uint16 cipherId, uint32 status);

/* ---- Hello extensions ---- */
int32 matrixSslNewHelloExtension(tlsExtension_t **extension);
int32 matrixSslLoadHelloExtension(tlsExtension_t *extension,
    unsigned char *extData, uint32 extLen, uint32 extType);
void matrixSslDeleteHelloExtension(tlsExtension_t *extension);

/* ---- Appendix A: MatrixDTLS ---- */
#ifdef USE_DTLS
/* matrix extension: matrixSslNewClientSession for a DTLS 1.0 session. */
int32 matrixDtlsNewClientSession(ssl_t **ssl, sslKeys_t *keys,
    sslSessionId_t *sessionId, uint32 cipherSuite,
    int32 (*certValidator)(ssl_t *, psX509Cert_t *, int32),
    tlsExtension_t *extensions, int32 (*extensionCback)(ssl_t *ssl,
    unsigned short type, unsigned short len, void *data));
/*
 * matrix extension: matrixSslNewServerSession for a DTLS 1.0 session serving the client
 * at clientAddr (its transport address as bytes, e.g. its struct sockaddr_in): the
 * HelloVerifyRequest cookie is bound to it. One session per client address.
 */
int32 matrixDtlsNewServerSession(ssl_t **ssl, sslKeys_t *keys,
    int32 (*certCB)(ssl_t *, psX509Cert_t *, int32),
    const unsigned char *clientAddr, uint32 addrLen);
/* Each call returns one datagram; a call after a receive timeout rebuilds the last flight. */
int32 matrixDtlsGetOutdata(ssl_t *ssl, unsigned char **buf);
int32 matrixDtlsSentData(ssl_t *ssl, uint32 bytes);
int32 matrixDtlsSetPmtu(int32 pmtu);
int32 matrixDtlsGetPmtu(void);
#endif /* USE_DTLS */

#ifdef __cplusplus
}
#endif

#endif /* _h_MATRIXSSL_API */
