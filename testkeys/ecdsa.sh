#!/usr/bin/env bash
# ECDSA test PKI (issue 19). Each of `ec-p256/` and `ec-p384/` holds a chain made on that
# curve and signed with its hash (ecdsa-with-SHA256 / ecdsa-with-SHA384):
#   ca.pem, ca.key                   root CA (self-signed)
#   intermediate.pem, .key           intermediate CA (pathlen 0), signed by the root
#   server.pem, server-chain.pem     leaf (SAN localhost, 127.0.0.1) signed by the
#                                    intermediate; the chain is leaf + intermediate
#   ca.der, server-chain.der         the root and the chain as DER (builds without PEM)
#   server.key / server.der          the leaf's key as SEC 1 `EC PRIVATE KEY`, PEM and DER
#   server-pkcs8.pem / .der          PKCS#8
#   server-pkcs8-aes256.pem          encrypted PKCS#8 (PBES2, AES-256-CBC, HMAC-SHA256)
#   server-enc-aes-128-cbc.pem       encrypted traditional PEM (AES-128-CBC)
#   server-params.key                `openssl ecparam -genkey` style: EC PARAMETERS + key
# ec-p384/ also has server-sha1.pem: the leaf's key signed by the intermediate with
# ecdsa-with-SHA1 (a digest shorter than the P-384 order).
# ec-p256/ also has server-sha384-chain.pem and server-sha1-chain.pem: the leaf's key signed
# by the intermediate with ecdsa-with-SHA384 / ecdsa-with-SHA1, then the intermediate (for
# builds that lack those hashes: a TLS-1.2-only P-256 build refuses them).
# `ec-mixed/` mixes algorithms within one chain:
#   rsa-root-chain.pem               P-256 leaf <- P-384 intermediate (ecdsa-with-SHA384)
#                                    <- the rsa2048 root (sha256WithRSAEncryption)
#   ecdsa-root-rsa-leaf-chain.pem    RSA-2048 leaf (ecdsa-with-SHA256) <- the ec-p256 root
#   rsa-leaf.key                     that RSA leaf's key
# Password of every encrypted key: matrix. Needs rsa2048/ca.{pem,key}; generate.sh runs
# it, and it can run alone.
set -euo pipefail
cd "$(dirname "$0")"
PW=matrix
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n' > "$work/root.ext"
printf 'basicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n' > "$work/int.ext"
printf 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost, IP:127.0.0.1\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n' > "$work/leaf.ext"
printf 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost, IP:127.0.0.1\n' > "$work/rsaleaf.ext"

# sign SUBJ KEY OUT CA_CERT CA_KEY EXT MD SERIAL
sign() {
  openssl req -new -key "$2" -subj "$1" -out "$work/req.csr"
  openssl x509 -req -in "$work/req.csr" -CA "$4" -CAkey "$5" -set_serial "$8" -days 7300 \
    -"$7" -extfile "$work/$6.ext" -out "$3" 2>/dev/null
}

# chain DIR CURVE MD SERIAL-PREFIX
chain() {
  local d=$1 curve=$2 md=$3 sp=$4
  mkdir -p "$d"
  for k in ca intermediate server; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$curve" -pkeyopt ec_param_enc:named_curve \
      -out "$work/$k.p8"
    openssl ec -in "$work/$k.p8" -out "$d/$k.key" 2>/dev/null
  done
  openssl req -new -key "$d/ca.key" -subj "/C=US/O=matrix test/CN=matrix test $curve root CA" \
    -out "$work/ca.csr"
  openssl x509 -req -in "$work/ca.csr" -key "$d/ca.key" -set_serial "${sp}01" -days 7300 \
    -"$md" -extfile "$work/root.ext" -out "$d/ca.pem" 2>/dev/null
  sign "/C=US/O=matrix test/CN=matrix test $curve intermediate CA" "$d/intermediate.key" \
    "$d/intermediate.pem" "$d/ca.pem" "$d/ca.key" int "$md" "${sp}02"
  sign "/C=US/O=matrix test/CN=localhost" "$d/server.key" "$d/server.pem" \
    "$d/intermediate.pem" "$d/intermediate.key" leaf "$md" "${sp}03"
  cat "$d/server.pem" "$d/intermediate.pem" > "$d/server-chain.pem"
  openssl x509 -in "$d/ca.pem" -outform DER -out "$d/ca.der"
  { openssl x509 -in "$d/server.pem" -outform DER
    openssl x509 -in "$d/intermediate.pem" -outform DER; } > "$d/server-chain.der"
  local k=$d/server.key
  openssl ec -in "$k" -outform DER -out "$d/server.der" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$k" -out "$d/server-pkcs8.pem"
  openssl pkcs8 -topk8 -nocrypt -in "$k" -outform DER -out "$d/server-pkcs8.der"
  openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -passout pass:$PW -in "$k" \
    -out "$d/server-pkcs8-aes256.pem"
  openssl ec -in "$k" -aes128 -passout pass:$PW -out "$d/server-enc-aes-128-cbc.pem" 2>/dev/null
  { openssl ecparam -name "$curve"; cat "$k"; } > "$d/server-params.key"
}

chain ec-p256 prime256v1 sha256 0x50
chain ec-p384 secp384r1 sha384 0x60
sign "/C=US/O=matrix test/CN=localhost" ec-p384/server.key ec-p384/server-sha1.pem \
  ec-p384/intermediate.pem ec-p384/intermediate.key leaf sha1 0x6004
serial=4
for md in sha384 sha1; do
  sign "/C=US/O=matrix test/CN=localhost" ec-p256/server.key "$work/p256-$md.pem" \
    ec-p256/intermediate.pem ec-p256/intermediate.key leaf "$md" "0x500$serial"
  cat "$work/p256-$md.pem" ec-p256/intermediate.pem > "ec-p256/server-$md-chain.pem"
  serial=$((serial + 1))
done

mkdir -p ec-mixed
sign "/C=US/O=matrix test/CN=matrix test P-384 intermediate under RSA" ec-p384/intermediate.key \
  "$work/mixed-int.pem" rsa2048/ca.pem rsa2048/ca.key int sha256 0x7001
sign "/C=US/O=matrix test/CN=localhost" ec-p256/server.key "$work/mixed-leaf.pem" \
  "$work/mixed-int.pem" ec-p384/intermediate.key leaf sha384 0x7002
cat "$work/mixed-leaf.pem" "$work/mixed-int.pem" > ec-mixed/rsa-root-chain.pem
openssl genrsa -traditional -out ec-mixed/rsa-leaf.key 2048 2>/dev/null
sign "/C=US/O=matrix test/CN=localhost" ec-mixed/rsa-leaf.key "$work/rsa-leaf.pem" \
  ec-p256/ca.pem ec-p256/ca.key rsaleaf sha256 0x7003
cat "$work/rsa-leaf.pem" > ec-mixed/ecdsa-root-rsa-leaf-chain.pem
echo "ECDSA testkeys generated"
