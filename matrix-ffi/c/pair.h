/*
 * pair.h: an in-memory client/server pair driven through the buffer API only (written
 * against the MatrixSSL 3.2 API reference): what one side encodes is copied into the
 * other's matrixSslGetReadbuf buffer and announced with matrixSslReceivedData. Used by
 * guide.c and misuse.c, which need no network.
 */
#ifndef PAIR_H
#define PAIR_H

#include <stdio.h>
#include <string.h>

#include "matrixsslApi.h"

typedef struct {
    int completeRecv;           /* HANDSHAKE_COMPLETE from ReceivedData (full: client) */
    int completeSent;           /* HANDSHAKE_COMPLETE from SentData (full: server) */
    int records;                /* application data records received */
    unsigned char data[65536];  /* their bytes */
    unsigned long dataLen;
    int alerts;
    int lastAlertLevel, lastAlert;
    int closeRequested;         /* SentData said MATRIXSSL_REQUEST_CLOSE */
} side_t;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    failures++; } } while (0)
#define CHECK_EQ(got, want) do { long g_ = (long)(got), w_ = (long)(want); \
    if (g_ != w_) { fprintf(stderr, "%s:%d: %s = %ld, expected %ld\n", \
    __FILE__, __LINE__, #got, g_, w_); failures++; } } while (0)

static int failures;

/* Handles what ReceivedData (or ProcessedData) returned, through every buffered record. */
static int32 handle(ssl_t *ssl, side_t *s, int32 rc, unsigned char *pt, uint32 ptLen)
{
    for (;;) {
        if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
            s->completeRecv++;
            return rc;
        } else if (rc == MATRIXSSL_APP_DATA) {
            s->records++;
            if (s->dataLen + ptLen <= sizeof(s->data)) {
                memcpy(s->data + s->dataLen, pt, ptLen);
                s->dataLen += ptLen;
            }
        } else if (rc == MATRIXSSL_RECEIVED_ALERT) {
            s->alerts++;
            if (ptLen == 2) {
                s->lastAlertLevel = pt[0];
                s->lastAlert = pt[1];
            }
        } else {
            return rc; /* REQUEST_SEND, REQUEST_RECV, SUCCESS or a failure */
        }
        rc = matrixSslProcessedData(ssl, &pt, &ptLen);
    }
}

/* Moves everything `from` has encoded to `to`, in pieces of at most `chunk` bytes.
   Returns the last code or < 0. */
static int32 pumpChunked(ssl_t *from, side_t *fs, ssl_t *to, side_t *ts, int32 chunk)
{
    unsigned char *out, *in, *pt;
    uint32 ptLen;
    int32 olen, ilen, off, n, rc = 0;

    while ((olen = matrixSslGetOutdata(from, &out)) > 0) {
        for (off = 0; off < olen; off += n) {
            ilen = matrixSslGetReadbuf(to, &in);
            if (ilen <= 0) {
                return ilen < 0 ? ilen : PS_FAILURE;
            }
            n = olen - off;
            if (n > ilen) {
                n = ilen;
            }
            if (n > chunk) {
                n = chunk;
            }
            memcpy(in, out + off, (size_t)n);
            /* (Two statements: the arguments of one call are evaluated in any order.) */
            rc = matrixSslReceivedData(to, (uint32)n, &pt, &ptLen);
            rc = handle(to, ts, rc, pt, ptLen);
            if (rc < 0) {
                return rc;
            }
        }
        rc = matrixSslSentData(from, (uint32)olen);
        if (rc == MATRIXSSL_HANDSHAKE_COMPLETE) {
            fs->completeSent++;
        } else if (rc == MATRIXSSL_REQUEST_CLOSE) {
            fs->closeRequested = 1;
        } else if (rc < 0) {
            return rc;
        }
    }
    return olen < 0 ? olen : rc;
}

static int32 pump(ssl_t *from, side_t *fs, ssl_t *to, side_t *ts)
{
    return pumpChunked(from, fs, to, ts, 0x7fffffff);
}

/* Runs a handshake until both sides completed one more time than `before`. */
static int handshake(ssl_t *c, side_t *cs, ssl_t *s, side_t *ss)
{
    int i, cDone = cs->completeRecv + cs->completeSent;
    int sDone = ss->completeRecv + ss->completeSent;

    for (i = 0; i < 20; i++) {
        int32 rc = pump(c, cs, s, ss);
        if (rc >= 0) {
            rc = pump(s, ss, c, cs);
        }
        if (rc < 0) {
            fprintf(stderr, "handshake: %d\n", (int)rc);
            return -1;
        }
        if (cs->completeRecv + cs->completeSent > cDone &&
                ss->completeRecv + ss->completeSent > sDone) {
            /* Anything still queued (a server's last flight) goes out too. */
            pump(c, cs, s, ss);
            pump(s, ss, c, cs);
            return 0;
        }
    }
    return -1;
}

#endif /* PAIR_H */
