/*
 * client.c: a TLS client in the style of MatrixSSL's sample client, written against the
 * MatrixSSL 3.2 API reference only (matrixsslApi.h): the buffer-API loop over a socket, a
 * certificate callback that checks authStatus, resumption with a saved sslSessionId_t,
 * closure alerts.
 *
 *   client HOST PORT CAFILE [-n CONNECTIONS] [-c CIPHER_ID] [-w] [-m MESSAGE] [-E] [-T]
 *          [-g ECFLAGS]
 *
 * Makes CONNECTIONS connections one after the other with the same sslSessionId_t (the
 * second and later ones are expected to resume). -w: talk to an HTTP server (send a GET,
 * read the reply until the server closes); otherwise send MESSAGE and wait until the reply
 * contains it (an echo server), then close with a closure alert. -E: CAFILE is an EC CA
 * (matrixSslLoadEcKeys). MatrixSSL 3.x's session options (matrixSslNewClientSessionWithOpts):
 * -T asks for RFC 5077 tickets (ticketResumption), -g sets ecFlags. One line per connection:
 *   RESULT conn=N resumed=0|1 cn=... received=... closed=alert|eof ok=0|1 [ticket=BYTES]
 * Exit status 0 when every connection succeeded.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "matrixsslApi.h"

static char peerCn[128];
static int certCalls;

/* The certificate callback: accept only a chain that authenticated, each certificate's
   authStatus PS_CERT_AUTH_PASS, and a leaf with a subject common name. */
static int32 certCb(ssl_t *ssl, psX509Cert_t *cert, int32 alert)
{
    psX509Cert_t *c;
    x509SubjectAltName_t *san;
    int depth = 0;

    (void)ssl;
    certCalls++;
    if (cert == NULL) {
        return SSL_ALERT_BAD_CERTIFICATE;
    }
    for (c = cert; c != NULL; c = c->next, depth++) {
        printf("cert %d: subject CN=%s issuer CN=%s notBefore=%s notAfter=%s serial=%d bytes authStatus=%d\n",
            depth,
            c->subject.commonName ? c->subject.commonName : "-",
            c->issuer.commonName ? c->issuer.commonName : "-",
            c->notBefore ? c->notBefore : "-", c->notAfter ? c->notAfter : "-",
            (int)c->serialNumberLen, (int)c->authStatus);
        for (san = c->extensions.san; san != NULL; san = san->next) {
            printf("  san %s: %.*s\n", (char *)san->name, (int)san->dataLen,
                (char *)san->data);
        }
        if (c->authStatus != PS_CERT_AUTH_PASS) {
            fprintf(stderr, "certificate %d did not authenticate (%d)\n", depth,
                (int)c->authStatus);
            return alert ? alert : SSL_ALERT_BAD_CERTIFICATE;
        }
    }
    if (alert != 0) {
        fprintf(stderr, "chain alert %d\n", (int)alert);
        return alert;
    }
    if (cert->subject.commonName == NULL || cert->subject.commonNameLen < 3) {
        return SSL_ALERT_BAD_CERTIFICATE;
    }
    snprintf(peerCn, sizeof(peerCn), "%s", cert->subject.commonName);
    return 0;
}

static int extCalls;

static int32 extCb(ssl_t *ssl, unsigned short type, unsigned short len, void *data)
{
    (void)ssl;
    (void)data;
    extCalls++;
    printf("server hello extension %u (%u bytes)\n", (unsigned)type, (unsigned)len);
    return 0;
}

static int connectTo(const char *host, int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0) {
        return -1;
    }
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
            connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends everything matrixSslGetOutdata holds. Returns the last matrixSslSentData code
   (MATRIXSSL_SUCCESS when nothing was pending) or < 0. */
static int32 flush(ssl_t *ssl, int fd, int *resumed)
{
    unsigned char *buf;
    int32 len, rc = MATRIXSSL_SUCCESS;
    ssize_t n;

    while ((len = matrixSslGetOutdata(ssl, &buf)) > 0) {
        n = send(fd, buf, (size_t)len, MSG_NOSIGNAL);
        if (n <= 0) {
            return PS_PLATFORM_FAIL;
        }
        rc = matrixSslSentData(ssl, (uint32)n);
        if (rc < 0) {
            return rc;
        }
        if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
            /* Our Finished was the handshake's last message: a resumed handshake. */
            *resumed = 1;
        }
        if (rc == MATRIXSSL_REQUEST_CLOSE) {
            return rc;
        }
    }
    return len < 0 ? len : rc;
}

