/*
 * guide.c: the sequences of the MatrixSSL 3.2 developer's guide (initialisation, keys,
 * sessions, sending and receiving data, multi-record buffers, resumption, re-handshakes,
 * client authentication, closure, clean-up), run on an in-memory client/server pair and
 * checked against the return codes of the API reference.
 *
 *   guide SERVER_CHAIN SERVER_KEY CA_FILE PKCS12_FILE [CLIENT_CERT CLIENT_KEY [ENC_KEY]]
 *
 * ENC_KEY: the server key encrypted with the password "matrix" (PEM, as MatrixSSL's
 * privPass documents).
 */
#include "pair.h"

static int certCalls, lastAlertIn;

static int32 certCb(ssl_t *ssl, psX509Cert_t *cert, int32 alert)
{
    (void)ssl;
    certCalls++;
    lastAlertIn = alert;
    return (cert != NULL && cert->authStatus == PS_CERT_AUTH_PASS) ? alert : SSL_ALERT_BAD_CERTIFICATE;
}

static int32 anonCb(ssl_t *ssl, psX509Cert_t *cert, int32 alert)
{
    (void)ssl;
    (void)cert;
    lastAlertIn = alert;
    return SSL_ALLOW_ANON_CONNECTION;
}

static int extSeen;

static int32 extCb(ssl_t *ssl, unsigned short type, unsigned short len, void *data)
{
    (void)ssl;
    (void)len;
    (void)data;
    if (type == 0xff01) {
        extSeen++;
    }
    return 0;
}

static int32 refuseExtCb(ssl_t *ssl, unsigned short type, unsigned short len, void *data)
{
    (void)ssl;
    (void)type;
    (void)len;
    (void)data;
    return -1;
}

static sslKeys_t *serverKeys(const char *chain, const char *key, const char *ca)
{
    sslKeys_t *k = NULL;

    CHECK_EQ(matrixSslNewKeys(&k), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadRsaKeys(k, chain, key, NULL, ca), PS_SUCCESS);
    return k;
}

static void freshPair(ssl_t **c, side_t *cs, ssl_t **s, side_t *ss)
{
    memset(cs, 0, sizeof(*cs));
    memset(ss, 0, sizeof(*ss));
    *c = NULL;
    *s = NULL;
}

/* Sends `msg` from a to b with GetWritebuf/EncodeWritebuf (guide: "sending data"). */
static void writebufSend(ssl_t *a, side_t *as, ssl_t *b, side_t *bs, const char *msg)
{
    unsigned char *buf;
    uint32 len = (uint32)strlen(msg);
    unsigned long before = bs->dataLen;

    CHECK(matrixSslGetWritebuf(a, &buf, len) >= (int32)len);
    memcpy(buf, msg, len);
    CHECK(matrixSslEncodeWritebuf(a, len) > (int32)len);
    CHECK(pump(a, as, b, bs) >= 0);
    CHECK_EQ(bs->dataLen - before, len);
    CHECK(memcmp(bs->data + before, msg, len) == 0);
}

