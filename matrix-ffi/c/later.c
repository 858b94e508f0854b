/*
 * later.c: MatrixSSL 3.x's later calls, in memory (no network): RFC 5077 session tickets
 * (matrixSslLoadSessionTicketKeys, matrixSslDeleteSessionTicketKey,
 * matrixSslSetSessionTicketCallback, the ticket in sslSessionId_t, ticketResumption in
 * sslSessOpts_t), EC keys (matrixSslLoadEcKeys/Mem, an RSA and an EC identity on one
 * keys object, ecFlags), and the documented return codes of each for wrong arguments.
 * What the build lacks is checked to answer PS_UNSUPPORTED_FAIL instead.
 *
 *   later RSA_CHAIN RSA_KEY RSA_CA EC_CHAIN EC_KEY EC_CA
 */
#include <stdlib.h>

#include "pair.h"

static unsigned char symA[32], hashA[32], symB[16], hashB[32];
static unsigned char nameA[16], nameB[16];

/* Reads a whole file into a malloc'd buffer (the Mem loaders' input). */
static unsigned char *readFile(const char *path, int32 *len)
{
    unsigned char *b;
    long n;
    FILE *f = fopen(path, "rb");

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0) {
        if (f != NULL) {
            fclose(f);
        }
        return NULL;
    }
    rewind(f);
    b = malloc((size_t)n);
    if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (int32)n;
    return b;
}

/* One connection between fresh sessions: 1 when it resumed, 0 when it was full, -1 when
   it failed. The client completes on its own send (SentData) only when it resumed. */
static int connectPair(sslKeys_t *ck, sslKeys_t *sk, sslSessionId_t *sid, uint32 suite,
    sslSessOpts_t *opts)
{
    ssl_t *c = NULL, *s = NULL;
    side_t cs, ss;
    int r = -1;

    memset(&cs, 0, sizeof(cs));
    memset(&ss, 0, sizeof(ss));
    if (matrixSslNewClientSessionWithOpts(&c, ck, sid, suite, NULL, NULL, NULL, opts) !=
            MATRIXSSL_REQUEST_SEND ||
            matrixSslNewServerSession(&s, sk, NULL) != PS_SUCCESS) {
        fprintf(stderr, "cannot make the sessions\n");
    } else if (handshake(c, &cs, s, &ss) == 0) {
        r = cs.completeSent > 0 ? 1 : 0;
    }
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);
    return r;
}

static void checkOptions(sslKeys_t *ck)
{
    sslSessOpts_t o;
    ssl_t *c = (ssl_t *)&o;

    memset(&o, 0, sizeof(o));
    o.ticketResumption = 2;
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, &o),
        PS_ARG_FAIL);
    CHECK(c == NULL);
    memset(&o, 0, sizeof(o));
    o.maxFragLen = 512;
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, &o),
        PS_UNSUPPORTED_FAIL);
    memset(&o, 0, sizeof(o));
    o.extendedMasterSecret = -1;
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, &o),
        PS_UNSUPPORTED_FAIL);
    memset(&o, 0, sizeof(o));
    o.ecFlags = 0x10; /* IS_SECP521R1: a curve matrix does not have */
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, &o),
        PS_UNSUPPORTED_FAIL);
    memset(&o, 0, sizeof(o));
    CHECK_EQ(matrixSslNewClientSessionWithOpts(NULL, ck, NULL, 0, NULL, NULL, NULL, &o),
        PS_ARG_FAIL);
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, NULL, NULL, 0, NULL, NULL, NULL, &o),
        PS_ARG_FAIL);
    o.ticketResumption = 1;
#ifdef USE_STATELESS_SESSION_TICKETS
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, &o),
        MATRIXSSL_REQUEST_SEND);
    matrixSslDeleteSession(c);
#else
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, &o),
        PS_UNSUPPORTED_FAIL);
#endif
    memset(&o, 0, sizeof(o));
    o.ecFlags = IS_SECP256R1;
