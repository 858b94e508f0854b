"""Turns the recordings (*.json) and key logs (*.keys) of capture.sh into openssl.rs."""
import json

out = ['//! Sessions of independent implementations, recorded: OpenSSL 3.0 `s_client`/`s_server`',
       '//! over 127.0.0.1 (TLS 1.0, 1.1, DTLS 1.0; `-no_etm`, so MAC-then-encrypt, and no extended',
       '//! master secret) through a recording proxy, the premaster and master secrets from',
       '//! `-keylogfile`; and tlslite-ng client and server (SSL 3.0, TLS 1.0/1.1 with 3DES, RC4,',
       '//! AES) over a recorded socket pair, the master secret from the connection (no premaster).',
       '//! `capture.sh` in this directory regenerates this file.', '',
       '/// One captured session.', 'pub struct Capture {',
       '    pub name: &\'static str,', '    pub version: u16,', '    pub suite: u16,',
       '    pub premaster: &\'static str,', '    pub master: &\'static str,',
       '    pub client_random: &\'static str,', '    pub server_random: &\'static str,',
       '    /// Protected records after ChangeCipherSpec, client to server: (type, sequence',
       '    /// number (DTLS: epoch and sequence), fragment hex).',
       '    pub c2s: &\'static [(u8, u64, &\'static str)],',
       '    /// Protected records after ChangeCipherSpec, server to client.',
       '    pub s2c: &\'static [(u8, u64, &\'static str)],',
       '    /// The application data each side sent.',
       '    pub c2s_data: &\'static str,', '    pub s2c_data: &\'static str,', '}', '',
       'pub static CAPTURES: &[Capture] = &[']

def tls_records(blob):
    b = bytes.fromhex(blob); i = 0
    while i + 5 <= len(b):
        t, l = b[i], int.from_bytes(b[i+3:i+5], 'big')
        yield t, None, b[i+5:i+5+l]
        i += 5 + l

def dtls_records(datagrams):
    for h in datagrams:
        b = bytes.fromhex(h); i = 0
        while i + 13 <= len(b):
            t = b[i]; seq = int.from_bytes(b[i+3:i+11], 'big'); l = int.from_bytes(b[i+11:i+13], 'big')
            yield t, seq, b[i+13:i+13+l]
            i += 13 + l

OPENSSL = 'openssl s_server'
TLSLITE = 'tlslite-ng'
for name, ver, suite, peer in (
        ('t10aes', 0x0301, 0x002f, OPENSSL), ('t11aes', 0x0302, 0x002f, OPENSSL),
        ('t10aes256', 0x0301, 0x0035, OPENSSL), ('dtls10aes', 0xfeff, 0x002f, OPENSSL),
        ('s3des', 0x0300, 0x000a, TLSLITE), ('s3rc4md5', 0x0300, 0x0004, TLSLITE),
        ('s3rc4sha', 0x0300, 0x0005, TLSLITE), ('s3aes', 0x0300, 0x002f, TLSLITE),
        ('t10rc4md5', 0x0301, 0x0004, TLSLITE), ('t10des3', 0x0301, 0x000a, TLSLITE),
        ('t11des3', 0x0302, 0x000a, TLSLITE)):
    d = json.load(open(name + '.json'))
    keys = open(name + '.keys').read().split('\n')
    # tlslite-ng does not log the premaster secret.
    pms = ([l.split()[2] for l in keys if l.startswith('RSA ')] or [''])[0]
    cr, ms = [l.split()[1:3] for l in keys if l.startswith('CLIENT_RANDOM')][0]
    dtls = ver == 0xfeff
    recs, sr = {}, None
    for k in ('c2s', 's2c'):
        it = dtls_records([h for dd, h in d if dd == k]) if dtls else tls_records(d[k])
        after, n, recs[k] = False, 0, []
        for t, seq, frag in it:
            if t == 22 and frag[0] == 2 and not after:
                off = 12 if dtls else 4
                sr = frag[off + 2:off + 34].hex()
            if after:
                recs[k].append((t, seq if dtls else n, frag.hex())); n += 1
            if t == 20: after = True
    out.append('    Capture {')
    out.append(f'        name: "{name}",')
    out.append(f'        version: 0x{ver:04x},')
    out.append(f'        suite: 0x{suite:04x},')
    out.append(f'        premaster: "{pms}",')
    out.append(f'        master: "{ms}",')
    out.append(f'        client_random: "{cr}",')
    out.append(f'        server_random: "{sr}",')
    for k in ('c2s', 's2c'):
        out.append(f'        {k}: &[')
        for t, s, h in recs[k]:
            out.append(f'            ({t}, 0x{s:x}, "{h}"),')
        out.append('        ],')
    out.append(f'        c2s_data: "GET / HTTP/1.0\\r\\nmatrix record test: {name}\\r\\n\\r\\n",')
    out.append(f'        s2c_data: "hello from {peer} ({name})\\n",')
    out.append('    },')
out.append('];')
open('openssl.rs', 'w').write('\n'.join(out) + '\n')