int main(int argc, char **argv)
{
    sslKeys_t *skeys, *ckeys = NULL, *p12 = NULL, *anonKeys = NULL;
    sslSessionId_t sid, sid2;
    tlsExtension_t *ext = NULL;
    ssl_t *c, *s;
    side_t cs, ss;
    unsigned char *buf;
    unsigned char sni[] = { 0, 12, 0, 0, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't' };
    int32 anon = -1, rc;
    int i;

    if (argc < 5) {
        fprintf(stderr, "usage: guide CHAIN KEY CA P12\n");
        return 2;
    }
    /* Initialisation: open, keys for both roles. */
    CHECK_EQ(matrixSslOpen(), PS_SUCCESS);
    skeys = serverKeys(argv[1], argv[2], NULL);
    CHECK_EQ(matrixSslNewKeys(&ckeys), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadRsaKeys(ckeys, NULL, NULL, NULL, argv[3]), PS_SUCCESS);

    /* A client hello extension (server_name), deleted right after the session copied it. */
    CHECK_EQ(matrixSslNewHelloExtension(&ext), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadHelloExtension(ext, sni, sizeof(sni), 0), PS_SUCCESS);

    /* Creating sessions; the full handshake. */
    freshPair(&c, &cs, &s, &ss);
    matrixSslInitSessionId(&sid);
    matrixSslInitSessionId(&sid2);
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, &sid, 0, certCb, ext, extCb),
        MATRIXSSL_REQUEST_SEND);
    matrixSslDeleteHelloExtension(ext);
    CHECK_EQ(matrixSslNewServerSession(&s, skeys, NULL), PS_SUCCESS);
    CHECK(matrixSslGetOutdata(c, &buf) > 0);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(cs.completeRecv, 1); /* a full handshake ends on the client's receive... */
    CHECK_EQ(ss.completeSent, 1); /* ...and on the server's send */
    CHECK_EQ(certCalls, 1);
    CHECK_EQ(lastAlertIn, 0);
    CHECK_EQ(extSeen, 1);
    matrixSslGetAnonStatus(c, &anon);
    CHECK_EQ(anon, 0);
    CHECK(sid.idLen > 0);

    /* Sending data: GetWritebuf/EncodeWritebuf, then EncodeToOutdata. */
    writebufSend(c, &cs, s, &ss, "GET / HTTP/1.0\r\n\r\n");
    rc = matrixSslEncodeToOutdata(s, (unsigned char *)"HTTP/1.0 200 OK\r\n", 17);
    CHECK(rc > 17);
    CHECK_EQ(matrixSslGetOutdata(s, &buf), rc);
    CHECK(pump(s, &ss, c, &cs) >= 0);
    CHECK_EQ(cs.dataLen, 17);

    /* A request larger than a record: the buffer offered is at most 16 KB. */
    rc = matrixSslGetWritebuf(c, &buf, 20000);
    CHECK(rc > 0 && rc <= SSL_MAX_PLAINTEXT_LEN);
    memset(buf, 'x', (size_t)rc);
    CHECK(matrixSslEncodeWritebuf(c, (uint32)rc) > rc);
    CHECK(pump(c, &cs, s, &ss) >= 0);

    /* Multi-record buffers: three records in one buffer, handled through ProcessedData;
       and the same delivered a byte at a time. */
    ss.records = 0;
    for (i = 0; i < 3; i++) {
        CHECK(matrixSslEncodeToOutdata(c, (unsigned char *)"abc", 3) > 3);
    }
    CHECK(pump(c, &cs, s, &ss) >= 0);
    CHECK_EQ(ss.records, 3);
    ss.records = 0;
    for (i = 0; i < 3; i++) {
        CHECK(matrixSslEncodeToOutdata(s, (unsigned char *)"defg", 4) > 4);
    }
    cs.records = 0;
    CHECK(pumpChunked(s, &ss, c, &cs, 1) >= 0);
    CHECK_EQ(cs.records, 3);

    /* Re-handshakes: resumed (client), full (server, SSL_OPTION_FULL_HANDSHAKE), a cipher
       change (client), then a full one forced with matrixSslSetSessionOption. */
    CHECK_EQ(matrixSslEncodeRehandshake(c, NULL, NULL, 0, 0), MATRIXSSL_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(cs.completeSent, 1); /* resumed: the client's Finished ends it */
    CHECK_EQ(matrixSslEncodeRehandshake(s, NULL, NULL, SSL_OPTION_FULL_HANDSHAKE, 0),
        MATRIXSSL_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(cs.completeRecv, 2);
#ifdef USE_TLS_RSA_WITH_AES_256_CBC_SHA
    CHECK_EQ(matrixSslEncodeRehandshake(c, NULL, NULL, SSL_OPTION_FULL_HANDSHAKE,
        TLS_RSA_WITH_AES_256_CBC_SHA), MATRIXSSL_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(cs.completeRecv, 3);
    CHECK_EQ(matrixSslGetSessionId(c, &sid2), PS_SUCCESS);
    CHECK_EQ(sid2.cipherId, TLS_RSA_WITH_AES_256_CBC_SHA);
#endif
    CHECK_EQ(matrixSslSetSessionOption(c, SSL_OPTION_FULL_HANDSHAKE, NULL), PS_SUCCESS);
    i = cs.completeRecv;
    CHECK_EQ(matrixSslEncodeRehandshake(c, NULL, NULL, 0, 0), MATRIXSSL_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(cs.completeRecv, i + 1); /* full despite asking to resume */
    writebufSend(s, &ss, c, &cs, "after the re-handshakes");

    /* Closure: the client's alert reaches the server, SentData says REQUEST_CLOSE. */
    CHECK_EQ(matrixSslEncodeClosureAlert(c), MATRIXSSL_SUCCESS);
    CHECK(pump(c, &cs, s, &ss) >= 0);
    CHECK_EQ(cs.closeRequested, 1);
    CHECK_EQ(ss.lastAlert, SSL_ALERT_CLOSE_NOTIFY);
    CHECK_EQ(ss.lastAlertLevel, SSL_ALERT_LEVEL_WARNING);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);

    /* Resumption with the saved sslSessionId_t: the client completes on its send. */
    freshPair(&c, &cs, &s, &ss);
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, &sid2, 0, certCb, NULL, NULL),
        MATRIXSSL_REQUEST_SEND);
    CHECK_EQ(matrixSslNewServerSession(&s, skeys, NULL), PS_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(cs.completeSent, 1);
    CHECK_EQ(ss.completeRecv, 1);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);

    /* PKCS#12: the server's key and chain from a .p12 (import password = MAC password). */
    CHECK_EQ(matrixSslNewKeys(&p12), PS_SUCCESS);
    CHECK_EQ(matrixSslLoadPkcs12(p12, (unsigned char *)argv[4], (unsigned char *)"wrong", 5,
        NULL, 0, 0), PS_AUTH_FAIL);
    CHECK_EQ(matrixSslLoadPkcs12(p12, (unsigned char *)argv[4], (unsigned char *)"matrix", 6,
        (unsigned char *)"matrix", 6, 0), PS_SUCCESS);
    freshPair(&c, &cs, &s, &ss);
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, NULL, 0, certCb, NULL, NULL),
        MATRIXSSL_REQUEST_SEND);
    CHECK_EQ(matrixSslNewServerSession(&s, p12, NULL), PS_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);
    matrixSslDeleteKeys(p12);

    /* An anonymous connection: no CA loaded, the callback allows it. */
    CHECK_EQ(matrixSslNewKeys(&anonKeys), PS_SUCCESS);
    freshPair(&c, &cs, &s, &ss);
    CHECK_EQ(matrixSslNewClientSession(&c, anonKeys, NULL, 0, anonCb, NULL, NULL),
        MATRIXSSL_REQUEST_SEND);
    CHECK_EQ(matrixSslNewServerSession(&s, skeys, NULL), PS_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    CHECK_EQ(lastAlertIn, SSL_ALERT_UNKNOWN_CA);
    matrixSslGetAnonStatus(c, &anon);
    CHECK_EQ(anon, 1);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);

    /* An extension callback's negative answer ends the handshake. */
    freshPair(&c, &cs, &s, &ss);
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, NULL, 0, certCb, NULL, refuseExtCb),
        MATRIXSSL_REQUEST_SEND);
    CHECK_EQ(matrixSslNewServerSession(&s, skeys, NULL), PS_SUCCESS);
    CHECK(handshake(c, &cs, s, &ss) != 0);
    CHECK_EQ(ss.lastAlert, SSL_ALERT_HANDSHAKE_FAILURE);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);

    /* A certificate callback's alert ends the handshake with that alert. */
    freshPair(&c, &cs, &s, &ss);
    CHECK_EQ(matrixSslNewClientSession(&c, anonKeys, NULL, 0, certCb, NULL, NULL),
        MATRIXSSL_REQUEST_SEND);
    CHECK_EQ(matrixSslNewServerSession(&s, skeys, NULL), PS_SUCCESS);
    CHECK(handshake(c, &cs, s, &ss) != 0);
    CHECK_EQ(ss.lastAlert, SSL_ALERT_UNKNOWN_CA);
    CHECK_EQ(cs.closeRequested, 1);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);
    matrixSslDeleteKeys(anonKeys);