#ifdef USE_ECC
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, &o),
        MATRIXSSL_REQUEST_SEND);
    matrixSslDeleteSession(c);
#else
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, &o),
        PS_UNSUPPORTED_FAIL);
#endif
    /* NULL options: matrixSslNewClientSession. */
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, NULL, 0, NULL, NULL, NULL, NULL),
        MATRIXSSL_REQUEST_SEND);
    matrixSslDeleteSession(c);
}

#if defined(USE_STATELESS_SESSION_TICKETS) && defined(USE_SERVER_SIDE_SSL)
static int cbCalls, cbAccept, cbDeleteRefused;

/* The ticket callback: called for a ticket whose key is not loaded; gives key A back
   through matrixSslLoadSessionTicketKeys when told to accept. */
static int32 ticketCb(void *keys, unsigned char name[16], short found)
{
    cbCalls++;
    CHECK_EQ(found, 0);
    if (matrixSslDeleteSessionTicketKey(keys, name) == PS_ARG_FAIL) {
        cbDeleteRefused++;
    }
    if (!cbAccept || memcmp(name, nameA, 16) != 0) {
        return -1;
    }
    return matrixSslLoadSessionTicketKeys(keys, name, symA, 32, hashA, 32);
}

static void checkTicketArguments(sslKeys_t *sk)
{
    unsigned char name[16];
    int i;

    CHECK_EQ(matrixSslLoadSessionTicketKeys(NULL, nameA, symA, 32, hashA, 32), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, NULL, symA, 32, hashA, 32), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, nameA, NULL, 32, hashA, 32), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, nameA, symA, -1, hashA, 32), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, nameA, symA, 20, hashA, 32), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, nameA, symA, 32, hashA, 16), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, nameA, symA, 32, hashA, 32), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, nameA, symA, 32, hashA, 32), PS_ARG_FAIL);
    /* 32 keys at most: A and 31 more. */
    memset(name, 'k', sizeof(name));
    for (i = 0; i < 32; i++) {
        name[0] = (unsigned char)i;
        CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, name, symB, 16, hashB, 32),
            i < 31 ? PS_SUCCESS : PS_LIMIT_FAIL);
    }
    for (i = 0; i < 31; i++) {
        name[0] = (unsigned char)i;
        CHECK_EQ(matrixSslDeleteSessionTicketKey(sk, name), PS_SUCCESS);
    }
    CHECK_EQ(matrixSslDeleteSessionTicketKey(sk, name), PS_FAILURE); /* never loaded */
    CHECK_EQ(matrixSslDeleteSessionTicketKey(NULL, nameA), PS_ARG_FAIL);
    CHECK_EQ(matrixSslDeleteSessionTicketKey(sk, NULL), PS_ARG_FAIL);
    matrixSslSetSessionTicketCallback(NULL, ticketCb); /* ignored */
}

/* Resumption by ticket alone (idLen 0, so no session id the server's cache could know),
   key rotation, deletion and the callback. */
