/*
 * server.c: a TLS server in the style of MatrixSSL's sample server, written against the
 * MatrixSSL 3.2 API reference only (matrixsslApi.h): one connection at a time, the
 * buffer-API loop over the socket, application data echoed back, closure alerts.
 *
 *   server PORT CERTFILE KEYFILE CONNECTIONS [-v CAFILE] [-d CIPHER_ID] [-e ECCERT ECKEY]
 *          [-t] [-T] [-r N] [-x N]
 *
 * Serves CONNECTIONS connections, then exits. Each received record is answered with
 * "echo: " + the record (matrixSslEncodeToOutdata straight from the plaintext pointer);
 * a closure alert is answered with one. -v: request a client certificate (client
 * authentication, a certificate callback checking authStatus). -d: disable a cipher suite
 * globally first. -e: also an EC identity (matrixSslLoadEcKeys on the same keys: the
 * server holds both). Session tickets (MatrixSSL 3.4+): -t loads ticket key A at the
 * start; -T registers a ticket callback that gives key A for a ticket naming it; -r N
 * loads key B (the newest, which then issues) after connection N; -x N deletes key A
 * after connection N. One line per connection:
 *   RESULT conn=N handshake=full|resumed|none received=BYTES closed=alert|eof
 * Exit status 0 when every connection completed a handshake.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "matrixsslApi.h"

static int clientCerts;

#if defined(USE_STATELESS_SESSION_TICKETS)
static unsigned char ticketName[2][16], ticketSym[2][32], ticketHash[2][32];
static int ticketCbCalls;

/* Fixed ticket keys, so that a second process accepts the first one's tickets. */
static void ticketKeys(void)
{
    int i;

    for (i = 0; i < 2; i++) {
        memset(ticketName[i], 'A' + i, 16);
        memset(ticketSym[i], 0x5A + i, 32);
        memset(ticketHash[i], 0xA5 - i, 32);
    }
}

static int32 loadTicketKey(sslKeys_t *keys, int i)
{
    return matrixSslLoadSessionTicketKeys(keys, ticketName[i], ticketSym[i], 32,
        ticketHash[i], 32);
}

/* The ticket callback: key A for a ticket naming it. */
static int32 ticketCb(void *keys, unsigned char name[16], short found)
{
    ticketCbCalls++;
    printf("ticket callback found=%d\n", (int)found);
    if (memcmp(name, ticketName[0], 16) != 0) {
        return -1;
    }
    return loadTicketKey(keys, 0);
}
#endif

static int32 clientCertCb(ssl_t *ssl, psX509Cert_t *cert, int32 alert)
{
    psX509Cert_t *c;

    (void)ssl;
    for (c = cert; c != NULL; c = c->next) {
        printf("client cert: CN=%s authStatus=%d\n",
            c->subject.commonName ? c->subject.commonName : "-", (int)c->authStatus);
        if (c->authStatus != PS_CERT_AUTH_PASS) {
            return SSL_ALERT_BAD_CERTIFICATE;
        }
    }
    if (alert == 0) {
        clientCerts++;
    }
    return alert;
}

static int32 flush(ssl_t *ssl, int fd, const char **handshake)
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
        if (rc < 0 || rc == MATRIXSSL_REQUEST_CLOSE) {
            return rc;
        }
        if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
            /* Our Finished ended the handshake: a full one. */
            *handshake = "full";
        }
    }
    return len < 0 ? len : rc;
}