/* Encodes the request with GetWritebuf/EncodeWritebuf. */
static int32 sendRequest(ssl_t *ssl, const char *msg)
{
    unsigned char *buf;
    uint32 len = (uint32)strlen(msg);
    int32 avail = matrixSslGetWritebuf(ssl, &buf, len);

    if (avail < (int32)len) {
        return avail < 0 ? avail : PS_LIMIT_FAIL;
    }
    memcpy(buf, msg, len);
    return matrixSslEncodeWritebuf(ssl, len);
}

static sslSessOpts_t options;
static int withOptions;

static int oneConnection(const char *host, int port, sslKeys_t *keys, sslSessionId_t *sid,
    uint32 cipher, int www, const char *msg, int conn)
{
    ssl_t *ssl = NULL;
    unsigned char *buf, *pt;
    uint32 ptLen;
    int32 rc, len;
    ssize_t n;
    int fd, resumed = 0, requested = 0, ok = 0, closedByAlert = 0, done = 0;
    size_t got = 0;
    char reply[8192];

    fd = connectTo(host, port);
    if (fd < 0) {
        fprintf(stderr, "connect failed\n");
        return -1;
    }
    peerCn[0] = '\0';
    if (withOptions) {
        rc = matrixSslNewClientSessionWithOpts(&ssl, keys, sid, cipher, certCb, NULL, extCb,
            &options);
    } else {
        rc = matrixSslNewClientSession(&ssl, keys, sid, cipher, certCb, NULL, extCb);
    }
    if (rc != MATRIXSSL_REQUEST_SEND) {
        fprintf(stderr, "matrixSslNewClientSession: %d\n", (int)rc);
        close(fd);
        return -1;
    }
    while (!done) {
        rc = flush(ssl, fd, &resumed);
        if (rc < 0) {
            fprintf(stderr, "send: %d\n", (int)rc);
            break;
        }
        if (rc == MATRIXSSL_REQUEST_CLOSE) {
            break;
        }
        if (resumed && !requested) {
            /* A resumed handshake completes on our side when our Finished is sent. */
            requested = 1;
            if ((rc = sendRequest(ssl, msg)) < 0) {
                break;
            }
            continue;
        }
        len = matrixSslGetReadbuf(ssl, &buf);
        if (len <= 0) {
            fprintf(stderr, "matrixSslGetReadbuf: %d\n", (int)len);
            break;
        }
        n = recv(fd, buf, (size_t)len, 0);
        if (n <= 0) {
            /* The peer closed the connection. */
            ok = got > 0 && www;
            break;
        }
        rc = matrixSslReceivedData(ssl, (uint32)n, &pt, &ptLen);
        while (rc > 0) {
            if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
                requested = 1;
                rc = sendRequest(ssl, msg);
                break;
            } else if (rc == MATRIXSSL_APP_DATA) {
                if (got + ptLen < sizeof(reply)) {
                    memcpy(reply + got, pt, ptLen);
                    got += ptLen;
                    reply[got] = '\0';
                }
                if (!www && strstr(reply, msg) != NULL) {
                    ok = 1;
                    matrixSslEncodeClosureAlert(ssl);
                }
                rc = matrixSslProcessedData(ssl, &pt, &ptLen);
            } else if (rc == MATRIXSSL_RECEIVED_ALERT) {
                if (ptLen == 2 && pt[1] == SSL_ALERT_CLOSE_NOTIFY) {
                    closedByAlert = 1;
                    ok = ok || (www && got > 0);
                    /* Best effort: answer with our own closure alert. */
                    matrixSslEncodeClosureAlert(ssl);
                    flush(ssl, fd, &resumed);
                    done = 1;
                } else if (ptLen == 2 && pt[0] == SSL_ALERT_LEVEL_FATAL) {
                    fprintf(stderr, "fatal alert %d\n", (int)pt[1]);
                    done = 1;
                }
                rc = matrixSslProcessedData(ssl, &pt, &ptLen);
                if (done) {
                    break;
                }
            } else {
                /* MATRIXSSL_REQUEST_SEND / MATRIXSSL_REQUEST_RECV: the loop sends, then
                   reads. */
                break;
            }
        }
        if (rc < 0) {
            fprintf(stderr, "matrixSslReceivedData/ProcessedData: %d\n", (int)rc);
            break;
        }
    }
    printf("RESULT conn=%d resumed=%d cn=%s received=%lu closed=%s ok=%d", conn, resumed,
        peerCn[0] ? peerCn : "-", (unsigned long)got, closedByAlert ? "alert" : "eof", ok);