static void checkTickets(sslKeys_t *ck, sslKeys_t *sk)
{
    sslSessOpts_t o;
    sslSessionId_t sid, sidA, sidA2;
    unsigned char first[16];
    ssl_t *c = NULL, *s = NULL;
    side_t cs, ss;

    memset(&o, 0, sizeof(o));
    o.ticketResumption = 1;
    matrixSslInitSessionId(&sid);
    matrixSslInitSessionId(&sidA);
    matrixSslInitSessionId(&sidA2);

    /* A full handshake issues a ticket under key A. */
    CHECK_EQ(connectPair(ck, sk, &sid, 0, &o), 0);
    CHECK(sid.sessionTicket != NULL && sid.sessionTicketLen > 16);
    CHECK_EQ(sid.sessionTicketState, 1);
    if (sid.sessionTicket == NULL) {
        return;
    }
    memcpy(first, sid.sessionTicket, sizeof(first));

    /* The ticket alone resumes; two copies of this state are kept (GetSessionId). */
    sid.idLen = 0;
    memset(&cs, 0, sizeof(cs));
    memset(&ss, 0, sizeof(ss));
    CHECK_EQ(matrixSslNewClientSessionWithOpts(&c, ck, &sid, 0, NULL, NULL, NULL, &o),
        MATRIXSSL_REQUEST_SEND);
    CHECK_EQ(matrixSslNewServerSession(&s, sk, NULL), PS_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(cs.completeSent, 1); /* resumed */
    CHECK_EQ(matrixSslGetSessionId(c, &sidA), PS_SUCCESS);
    CHECK_EQ(matrixSslGetSessionId(c, &sidA2), PS_SUCCESS);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);
    CHECK(sidA.sessionTicketLen > 0 && sidA.sessionTicket != sidA2.sessionTicket);

    /* Rotation: key B issues from now on; A's tickets are still accepted and renewed. */
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, nameB, symB, 16, hashB, 32), PS_SUCCESS);
    sid.idLen = 0;
    CHECK_EQ(connectPair(ck, sk, &sid, 0, &o), 1);
    CHECK(sid.sessionTicket != NULL && memcmp(sid.sessionTicket, first, 16) != 0);

    /* A deleted: its ticket means a full handshake; the callback is asked and refuses. */
    CHECK_EQ(matrixSslDeleteSessionTicketKey(sk, nameA), PS_SUCCESS);
    CHECK_EQ(matrixSslDeleteSessionTicketKey(sk, nameA), PS_FAILURE);
    matrixSslSetSessionTicketCallback(sk, ticketCb);
    sidA.idLen = 0;
    CHECK_EQ(connectPair(ck, sk, &sidA, 0, &o), 0);
    CHECK_EQ(cbCalls, 1);
    /* The callback gives key A back: the other copy resumes. */
    cbAccept = 1;
    sidA2.idLen = 0;
    CHECK_EQ(connectPair(ck, sk, &sidA2, 0, &o), 1);
    CHECK_EQ(cbCalls, 2);
    CHECK_EQ(cbDeleteRefused, 2);
    /* B's ticket resumes. */
    sid.idLen = 0;
    CHECK_EQ(connectPair(ck, sk, &sid, 0, &o), 1);

    matrixSslDeleteSessionId(&sid);
    CHECK(sid.sessionTicket == NULL && sid.sessionTicketLen == 0);
    matrixSslDeleteSessionId(&sidA);
    matrixSslDeleteSessionId(&sidA2);
    CHECK_EQ(matrixSslDeleteSessionTicketKey(sk, nameB), PS_SUCCESS);
    printf("tickets checked\n");
}
#endif