#ifdef USE_TLS_DHE_RSA_WITH_AES_128_CBC_SHA
    /* A DHE suite named by the client. */
    freshPair(&c, &cs, &s, &ss);
    CHECK_EQ(matrixSslNewClientSession(&c, ckeys, NULL, TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        certCb, NULL, NULL), MATRIXSSL_REQUEST_SEND);
    CHECK_EQ(matrixSslNewServerSession(&s, skeys, NULL), PS_SUCCESS);
    CHECK_EQ(handshake(c, &cs, s, &ss), 0);
    matrixSslDeleteSession(c);
    matrixSslDeleteSession(s);
#endif

#ifdef USE_TLS_PSK_WITH_AES_128_CBC_SHA
    {
        /* Pre-shared keys on both sides. */
        sslKeys_t *pc = NULL, *ps = NULL;
        unsigned char key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

        CHECK_EQ(matrixSslNewKeys(&pc), PS_SUCCESS);
        CHECK_EQ(matrixSslNewKeys(&ps), PS_SUCCESS);
        CHECK_EQ(matrixSslLoadPsk(pc, key, sizeof(key), (unsigned char *)"guide", 5), PS_SUCCESS);
        CHECK_EQ(matrixSslLoadPsk(ps, key, sizeof(key), (unsigned char *)"guide", 5), PS_SUCCESS);
        freshPair(&c, &cs, &s, &ss);
        CHECK_EQ(matrixSslNewClientSession(&c, pc, NULL, TLS_PSK_WITH_AES_128_CBC_SHA, NULL,
            NULL, NULL), MATRIXSSL_REQUEST_SEND);
        CHECK_EQ(matrixSslNewServerSession(&s, ps, NULL), PS_SUCCESS);
        CHECK_EQ(handshake(c, &cs, s, &ss), 0);
        writebufSend(c, &cs, s, &ss, "psk data");
        matrixSslDeleteSession(c);
        matrixSslDeleteSession(s);
        matrixSslDeleteKeys(pc);
        matrixSslDeleteKeys(ps);
    }
