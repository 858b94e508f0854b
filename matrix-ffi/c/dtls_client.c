/*
 * dtls_client.c: a DTLS 1.0 client written against the MatrixSSL 3.2 API reference and its
 * Appendix A (MatrixDTLS): one datagram per matrixDtlsGetOutdata, matrixDtlsSentData after
 * each, a receive timeout after which matrixDtlsGetOutdata rebuilds the last flight, a
 * saved sslSessionId_t for resumption, a closure alert at the end.
 *
 *   dtls_client HOST PORT CAFILE [-n CONNECTIONS] [-m MESSAGE] [-e] [-p PMTU]
 *
 * -e: wait for the server to echo MESSAGE back before closing (a matrix dtls_server);
 * otherwise send it and close. One line per connection:
 *   RESULT conn=N resumed=0|1 received=BYTES retransmissions=N ok=0|1
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "matrixsslApi.h"

static int32 certCb(ssl_t *ssl, psX509Cert_t *cert, int32 alert)
{
    psX509Cert_t *c;

    (void)ssl;
    for (c = cert; c != NULL; c = c->next) {
        if (c->authStatus != PS_CERT_AUTH_PASS) {
            return SSL_ALERT_BAD_CERTIFICATE;
        }
    }
    return alert;
}

/* Sends every pending datagram. Returns the last matrixDtlsSentData code or < 0. */
static int32 flush(ssl_t *ssl, int fd, int *resumed)
{
    unsigned char *buf;
    int32 len, rc = MATRIXSSL_SUCCESS;

    while ((len = matrixDtlsGetOutdata(ssl, &buf)) > 0) {
        if (send(fd, buf, (size_t)len, 0) != (ssize_t)len) {
            return PS_PLATFORM_FAIL;
        }
        rc = matrixDtlsSentData(ssl, (uint32)len);
        if (rc < 0 || rc == MATRIXSSL_REQUEST_CLOSE) {
            return rc;
        }
        if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
            *resumed = 1;
        }
    }
    return len < 0 ? len : rc;
}

static int oneConnection(int fd, sslKeys_t *keys, sslSessionId_t *sid, const char *msg,
    int echo, int conn)
{
    ssl_t *ssl = NULL;
    unsigned char *buf, *pt;
    uint32 ptLen;
    int32 rc, len;
    ssize_t n;
    int resumed = 0, sent = 0, ok = 0, done = 0, timeouts = 0, retransmissions = 0;
    unsigned long got = 0;

    rc = matrixDtlsNewClientSession(&ssl, keys, sid, 0, certCb, NULL, NULL);
    if (rc != MATRIXSSL_REQUEST_SEND) {
        fprintf(stderr, "matrixDtlsNewClientSession: %d\n", (int)rc);
        return -1;
    }
    while (!done) {
        rc = flush(ssl, fd, &resumed);
        if (rc < 0 || rc == MATRIXSSL_REQUEST_CLOSE) {
            break;
        }
        if (resumed && !sent) {
            sent = 1;
            if (matrixSslEncodeToOutdata(ssl, (unsigned char *)msg, (uint32)strlen(msg)) < 0) {
                break;
            }
            if (!echo) {
                ok = 1;
                matrixSslEncodeClosureAlert(ssl);
            }
            continue;
        }
        len = matrixSslGetReadbuf(ssl, &buf);
        if (len <= 0) {
            break;
        }
        n = recv(fd, buf, (size_t)len, 0);
        if (n < 0 && errno == ECONNREFUSED) {
            /* Nobody listened yet (a server still busy with its previous client): wait as
               for a timeout. */
            usleep(100000);
            errno = EAGAIN;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* Timeout: the next matrixDtlsGetOutdata returns the last flight again. */
            if (++timeouts > 10) {
                fprintf(stderr, "no answer\n");
                break;
            }
            retransmissions++;
            continue;
        }
        if (n <= 0) {
            break;
        }
        timeouts = 0;
        rc = matrixSslReceivedData(ssl, (uint32)n, &pt, &ptLen);
        while (rc > 0) {
            if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
                sent = 1;
                if (matrixSslEncodeToOutdata(ssl, (unsigned char *)msg, (uint32)strlen(msg)) < 0) {
                    done = 1;
                } else if (!echo) {
                    ok = 1;
                    matrixSslEncodeClosureAlert(ssl);
                }
                break;
            } else if (rc == MATRIXSSL_APP_DATA) {
                got += ptLen;
                if (echo && ptLen >= strlen(msg) &&
                        memcmp(pt + ptLen - strlen(msg), msg, strlen(msg)) == 0) {
                    ok = 1;
                    matrixSslEncodeClosureAlert(ssl);
                }
                rc = matrixSslProcessedData(ssl, &pt, &ptLen);
            } else if (rc == MATRIXSSL_RECEIVED_ALERT) {
                if (pt[1] == SSL_ALERT_CLOSE_NOTIFY || pt[0] == SSL_ALERT_LEVEL_FATAL) {
                    done = 1;
                }
                rc = matrixSslProcessedData(ssl, &pt, &ptLen);
            } else {
                break;
            }
        }
        if (rc < 0) {
            fprintf(stderr, "matrixSslReceivedData: %d\n", (int)rc);
            break;
        }
    }
    printf("RESULT conn=%d resumed=%d received=%lu retransmissions=%d ok=%d\n", conn, resumed,
        got, retransmissions, ok);
    fflush(stdout);
    matrixSslDeleteSession(ssl);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    sslKeys_t *keys = NULL;
    sslSessionId_t sid;
    struct sockaddr_in a;
    struct timeval tv;
    int i, fd, conns = 1, echo = 0, failures = 0;
    const char *msg = "hello over DTLS";

    if (argc < 4) {
        fprintf(stderr, "usage: dtls_client HOST PORT CAFILE [-n N] [-m MSG] [-e] [-p PMTU]\n");
        return 2;
    }
    if (matrixSslOpen() != PS_SUCCESS) {
        return 1;
    }
    for (i = 4; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            conns = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
            msg = argv[++i];
        } else if (strcmp(argv[i], "-e") == 0) {
            echo = 1;
        } else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            printf("pmtu %d\n", (int)matrixDtlsSetPmtu(atoi(argv[++i])));
        } else {
            fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (matrixSslNewKeys(&keys) != PS_SUCCESS ||
            matrixSslLoadRsaKeys(keys, NULL, NULL, NULL, argv[3]) != PS_SUCCESS) {
        fprintf(stderr, "cannot load the CA file\n");
        return 1;
    }
    matrixSslInitSessionId(&sid);
    for (i = 1; i <= conns; i++) {
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons((unsigned short)atoi(argv[2]));
        tv.tv_sec = 0;
        tv.tv_usec = 500000;
        if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 ||
                connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
            fprintf(stderr, "socket setup failed\n");
            return 1;
        }
        if (oneConnection(fd, keys, &sid, msg, echo, i) != 0) {
            failures++;
        }
        close(fd);
    }
    matrixSslDeleteSessionId(&sid);
    matrixSslDeleteKeys(keys);
    matrixSslClose();
    return failures == 0 ? 0 : 1;
}
