"""Records tlslite-ng client/server sessions (SSL 3.0, TLS 1.0/1.1 with 3DES, RC4, AES) for
gen.py: both peers are tlslite-ng, in two threads over a socket pair whose traffic is logged;
the master secret and randoms come from the connection objects (tlslite-ng writes no key
log). Usage: python tl_capture.py NAME VERSION CIPHER MAC CERT KEY."""
import json, socket, sys, threading
from tlslite.api import TLSConnection, HandshakeSettings, X509CertChain, parsePEMKey

name, ver, cipher, mac, cert, key = sys.argv[1:7]
V = {"ssl3": (3, 0), "tls1.0": (3, 1), "tls1.1": (3, 2)}[ver]

class Rec:
    def __init__(self, sock, log, key):
        self.sock, self.log, self.key = sock, log, key
    def send(self, d):
        n = self.sock.send(d); self.log[self.key] += bytes(d[:n]); return n
    def sendall(self, d):
        self.sock.sendall(d); self.log[self.key] += bytes(d)
    def __getattr__(self, a):
        return getattr(self.sock, a)

def settings():
    s = HandshakeSettings()
    s.minVersion = s.maxVersion = V
    s.cipherNames = [cipher]; s.macNames = [mac]; s.keyExchangeNames = ["rsa"]
    s.useExtendedMasterSecret = False; s.useEncryptThenMAC = False
    return s

log = {"c2s": b"", "s2c": b""}
a, b = socket.socketpair()
chain = X509CertChain(); chain.parsePemList(open(cert).read())
pkey = parsePEMKey(open(key).read(), private=True)
c2s_data = ("GET / HTTP/1.0\r\nmatrix record test: %s\r\n\r\n" % name).encode()
s2c_data = ("hello from tlslite-ng (%s)\n" % name).encode()
result = {}

def server():
    conn = TLSConnection(Rec(b, log, "s2c"))
    conn.handshakeServer(certChain=chain, privateKey=pkey, settings=settings())
    got = b""
    while len(got) < len(c2s_data):
        got += conn.read()
    assert got == c2s_data, got
    conn.write(s2c_data)
    conn.close()

t = threading.Thread(target=server); t.start()
conn = TLSConnection(Rec(a, log, "c2s"))
conn.handshakeClientCert(settings=settings())
conn.write(c2s_data)
got = b""
while len(got) < len(s2c_data):
    got += conn.read()
assert got == s2c_data
conn.close()
t.join()
json.dump({k: v.hex() for k, v in log.items()}, open(name + ".json", "w"))
with open(name + ".keys", "w") as f:
    f.write("CLIENT_RANDOM %s %s\n" % (bytes(conn._clientRandom).hex(), bytes(conn.session.masterSecret).hex()))
print(name, hex(conn.session.cipherSuite), conn.version)
