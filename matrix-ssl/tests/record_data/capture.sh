#!/bin/sh
# Regenerates record_data/openssl.rs: OpenSSL s_server and s_client (TLS 1.0, 1.1, DTLS 1.0; no
# encrypt-then-MAC) talk through proxy.py / udpproxy.py, which record both directions, and
# tl_capture.py records tlslite-ng talking to itself; gen.py turns the recordings and the key
# logs into Rust constants. Run from this directory (it leaves *.json and *.keys here).
set -e
# No extended master secret (RFC 7627): the master secret must be the plain RFC 2246 one.
export OPENSSL_CONF=$PWD/noems.cnf
K=${K:-../../../testkeys/rsa2048}
cap() {
    ver=$1; cipher=$2; name=$3; sp=$4; pp=$5
    rm -f $name.keys $name.json
    (sleep 1.2; printf 'hello from openssl s_server (%s)\n' "$name"; sleep 2) |
        openssl s_server -accept 127.0.0.1:$sp -$ver -no_etm -cipher "$cipher:@SECLEVEL=0" \
            -key $K/server.key -cert $K/server.pem -no_ticket -quiet > /dev/null 2>&1 &
    srv=$!
    python3 proxy.py $pp $sp $name.json &
    prx=$!
    sleep 0.7
    (printf 'GET / HTTP/1.0\r\nmatrix record test: %s\r\n\r\n' "$name"; sleep 2) |
        openssl s_client -connect 127.0.0.1:$pp -$ver -no_etm -cipher "$cipher:@SECLEVEL=0" \
            -keylogfile $name.keys -no_ticket -ign_eof > /dev/null 2>&1
    wait $prx
    kill $srv 2>/dev/null || true
}
# DTLS 1.0 through udpproxy.py.
dtls() {
    name=$1; sp=$2; pp=$3
    rm -f $name.keys $name.json
    (sleep 1.5; printf 'hello from openssl s_server (%s)\n' "$name"; sleep 3) |
        openssl s_server -dtls1 -accept 127.0.0.1:$sp -no_etm -cipher "AES128-SHA:@SECLEVEL=0" \
            -key $K/server.key -cert $K/server.pem -quiet > /dev/null 2>&1 &
    srv=$!
    python3 udpproxy.py $pp $sp $name.json &
    prx=$!
    sleep 0.7
    (printf 'GET / HTTP/1.0\r\nmatrix record test: %s\r\n\r\n' "$name"; sleep 3) |
        timeout 10 openssl s_client -dtls1 -connect 127.0.0.1:$pp -no_etm \
            -cipher "AES128-SHA:@SECLEVEL=0" -keylogfile $name.keys -ign_eof > /dev/null 2>&1
    wait $prx
    kill $srv 2>/dev/null || true
}
cap tls1 AES128-SHA t10aes 45011 45012
cap tls1_1 AES128-SHA t11aes 45013 45014
cap tls1 AES256-SHA t10aes256 45015 45016
dtls dtls10aes 45021 45022
# tlslite-ng on both ends (SSL 3.0, 3DES, RC4): PY is a Python with tlslite-ng 0.8.2.
PY=${PY:-python3}
for c in "s3des ssl3 3des sha" "s3rc4md5 ssl3 rc4 md5" "s3rc4sha ssl3 rc4 sha" \
    "s3aes ssl3 aes128 sha" "t10rc4md5 tls1.0 rc4 md5" "t10des3 tls1.0 3des sha" \
    "t11des3 tls1.1 3des sha"; do
    $PY tl_capture.py $c $K/server.pem $K/server.key
done
python3 gen.py