static int serve(int fd, sslKeys_t *keys, int clientAuth, int conn)
{
    ssl_t *ssl = NULL;
    sslSessionId_t sid;
    unsigned char *buf, *pt;
    uint32 ptLen;
    int32 rc, len;
    ssize_t n;
    unsigned long got = 0;
    int done = 0, closedByAlert = 0;
    const char *handshake = "none";

    matrixSslInitSessionId(&sid);
    rc = matrixSslNewServerSession(&ssl, keys, clientAuth ? clientCertCb : NULL);
    if (rc != PS_SUCCESS) {
        fprintf(stderr, "matrixSslNewServerSession: %d\n", (int)rc);
        return -1;
    }
    while (!done) {
        len = matrixSslGetReadbuf(ssl, &buf);
        if (len <= 0) {
            fprintf(stderr, "matrixSslGetReadbuf: %d\n", (int)len);
            break;
        }
        n = recv(fd, buf, (size_t)len, 0);
        if (n <= 0) {
            break;
        }
        rc = matrixSslReceivedData(ssl, (uint32)n, &pt, &ptLen);
        while (rc > 0) {
            if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
                /* The client's Finished ended the handshake: a resumed one. */
                handshake = "resumed";
                break;
            } else if (rc == MATRIXSSL_APP_DATA) {
                /* Data may come with the client's Finished (API reference): a handshake
                   that completed without HANDSHAKE_COMPLETE was a resumed one. */
                if (strcmp(handshake, "none") == 0) {
                    handshake = "resumed";
                }
                got += ptLen;
                if (matrixSslEncodeToOutdata(ssl, (unsigned char *)"echo: ", 6) < 0 ||
                        matrixSslEncodeToOutdata(ssl, pt, ptLen) < 0) {
                    fprintf(stderr, "matrixSslEncodeToOutdata failed\n");
                    done = 1;
                }
                rc = matrixSslProcessedData(ssl, &pt, &ptLen);
            } else if (rc == MATRIXSSL_RECEIVED_ALERT) {
                /* Likewise an alert after the client's Finished: a session id means the
                   handshake completed. */
                if (strcmp(handshake, "none") == 0 && matrixSslGetSessionId(ssl, &sid) == PS_SUCCESS) {
                    handshake = "resumed";
                }
                if (pt[1] == SSL_ALERT_CLOSE_NOTIFY) {
                    closedByAlert = 1;
                    matrixSslEncodeClosureAlert(ssl);
                    done = 1;
                } else if (pt[0] == SSL_ALERT_LEVEL_FATAL) {
                    fprintf(stderr, "fatal alert %d\n", (int)pt[1]);
                    done = 1;
                }
                rc = matrixSslProcessedData(ssl, &pt, &ptLen);
            } else {
                break; /* MATRIXSSL_REQUEST_SEND or MATRIXSSL_REQUEST_RECV */
            }
        }
        if (rc < 0 && !done) {
            fprintf(stderr, "matrixSslReceivedData: %d\n", (int)rc);
        }
        rc = flush(ssl, fd, &handshake);
        if (rc < 0 || rc == MATRIXSSL_REQUEST_CLOSE) {
            break;
        }
    }
    matrixSslDeleteSessionId(&sid);
    printf("RESULT conn=%d handshake=%s received=%lu closed=%s\n", conn, handshake, got,
        closedByAlert ? "alert" : "eof");
    fflush(stdout);
    matrixSslDeleteSession(ssl);
    return strcmp(handshake, "none") == 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    sslKeys_t *keys = NULL;
    struct sockaddr_in a;
    int one = 1, lfd, fd, i, conns, failures = 0;
    const char *ca = NULL, *ecCert = NULL, *ecKey = NULL;
    int disable = -1, tickets = 0, ticketCallback = 0, rotateAfter = 0, deleteAfter = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: server PORT CERT KEY CONNECTIONS [-v CAFILE] [-d CIPHER]\n");
        return 2;
    }
    conns = atoi(argv[4]);
    for (i = 5; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0 && i + 1 < argc) {
            ca = argv[++i];
        } else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
            disable = (int)strtol(argv[++i], NULL, 0);
        } else if (strcmp(argv[i], "-e") == 0 && i + 2 < argc) {
            ecCert = argv[++i];
            ecKey = argv[++i];
        } else if (strcmp(argv[i], "-t") == 0) {
            tickets = 1;
        } else if (strcmp(argv[i], "-T") == 0) {
            ticketCallback = 1;
        } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            rotateAfter = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-x") == 0 && i + 1 < argc) {
            deleteAfter = atoi(argv[++i]);
        } else {
            fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (matrixSslOpen() != PS_SUCCESS) {
        return 1;
    }
    if (matrixSslNewKeys(&keys) != PS_SUCCESS ||
            matrixSslLoadRsaKeys(keys, argv[2], argv[3], NULL, ca) != PS_SUCCESS) {
        fprintf(stderr, "cannot load the certificate and key\n");
        matrixSslDeleteKeys(keys);
        matrixSslClose();
        return 1;
    }
    if (ecCert != NULL && matrixSslLoadEcKeys(keys, ecCert, ecKey, NULL, NULL) != PS_SUCCESS) {
        fprintf(stderr, "cannot load the EC certificate and key\n");
        matrixSslDeleteKeys(keys);
        matrixSslClose();
        return 1;
    }
#if defined(USE_STATELESS_SESSION_TICKETS)
    ticketKeys();
    if (tickets && loadTicketKey(keys, 0) != PS_SUCCESS) {
        fprintf(stderr, "cannot load ticket key A\n");
        return 1;
    }
    if (ticketCallback) {
        matrixSslSetSessionTicketCallback(keys, ticketCb);
    }
#else
    if (tickets || ticketCallback || rotateAfter || deleteAfter) {
        fprintf(stderr, "this build has no session tickets\n");
        return 2;
    }
#endif
    if (disable >= 0 &&
            matrixSslSetCipherSuiteEnabledStatus(NULL, (uint16)disable, PS_FALSE) !=
            MATRIXSSL_SUCCESS) {
        fprintf(stderr, "cannot disable suite %d\n", disable);
    }
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 8) != 0) {
        perror("bind/listen");
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    for (i = 1; i <= conns; i++) {
        fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            failures++;
            continue;
        }
        if (serve(fd, keys, ca != NULL, i) != 0) {
            failures++;
        }
        close(fd);
#if defined(USE_STATELESS_SESSION_TICKETS)
        if (i == rotateAfter && loadTicketKey(keys, 1) != PS_SUCCESS) {
            failures++;
        }
        if (i == deleteAfter && matrixSslDeleteSessionTicketKey(keys, ticketName[0]) !=
                PS_SUCCESS) {
            failures++;
        }
#endif
    }
    close(lfd);
    printf("client certificates accepted=%d\n", clientCerts);
#if defined(USE_STATELESS_SESSION_TICKETS)
    printf("ticket callbacks=%d\n", ticketCbCalls);
#endif
    matrixSslDeleteKeys(keys);
    matrixSslClose();
    return failures == 0 ? 0 : 1;
}