#ifdef USE_STATELESS_SESSION_TICKETS
    printf(" ticket=%u", (unsigned)sid->sessionTicketLen);
#endif
    printf("\n");
    matrixSslDeleteSession(ssl);
    close(fd);
    return ok ? 0 : -1;
}

/* The trusted CA: from its file with matrixSslLoadRsaKeys when the library has a file
   system, else read here and given to matrixSslLoadRsaKeysMem (PEM or DER). */
static int32 loadCa(sslKeys_t *keys, const char *file, int ec)
{
#ifdef PS_USE_FILE_SYSTEM
    if (ec) {
        return matrixSslLoadEcKeys(keys, NULL, NULL, NULL, file);
    }
    return matrixSslLoadRsaKeys(keys, NULL, NULL, NULL, file);
#else
    static unsigned char der[16384];
    size_t n;
    FILE *f = fopen(file, "rb");

    if (f == NULL) {
        return PS_PLATFORM_FAIL;
    }
    n = fread(der, 1, sizeof(der), f);
    fclose(f);
    if (ec) {
        return matrixSslLoadEcKeysMem(keys, NULL, 0, NULL, 0, der, (int32)n);
    }
    return matrixSslLoadRsaKeysMem(keys, NULL, 0, NULL, 0, der, (int32)n);
#endif
}

int main(int argc, char **argv)
{
    sslKeys_t *keys = NULL;
    sslSessionId_t sid;
    uint32 cipher = 0;
    int i, conns = 1, www = 0, failures = 0, ecCa = 0;
    const char *msg = "hello from a C client";
    char request[256];

    if (argc < 4) {
        fprintf(stderr, "usage: client HOST PORT CAFILE [-n N] [-c CIPHER] [-w] [-m MSG]\n");
        return 2;
    }
    for (i = 4; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            conns = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            cipher = (uint32)strtoul(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "-w") == 0) {
            www = 1;
        } else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
            msg = argv[++i];
        } else if (strcmp(argv[i], "-E") == 0) {
            ecCa = 1;
        } else if (strcmp(argv[i], "-T") == 0) {
            withOptions = 1;
            options.ticketResumption = 1;
        } else if (strcmp(argv[i], "-g") == 0 && i + 1 < argc) {
            withOptions = 1;
            options.ecFlags = (int32)strtol(argv[++i], NULL, 0);
        } else {
            fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (www) {
        snprintf(request, sizeof(request), "GET / HTTP/1.0\r\n\r\n");
        msg = request;
    }
    if (matrixSslOpen() != PS_SUCCESS) {
        return 1;
    }
    if (matrixSslNewKeys(&keys) != PS_SUCCESS || loadCa(keys, argv[3], ecCa) != PS_SUCCESS) {
        fprintf(stderr, "cannot load the CA file\n");
        matrixSslDeleteKeys(keys);
        matrixSslClose();
        return 1;
    }
    matrixSslInitSessionId(&sid);
    for (i = 1; i <= conns; i++) {
        if (oneConnection(argv[1], atoi(argv[2]), keys, &sid, cipher, www, msg, i) != 0) {
            failures++;
        }
    }
    printf("certificate callbacks=%d extension callbacks=%d\n", certCalls, extCalls);
    matrixSslDeleteSessionId(&sid);
    matrixSslDeleteKeys(keys);
    matrixSslClose();
    return failures == 0 ? 0 : 1;
}
