#!/usr/bin/env bash
# Certificates with a public key matrix parses but cannot use (P-256 ECDSA): `ec/` holds
#   server-p256.pem  a P-256 key certified by the rsa2048 root CA (sha256WithRSAEncryption)
#   self-p256.pem    a self-signed P-256 certificate (ecdsa-with-SHA256)
# Needs rsa2048/ca.{pem,key}; generate.sh runs it, and it can run alone.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p ec
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nsubjectAltName = DNS:localhost\n' > "$work/leaf.ext"
for k in server-p256 self-p256; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$k.key"
done
openssl req -new -key "$work/server-p256.key" -subj "/C=US/O=matrix test/CN=localhost" -out "$work/req.csr"
openssl x509 -req -in "$work/req.csr" -CA rsa2048/ca.pem -CAkey rsa2048/ca.key -set_serial 0x4001 \
  -days 7300 -sha256 -extfile "$work/leaf.ext" -out ec/server-p256.pem 2>/dev/null
openssl req -x509 -new -key "$work/self-p256.key" -subj "/C=US/O=matrix test/CN=self-signed P-256" \
  -days 7300 -sha256 -set_serial 0x4002 -out ec/self-p256.pem
