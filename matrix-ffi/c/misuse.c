/*
 * misuse.c: the C API misused on purpose (NULL pointers, wrong sizes, handles of the wrong
 * kind, calls in the wrong state, calls from inside callbacks): every call must answer
 * the documented negative code (or, for void functions, do nothing) and the process must
 * neither crash nor leak (the test runs it under valgrind).
 *
 *   misuse SERVER_CHAIN SERVER_KEY CA_FILE
 */
#include "pair.h"

static int reentryChecked;
static ssl_t *seenSsl;

/* A certificate callback that tries to re-enter the library on its own session. */
static int32 reenteringCb(ssl_t *ssl, psX509Cert_t *cert, int32 alert)
{
    unsigned char *buf = NULL;
    int32 anon = 7;

    (void)cert;
    seenSsl = ssl;
    CHECK_EQ(matrixSslGetOutdata(ssl, &buf), PS_ARG_FAIL);
    CHECK_EQ(matrixSslEncodeClosureAlert(ssl), PS_ARG_FAIL);
    matrixSslGetAnonStatus(ssl, &anon);
    CHECK_EQ(anon, 7);          /* refused: left untouched */
    matrixSslDeleteSession(ssl); /* refused while in use */
    reentryChecked = 1;
    return alert;
}

int main(int argc, char **argv)
{
    sslKeys_t *keys = NULL, *ckeys = NULL;
    tlsExtension_t *ext = NULL;
    sslSessionId_t sid;
    ssl_t *c = NULL, *s = NULL, *sentinel = (ssl_t *)&sid;
    side_t cs, ss;
    unsigned char *buf = NULL, *pt = NULL;
    unsigned char data[64];
    uint32 ptLen = 0;
    int32 rc, anon = 5;

    if (argc < 4) {
        fprintf(stderr, "usage: misuse CHAIN KEY CA\n");
        return 2;
    }
    memset(data, 0, sizeof(data));
    memset(&cs, 0, sizeof(cs));
    memset(&ss, 0, sizeof(ss));

    /* Before matrixSslOpen: keys can be made, sessions cannot. */
    CHECK_EQ(matrixSslNewKeys(NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslNewKeys(&keys), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadRsaKeys(keys, argv[1], argv[2], NULL, NULL), PS_SUCCESS);
    s = sentinel;
    CHECK_EQ(matrixSslNewServerSession(&s, keys, NULL), PS_FAILURE);
    CHECK(s == NULL);
    CHECK_EQ(matrixSslOpen(), PS_SUCCESS);
    CHECK_EQ(matrixSslOpen(), PS_SUCCESS);

    /* Keys: NULL handles, half a key pair, negative lengths, missing files, twice. */
    CHECK_EQ(matrixSslLoadRsaKeys(NULL, NULL, NULL, NULL, argv[3]), PS_ARG_FAIL);
    CHECK_EQ(matrixSslNewKeys(&ckeys), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadRsaKeys(ckeys, argv[1], NULL, NULL, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadRsaKeys(ckeys, NULL, NULL, NULL, "/nonexistent/ca.pem"),
        PS_PLATFORM_FAIL);
    CHECK_EQ(matrixSslLoadRsaKeysMem(ckeys, NULL, 0, NULL, 0, data, -1), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadRsaKeysMem(ckeys, NULL, 0, NULL, 0, NULL, 10), PS_ARG_FAIL);
    CHECK(matrixSslLoadRsaKeysMem(ckeys, NULL, 0, NULL, 0, data, sizeof(data)) < 0);
    CHECK_EQ(matrixSslLoadRsaKeys(ckeys, NULL, NULL, NULL, argv[3]), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadRsaKeys(ckeys, NULL, NULL, NULL, argv[3]), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadPkcs12(ckeys, (unsigned char *)argv[1], NULL, 0, NULL, 0, 1),
        PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadPkcs12Mem(ckeys, NULL, 0, NULL, 0, NULL, 0, 0), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadPsk(ckeys, data, 0, (unsigned char *)"id", 2), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadPsk(ckeys, NULL, 16, (unsigned char *)"id", 2), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadPsk(ckeys, data, 65, (unsigned char *)"id", 2), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadDhParams(ckeys, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadDhParamsMem(ckeys, data, sizeof(data)), PS_PARSE_FAIL);

    /* Hello extensions. */
    CHECK_EQ(matrixSslNewHelloExtension(NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadHelloExtension(NULL, data, 1, 0), PS_ARG_FAIL);
    CHECK_EQ(matrixSslNewHelloExtension(&ext), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadHelloExtension(ext, NULL, 5, 0), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadHelloExtension(ext, data, 1, 0x10000), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadHelloExtension(ext, data, 1, 0xff01), PS_ARG_FAIL);
    CHECK_EQ(matrixSslLoadHelloExtension(ext, data, 0, 0x1234), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadHelloExtension(ext, data, 0, 0x1234), PS_ARG_FAIL);

    /* Session constructors: NULLs, handles of the wrong kind, unknown suites. */
    CHECK_EQ(matrixSslNewClientSession(NULL, ckeys, NULL, 0, NULL, NULL, NULL), PS_ARG_FAIL);
    c = sentinel;
    CHECK_EQ(matrixSslNewClientSession(&c, NULL, NULL, 0, NULL, NULL, NULL), PS_ARG_FAIL);
    CHECK(c == NULL);
    CHECK_EQ(matrixSslNewClientSession(&c, (sslKeys_t *)ext, NULL, 0, NULL, NULL, NULL),
        PS_ARG_FAIL);
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, NULL, 0, NULL, (tlsExtension_t *)ckeys,
        NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, NULL, 0x10000, NULL, NULL, NULL),
        PS_ARG_FAIL);
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, NULL, 0x1234, NULL, NULL, NULL),
        PS_UNSUPPORTED_FAIL);
    CHECK_EQ(matrixSslNewServerSession(NULL, keys, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslNewServerSession(&s, NULL, NULL), PS_ARG_FAIL);

    /* A garbage session id is not offered: a full handshake follows. */
    memset(&sid, 0xA5, sizeof(sid));
#ifdef USE_STATELESS_SESSION_TICKETS
    /* The ticket fields hold a buffer the library allocated: not the caller's to fill. */
    sid.sessionTicket = NULL;
    sid.sessionTicketLen = 0;
#endif
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, &sid, 0, reenteringCb, ext, NULL),
        MATRIXSSL_REQUEST_SEND);
    matrixSslDeleteHelloExtension(ext);
    CHECK_EQ(matrixSslNewServerSession(&s, keys, NULL), PS_SUCCESS);

    /* The buffer API on a session in the wrong state or with wrong arguments. */
    CHECK_EQ(matrixSslGetReadbuf(NULL, &buf), PS_ARG_FAIL);
    CHECK_EQ(matrixSslGetReadbuf(c, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslGetReadbuf((ssl_t *)keys, &buf), PS_ARG_FAIL);
    CHECK_EQ(matrixSslReceivedData(s, 0, &pt, &ptLen), PS_ARG_FAIL);
    CHECK(matrixSslGetReadbuf(s, &buf) > 0);
    CHECK_EQ(matrixSslReceivedData(s, 0x7fffffff, &pt, &ptLen), PS_ARG_FAIL);
    CHECK_EQ(matrixSslReceivedData(s, 1, NULL, &ptLen), PS_ARG_FAIL);
    CHECK_EQ(matrixSslProcessedData(s, &pt, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslGetOutdata(c, NULL), PS_ARG_FAIL);
    rc = matrixSslGetOutdata(c, &buf);
    CHECK(rc > 0);
    CHECK_EQ(matrixSslSentData(c, (uint32)rc + 1), PS_ARG_FAIL);
    CHECK(matrixSslGetWritebuf(c, &buf, 10) < 0);      /* before the handshake */
    CHECK_EQ(matrixSslGetWritebuf(c, NULL, 10), PS_ARG_FAIL);
    CHECK_EQ(matrixSslEncodeWritebuf(c, 10) < 0, 1);
    CHECK_EQ(matrixSslEncodeToOutdata(c, NULL, 5), PS_ARG_FAIL);
    CHECK(matrixSslEncodeToOutdata(c, data, 5) < 0);    /* before the handshake */
    CHECK_EQ(matrixSslEncodeRehandshake(c, NULL, NULL, 0, 0), MATRIXSSL_ERROR);
    CHECK_EQ(matrixSslEncodeRehandshake(c, NULL, NULL, 99, 0), PS_ARG_FAIL);
    CHECK_EQ(matrixSslEncodeRehandshake(c, (sslKeys_t *)c, NULL, 0, 0), PS_ARG_FAIL);
    CHECK_EQ(matrixSslSetSessionOption(c, 99, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslSetSessionOption(NULL, SSL_OPTION_FULL_HANDSHAKE, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslSetSessionOption(c, SSL_OPTION_ENABLE_CLIENT_AUTH, NULL), PS_ARG_FAIL);
    CHECK_EQ(matrixSslSetCipherSuiteEnabledStatus(c, TLS_RSA_WITH_AES_128_CBC_SHA, PS_FALSE),
        PS_UNSUPPORTED_FAIL);
    CHECK_EQ(matrixSslSetCipherSuiteEnabledStatus(s, TLS_RSA_WITH_AES_128_CBC_SHA, 7),
        PS_ARG_FAIL);
    CHECK_EQ(matrixSslSetCipherSuiteEnabledStatus(NULL, 0x1234, PS_FALSE), MATRIXSSL_ERROR);
    CHECK_EQ(matrixSslGetSessionId(c, &sid), PS_FAILURE);
    CHECK_EQ(matrixSslGetSessionId(c, NULL), PS_ARG_FAIL);
    matrixSslGetAnonStatus(NULL, &anon);
    matrixSslGetAnonStatus(c, NULL);
    CHECK_EQ(anon, 5);
#ifdef USE_DTLS
    CHECK_EQ(matrixDtlsGetOutdata(c, &buf), PS_ARG_FAIL);
    CHECK_EQ(matrixDtlsSentData(c, 1), PS_ARG_FAIL);
    {
        ssl_t *d = sentinel;
        CHECK_EQ(matrixDtlsNewServerSession(&d, keys, NULL, NULL, 4), PS_ARG_FAIL);
        CHECK(d == NULL);
    }
    CHECK_EQ(matrixDtlsSetPmtu(-1), DTLS_PMTU);
    rc = matrixDtlsSetPmtu(10);
    CHECK(rc > 10);                                     /* clamped to the smallest PMTU */
    CHECK_EQ(matrixDtlsGetPmtu(), rc);
    CHECK_EQ(matrixDtlsSetPmtu(-1), DTLS_PMTU);
#endif

    /* Keys in use by a session cannot be loaded into; deleting them early is safe. */
    CHECK_EQ(matrixSslLoadPsk(keys, data, 16, (unsigned char *)"id", 2), PS_ARG_FAIL);
    matrixSslDeleteKeys(keys);
    keys = NULL;

    /* The handshake, with a certificate callback that tries to re-enter. */
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(reentryChecked, 1);
    CHECK(seenSsl == c);
    CHECK(sid.idLen > 0 && sid.idLen <= SSL_MAX_SESSION_ID_SIZE);

    /* The peer's garbage: a fatal alert, then PS_PROTOCOL_FAIL for more data. */
    rc = matrixSslGetReadbuf(s, &buf);
    CHECK(rc >= 5);
    memcpy(buf, "GET / HTTP/1.0\r\n", 5);
    CHECK_EQ(matrixSslReceivedData(s, 5, &pt, &ptLen), MATRIXSSL_REQUEST_SEND);
    rc = matrixSslGetOutdata(s, &buf);
    CHECK(rc > 0);
    CHECK_EQ(matrixSslSentData(s, (uint32)rc), MATRIXSSL_REQUEST_CLOSE);
    rc = matrixSslGetReadbuf(s, &buf);
    if (rc > 0) {
        buf[0] = 23;
        CHECK_EQ(matrixSslReceivedData(s, 1, &pt, &ptLen), PS_PROTOCOL_FAIL);
    }
    CHECK(matrixSslEncodeToOutdata(s, data, 5) < 0);
    CHECK_EQ(matrixSslEncodeRehandshake(s, NULL, NULL, 0, 0), MATRIXSSL_ERROR);

    /* Deleting twice, NULLs and handles of the wrong kind are ignored (the second delete
       of s is not made: a freed pointer is not ours to read). */
    matrixSslDeleteSession(NULL);
    matrixSslDeleteKeys(NULL);
    matrixSslDeleteHelloExtension(NULL);
    matrixSslDeleteSession((ssl_t *)ckeys);
    matrixSslDeleteKeys((sslKeys_t *)c);
    matrixSslInitSessionId(NULL);
    matrixSslDeleteSessionId(NULL);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);
    matrixSslDeleteKeys(ckeys);
    matrixSslDeleteSessionId(&sid);
    CHECK_EQ(sid.idLen, 0);

    /* After matrixSslClose: no new sessions. */
    matrixSslClose();
    matrixSslClose();
    CHECK_EQ(matrixSslNewClientSession(&c, NULL, NULL, 0, NULL, NULL, NULL), PS_ARG_FAIL);
    {
        sslKeys_t *k = NULL;
        CHECK_EQ(matrixSslNewKeys(&k), PS_SUCCESS);
        CHECK_EQ(matrixSslNewClientSession(&c, k, NULL, 0, NULL, NULL, NULL), PS_FAILURE);
        matrixSslDeleteKeys(k);
    }
    if (failures == 0) {
        printf("misuse: all checks passed\n");
        return 0;
    }
    printf("misuse: %d checks failed\n", failures);
    return 1;
}