#endif

#ifdef USE_CLIENT_AUTH
    {
        /* Client authentication: a server certificate callback asks for it. */
        sslKeys_t *sk, *ck = NULL;
        const char *clientCert = argc >= 7 ? argv[5] : NULL;
        const char *clientKey = argc >= 7 ? argv[6] : NULL;

        if (clientCert != NULL && clientKey != NULL) {
            sk = serverKeys(argv[1], argv[2], argv[3]);
            CHECK_EQ(matrixSslNewKeys(&ck), PS_SUCCESS);
            CHECK_EQ(matrixSslLoadRsaKeys(ck, clientCert, clientKey, NULL, argv[3]), PS_SUCCESS);
            freshPair(&c, &cs, &s, &ss);
            certCalls = 0;
            CHECK_EQ(matrixSslNewClientSession(&c, ck, NULL, 0, certCb, NULL, NULL),
                MATRIXSSL_REQUEST_SEND);
            CHECK_EQ(matrixSslNewServerSession(&s, sk, certCb), PS_SUCCESS);
            CHECK_EQ(handshake(c, &cs, s, &ss), 0);
            CHECK_EQ(certCalls, 2); /* the server's chain, then the client's */
            matrixSslDeleteSession(c);
            matrixSslDeleteSession(s);

            /* Client authentication only later (API reference, matrixSslNewServerSession):
               the callback given, SSL_OPTION_DISABLE_CLIENT_AUTH right after, then a
               re-handshake with a certificate callback asks for the certificate. */
            freshPair(&c, &cs, &s, &ss);
            certCalls = 0;
            CHECK_EQ(matrixSslNewClientSession(&c, ck, NULL, 0, certCb, NULL, NULL),
                MATRIXSSL_REQUEST_SEND);
            CHECK_EQ(matrixSslNewServerSession(&s, sk, certCb), PS_SUCCESS);
            CHECK_EQ(matrixSslSetSessionOption(s, SSL_OPTION_DISABLE_CLIENT_AUTH, NULL),
                PS_SUCCESS);
            CHECK_EQ(handshake(c, &cs, s, &ss), 0);
            CHECK_EQ(certCalls, 1); /* only the server's chain */
            CHECK_EQ(matrixSslEncodeRehandshake(s, NULL, certCb, 0, 0), MATRIXSSL_SUCCESS);
            CHECK_EQ(handshake(c, &cs, s, &ss), 0);
            CHECK_EQ(certCalls, 3); /* the server's chain again, and now the client's */
            matrixSslDeleteSession(c);
            matrixSslDeleteSession(s);
            matrixSslDeleteKeys(sk);
            matrixSslDeleteKeys(ck);
            printf("client authentication checked\n");
        }
    }
#endif

    if (argc >= 8) {
        /* An encrypted private key: the right password loads it, a wrong one is refused. */
        sslKeys_t *ek = NULL;

        CHECK_EQ(matrixSslNewKeys(&ek), PS_SUCCESS);
        CHECK_EQ(matrixSslLoadRsaKeys(ek, argv[1], argv[7], "wrong", NULL), PS_AUTH_FAIL);
        CHECK_EQ(matrixSslLoadRsaKeys(ek, argv[1], argv[7], "matrix", NULL), PS_SUCCESS);
        freshPair(&c, &cs, &s, &ss);
        CHECK_EQ(matrixSslNewClientSession(&c, ckeys, NULL, 0, certCb, NULL, NULL),
            MATRIXSSL_REQUEST_SEND);
        CHECK_EQ(matrixSslNewServerSession(&s, ek, NULL), PS_SUCCESS);
        CHECK_EQ(handshake(c, &cs, s, &ss), 0);
        matrixSslDeleteSession(c);
        matrixSslDeleteSession(s);
        matrixSslDeleteKeys(ek);
        printf("encrypted key checked\n");
    }

    /* Clean-up. */
    matrixSslDeleteSessionId(&sid);
    matrixSslDeleteSessionId(&sid2);
    CHECK_EQ(sid2.idLen, 0);
    matrixSslDeleteKeys(skeys);
    matrixSslDeleteKeys(ckeys);
    matrixSslClose();
    if (failures == 0) {
        printf("guide: all sequences passed\n");
        return 0;
    }
    printf("guide: %d checks failed\n", failures);
    return 1;
}
