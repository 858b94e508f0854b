/* layout.c: prints the sizes and field offsets of matrixsslApi.h's structures as the C
   compiler lays them out; the Rust test compares them with the library's. */
#include <stddef.h>
#include <stdio.h>

#include "matrixsslApi.h"

#define SIZE(t) printf("sizeof(" #t ")=%lu\n", (unsigned long)sizeof(t))
#define OFF(t, f) printf("offsetof(" #t "," #f ")=%lu\n", (unsigned long)offsetof(t, f))

int main(void)
{
    SIZE(sslSessionId_t);
    SIZE(psX509Cert_t);
    SIZE(x509DNattributes_t);
    SIZE(x509SubjectAltName_t);
    OFF(psX509Cert_t, subject);
    OFF(psX509Cert_t, notAfter);
    OFF(psX509Cert_t, sigHash);
    OFF(psX509Cert_t, extensions);
    OFF(psX509Cert_t, authStatus);
    OFF(psX509Cert_t, next);
    OFF(x509DNattributes_t, commonNameLen);
    OFF(sslSessionId_t, cipherId);
    OFF(sslSessionId_t, flags);
    SIZE(sslSessOpts_t);
    OFF(sslSessOpts_t, ecFlags);
    OFF(sslSessOpts_t, userPtr);
#ifdef USE_STATELESS_SESSION_TICKETS
    OFF(sslSessionId_t, sessionTicket);
    OFF(sslSessionId_t, sessionTicketLifetimeHint);
#endif
    return 0;
}