static void checkEc(sslKeys_t *ck, sslKeys_t *sk, char **argv)
{
    unsigned char junk[64];
    int32 certLen = 0, keyLen = 0;
    unsigned char *cert = readFile(argv[4], &certLen);
    unsigned char *key = readFile(argv[5], &keyLen);
    sslKeys_t *k = NULL;

    memset(junk, 0x30, sizeof(junk));
    CHECK(cert != NULL && key != NULL);
    CHECK_EQ(matrixSslNewKeys(&k), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadEcKeysMem(NULL, cert, certLen, key, keyLen, NULL, 0), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadEcKeysMem(k, cert, -1, key, keyLen, NULL, 0), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadEcKeysMem(k, NULL, 10, key, keyLen, NULL, 0), PS_ARG_FAIL);
#ifdef USE_ECC
    CHECK_EQ(matrixSslLoadEcKeysMem(k, cert, certLen, NULL, 0, NULL, 0), PS_ARG_FAIL);
    CHECK(matrixSslLoadEcKeysMem(k, junk, sizeof(junk), key, keyLen, NULL, 0) < 0);
    CHECK_EQ(matrixSslLoadEcKeysMem(k, cert, certLen, key, keyLen, NULL, 0), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadEcKeysMem(k, cert, certLen, key, keyLen, NULL, 0), PS_ARG_FAIL);
    /* An RSA key is no EC key. */
    CHECK(matrixSslLoadEcKeys(ck, argv[1], argv[2], NULL, NULL) < 0);
    CHECK_EQ(matrixSslLoadEcKeys(NULL, argv[4], argv[5], NULL, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadEcKeys(sk, argv[4], argv[5], NULL, NULL), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadEcKeys(ck, NULL, NULL, NULL, argv[6]), PS_SUCCESS);
    {
        /* The server holds both identities: ECDHE_ECDSA and ECDHE_RSA, and ecFlags. */
        sslSessOpts_t o;
        memset(&o, 0, sizeof(o));
        CHECK_EQ(connectPair(ck, sk, NULL, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, NULL), 0);
        CHECK_EQ(connectPair(ck, sk, NULL, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, NULL), 0);
        CHECK_EQ(connectPair(ck, sk, NULL, TLS_RSA_WITH_AES_128_CBC_SHA, NULL), 0);
        /* P-384 alone for the exchange (an RSA certificate: no curve of its own). */
        o.ecFlags = IS_SECP384R1;
        CHECK_EQ(connectPair(ck, sk, NULL, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, &o), 0);
        /* The P-256 certificate's curve must be offered (RFC 8422 section 5.6). */
        o.ecFlags = IS_X25519 | IS_SECP256R1;
        CHECK_EQ(connectPair(ck, sk, NULL, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, &o), 0);
    }
    printf("ecc checked\n");
#else
    CHECK_EQ(matrixSslLoadEcKeysMem(k, cert, certLen, key, keyLen, NULL, 0),
        PS_UNSUPPORTED_FAIL);
    (void)ck;
    (void)sk;
    (void)junk;
#endif
    matrixSslDeleteKeys(k);
    free(cert);
    free(key);
}

int main(int argc, char **argv)
{
    sslKeys_t *ck = NULL, *sk = NULL;

    if (argc < 7) {
        fprintf(stderr, "usage: later RSA_CHAIN RSA_KEY RSA_CA EC_CHAIN EC_KEY EC_CA\n");
        return 2;
    }
    memset(nameA, 'A', sizeof(nameA));
    memset(nameB, 'B', sizeof(nameB));
    memset(symA, 0x11, sizeof(symA));
    memset(hashA, 0x22, sizeof(hashA));
    memset(symB, 0x33, sizeof(symB));
    memset(hashB, 0x44, sizeof(hashB));
    CHECK_EQ(matrixSslNewKeys(&sk), PS_SUCCESS);
    CHECK_EQ(matrixSslNewKeys(&ck), PS_SUCCESS);
#if defined(USE_STATELESS_SESSION_TICKETS) && defined(USE_SERVER_SIDE_SSL)
    /* Ticket keys belong to the open library. */
    CHECK_EQ(matrixSslLoadSessionTicketKeys(sk, nameA, symA, 32, hashA, 32), PS_FAILURE);
#endif
    CHECK_EQ(matrixSslOpen(), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadRsaKeys(sk, argv[1], argv[2], NULL, NULL), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadRsaKeys(ck, NULL, NULL, NULL, argv[3]), PS_SUCCESS);
    checkOptions(ck);
    /* NULL options: a full handshake as with matrixSslNewClientSession. */
    CHECK_EQ(connectPair(ck, sk, NULL, 0, NULL), 0);
    checkEc(ck, sk, argv);
#if defined(USE_STATELESS_SESSION_TICKETS) && defined(USE_SERVER_SIDE_SSL)
    checkTicketArguments(sk);
    checkTickets(ck, sk);
#endif
    matrixSslDeleteKeys(ck);
    matrixSslDeleteKeys(sk);
    matrixSslClose();
    if (failures == 0) {
        printf("later: all checks passed\n");
        return 0;
    }
    printf("later: %d checks failed\n", failures);
    return 1;
}
