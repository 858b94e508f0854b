#!/usr/bin/env bash
# More encodings of the ecdsa.sh server keys (issue 19), from the committed keys and chains
# so that it can run alone without changing them; generate.sh runs it after ecdsa.sh. In
# each of `ec-p256/` and `ec-p384/`:
#   server-pkcs8-aes256-default.pem  `openssl pkcs8 -topk8 -v2 aes256` (PBES2, AES-256-CBC,
#                                    OpenSSL's default PRF hmacWithSHA256)
#   server-pkcs8-des3.der            encrypted PKCS#8, PBES2 with DES-EDE3-CBC, DER
#   server-pkcs8-sha1-3des.pem       encrypted PKCS#8, the PKCS#12 scheme
#                                    pbeWithSHAAnd3-KeyTripleDES-CBC (`-v1 PBE-SHA1-3DES`)
#   server-enc-aes-256-cbc.pem       `openssl ec -aes256`: traditional PEM, AES-256-CBC
#   server-enc-des-ede3-cbc.pem      `openssl ec -des3`: traditional PEM, DES-EDE3-CBC
# and in `pkcs12/`, the same key with its chain (leaf, intermediate):
#   ec-p256-modern.p12, ec-p384-modern.p12  `openssl pkcs12 -export` defaults (PBES2 with
#                                           AES-256-CBC, HMAC-SHA256 MAC)
#   ec-p256-legacy.p12, ec-p384-legacy.p12  PKCS#12 KDF with 3DES for key and certificates,
#                                           HMAC-SHA1 MAC
# Password of every file: matrix.
set -euo pipefail
cd "$(dirname "$0")"
PW=matrix
mkdir -p pkcs12
for c in p256 p384; do
  d=ec-$c
  k=$d/server.key
  openssl pkcs8 -topk8 -v2 aes256 -passout pass:$PW -in "$k" -out "$d/server-pkcs8-aes256-default.pem"
  openssl pkcs8 -topk8 -v2 des3 -passout pass:$PW -in "$k" -outform DER -out "$d/server-pkcs8-des3.der"
  openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -passout pass:$PW -in "$k" -out "$d/server-pkcs8-sha1-3des.pem"
  openssl ec -in "$k" -aes256 -passout pass:$PW -out "$d/server-enc-aes-256-cbc.pem" 2>/dev/null
  openssl ec -in "$k" -des3 -passout pass:$PW -out "$d/server-enc-des-ede3-cbc.pem" 2>/dev/null
  for f in "$d/server-enc-aes-256-cbc.pem" "$d/server-enc-des-ede3-cbc.pem"; do
    grep -q 'Proc-Type: 4,ENCRYPTED' "$f"
  done
  openssl pkcs12 -export -inkey "$k" -in "$d/server.pem" -certfile "$d/intermediate.pem" \
    -name server -passout pass:$PW -out "pkcs12/ec-$c-modern.p12"
  openssl pkcs12 -export -inkey "$k" -in "$d/server.pem" -certfile "$d/intermediate.pem" \
    -name server -passout pass:$PW -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 \
    -out "pkcs12/ec-$c-legacy.p12"
done
echo "EC key encodings generated"
