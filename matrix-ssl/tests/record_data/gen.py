import json
out = ['//! Captured from OpenSSL 3.0 `s_client`/`s_server` over 127.0.0.1 (with `-no_etm`, so the',
       '//! records are MAC-then-encrypt), through a recording TCP proxy; the premaster and master',
       '//! secrets are from `-keylogfile` (the `RSA` and `CLIENT_RANDOM` lines). Regenerate with',
       '//! the commands in `record_openssl.rs`.', '',
       '/// One captured session.', 'pub struct Capture {',
       '    pub name: &\'static str,', '    pub version: u16,', '    pub suite: u16,',
       '    pub premaster: &\'static str,', '    pub master: &\'static str,',
       '    pub client_random: &\'static str,', '    pub server_random: &\'static str,',
       '    /// Protected records after ChangeCipherSpec, client to server: (type, fragment hex).',
       '    pub c2s: &\'static [(u8, &\'static str)],',
       '    /// Protected records after ChangeCipherSpec, server to client.',
       '    pub s2c: &\'static [(u8, &\'static str)],',
       '    /// The application data each side sent.',
       '    pub c2s_data: &\'static str,', '    pub s2c_data: &\'static str,', '}', '',
       'pub static CAPTURES: &[Capture] = &[']
for name, ver, suite in (('t10aes', 0x0301, 0x002f), ('t11aes', 0x0302, 0x002f), ('t10aes256', 0x0301, 0x0035)):
    d = json.load(open(name + '.json'))
    keys = open(name + '.keys').read().split('\n')
    pms = [l.split()[2] for l in keys if l.startswith('RSA ')][0]
    cr, ms = [l.split()[1:3] for l in keys if l.startswith('CLIENT_RANDOM')][0]
    recs = {}
    sr = None
    for k in ('c2s', 's2c'):
        b = bytes.fromhex(d[k]); i = 0; after = False; recs[k] = []
        while i + 5 <= len(b):
            t, l = b[i], int.from_bytes(b[i+3:i+5], 'big'); frag = b[i+5:i+5+l]
            if t == 22 and frag[0] == 2 and not after: sr = frag[6:38].hex()
            if after: recs[k].append((t, frag.hex()))
            if t == 20: after = True
            i += 5 + l
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
        for t, h in recs[k]:
            out.append(f'            ({t}, "{h}"),')
        out.append('        ],')
    out.append(f'        c2s_data: "GET / HTTP/1.0\\r\\nmatrix record test: {name}\\r\\n\\r\\n",')
    out.append(f'        s2c_data: "hello from openssl s_server ({name})\\n",')
    out.append('    },')
out.append('];')
open('openssl.rs', 'w').write('\n'.join(out) + '\n')
