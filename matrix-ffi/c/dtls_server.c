/*
 * dtls_server.c: a DTLS 1.0 server written against the MatrixSSL 3.2 API reference and
 * its Appendix A (MatrixDTLS), serving one client at a time over UDP: the first datagram's
 * source address names the client (matrixDtlsNewServerSession binds the cookie to it),
 * application data is echoed back, a receive timeout makes matrixDtlsGetOutdata rebuild
 * the last flight, a closure alert ends the session.
 *
 *   dtls_server PORT CERTFILE KEYFILE SESSIONS
 *
 * One line per session: RESULT conn=N handshake=full|resumed|none received=BYTES
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

static int32 flush(ssl_t *ssl, int fd, const char **handshake)
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
            *handshake = "full";
        }
    }
    return len < 0 ? len : rc;
}

static int serve(int fd, sslKeys_t *keys, int conn)
{
    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    unsigned char probe[1];
    unsigned char *buf, *pt;
    uint32 ptLen;
    ssl_t *ssl = NULL;
    int32 rc, len;
    ssize_t n;
    int done = 0, timeouts = 0;
    unsigned long got = 0;
    const char *handshake = "none";
    struct timeval tv;

    /* Wait (without a timeout) for a datagram and learn who sent it. */
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (;;) {
        plen = sizeof(peer);
        if (recvfrom(fd, probe, sizeof(probe), MSG_PEEK, (struct sockaddr *)&peer, &plen) >= 0) {
            break;
        }
        /* An ICMP error left by the previous client (its socket closed before our closure
           alert arrived) is reported here once: not ours to stop for. */
        if (errno != ECONNREFUSED && errno != EINTR) {
            return -1;
        }
    }
    if (connect(fd, (struct sockaddr *)&peer, plen) != 0) {
        return -1;
    }
    tv.tv_usec = 500000;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    rc = matrixDtlsNewServerSession(&ssl, keys, NULL, (const unsigned char *)&peer,
        (uint32)plen);
    if (rc != PS_SUCCESS) {
        fprintf(stderr, "matrixDtlsNewServerSession: %d\n", (int)rc);
        return -1;
    }
    while (!done) {
        len = matrixSslGetReadbuf(ssl, &buf);
        if (len <= 0) {
            break;
        }
        n = recv(fd, buf, (size_t)len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)) {
            if (++timeouts > 20) {
                break;
            }
            /* Resend our last flight if the handshake is still running. */
            if (flush(ssl, fd, &handshake) < 0) {
                break;
            }
            continue;
        }
        if (n <= 0) {
            break;
        }
        timeouts = 0;
        rc = matrixSslReceivedData(ssl, (uint32)n, &pt, &ptLen);
        while (rc > 0) {
            if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
                handshake = "resumed";
                break;
            } else if (rc == MATRIXSSL_APP_DATA) {
                if (strcmp(handshake, "none") == 0) {
                    handshake = "resumed"; /* data with the client's Finished */
                }
                got += ptLen;
                if (matrixSslEncodeToOutdata(ssl, pt, ptLen) < 0) {
                    done = 1;
                }
                rc = matrixSslProcessedData(ssl, &pt, &ptLen);
            } else if (rc == MATRIXSSL_RECEIVED_ALERT) {
                if (pt[1] == SSL_ALERT_CLOSE_NOTIFY) {
                    matrixSslEncodeClosureAlert(ssl);
                    done = 1;
                } else if (pt[0] == SSL_ALERT_LEVEL_FATAL) {
                    done = 1;
                }
                rc = matrixSslProcessedData(ssl, &pt, &ptLen);
            } else {
                break;
            }
        }
        rc = flush(ssl, fd, &handshake);
        if (rc < 0 || rc == MATRIXSSL_REQUEST_CLOSE) {
            break;
        }
    }
    printf("RESULT conn=%d handshake=%s received=%lu\n", conn, handshake, got);
    fflush(stdout);
    matrixSslDeleteSession(ssl);
    /* Forget the peer: the next session's client may be another one. */
    memset(&peer, 0, sizeof(peer));
    peer.sin_family = AF_UNSPEC;
    connect(fd, (struct sockaddr *)&peer, sizeof(peer));
    return strcmp(handshake, "none") == 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    sslKeys_t *keys = NULL;
    struct sockaddr_in a;
    int fd, i, sessions, failures = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: dtls_server PORT CERT KEY SESSIONS\n");
        return 2;
    }
    sessions = atoi(argv[4]);
    if (matrixSslOpen() != PS_SUCCESS) {
        return 1;
    }
    if (matrixSslNewKeys(&keys) != PS_SUCCESS ||
            matrixSslLoadRsaKeys(keys, argv[2], argv[3], NULL, NULL) != PS_SUCCESS) {
        fprintf(stderr, "cannot load the certificate and key\n");
        return 1;
    }
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("bind");
        return 1;
    }
    printf("listening pmtu=%d\n", (int)matrixDtlsGetPmtu());
    fflush(stdout);
    for (i = 1; i <= sessions; i++) {
        if (serve(fd, keys, i) != 0) {
            failures++;
        }
    }
    close(fd);
    matrixSslDeleteKeys(keys);
    matrixSslClose();
    return failures == 0 ? 0 : 1;
}
