#!/usr/bin/env bash
# Generates matrix's test PKI with the OpenSSL command line (3.0 or newer).
#
# Run once; the results are committed so that tests never depend on a fresh run. Re-running
# replaces every file with new keys (the tests read the fields they check from the files or
# from `openssl x509 -text`, never hard-code key material).
#
# Layout (all under testkeys/):
#   rsa2048/  root CA -> intermediate CA -> server (SAN localhost, 127.0.0.1) and client,
#             sha256WithRSAEncryption; the server key in every supported encoding.
#   rsa1024/  root CA -> server, sha1WithRSAEncryption; an md5WithRSAEncryption server too.
#   rsa4096/  root CA -> server, sha384 and sha512 signatures.
#   bad/      expired server, a certificate issued by a non-CA, a certificate with a broken
#             signature, a chain that violates the intermediate's pathLenConstraint, a
#             certificate whose issuer DN does not match its parent.
#   dh/       DH parameters, 1024 and 2048 bits.
#   ec/       P-256 certificates (ec.sh): one certified by the rsa2048 root, one self-signed.
#   ec-p256/, ec-p384/, ec-mixed/  ECDSA chains and EC keys in every encoding (ecdsa.sh).
#   pkcs12/   server key and chain as PKCS#12: modern (PBES2/AES-256, HMAC-SHA256) and
#             legacy (PKCS#12 KDF with 3DES, SHA-1 MAC); the EC server keys of ec-p256/ and
#             ec-p384/ likewise (ec-keys.sh, which also adds their other encrypted forms).
# Every password is "matrix".
set -euo pipefail
cd "$(dirname "$0")"
PW=matrix
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/ca.cnf" <<'CNF'
[ ca ]
default_ca = matrix_ca
[ matrix_ca ]
database = $ENV::CADIR/index.txt
new_certs_dir = $ENV::CADIR
serial = $ENV::CADIR/serial
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ intermediate ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ sub_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ server ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, DNS:*.matrix.test, IP:127.0.0.1, email:server@matrix.test, URI:https://matrix.test/
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ client ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_no_san ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
CNF
export OPENSSL_CONF="$work/ca.cnf"

# new_ca DIR: a fresh CA database for the issuer whose files live in DIR.
new_db() {
  export CADIR="$work/db-$1"
  mkdir -p "$CADIR"
  : > "$CADIR/index.txt"
  printf '%s\n' "$2" > "$CADIR/serial"
}

# issue BITS KEYOUT CERTOUT SUBJECT ISSUER_CERT ISSUER_KEY EXT MD [start end]
issue() {
  local bits=$1 key=$2 cert=$3 subj=$4 icert=$5 ikey=$6 ext=$7 md=$8
  local start=${9:-20240101000000Z} end=${10:-20460101000000Z}
  [ -f "$key" ] || openssl genrsa -out "$key" "$bits" 2>/dev/null
  openssl req -new -key "$key" -subj "$subj" -out "$work/req.csr"
  local selfsign=()
  [ "$icert" = self ] && selfsign=(-selfsign) && icert=""
  openssl ca -batch -notext -config "$work/ca.cnf" -extensions "$ext" -md "$md" \
    -startdate "$start" -enddate "$end" ${icert:+-cert "$icert"} -keyfile "$ikey" \
    "${selfsign[@]}" -in "$work/req.csr" -out "$cert" 2>/dev/null
}

mkdir -p rsa2048 rsa1024 rsa4096 bad dh pkcs12

# --- RSA 2048: root -> intermediate -> server, client --------------------------------
new_db r2048 1000
openssl genrsa -out rsa2048/ca.key 2048 2>/dev/null
issue 2048 rsa2048/ca.key rsa2048/ca.pem "/C=US/ST=Washington/L=Seattle/O=matrix test/OU=root CAs/CN=matrix test root CA 2048" self rsa2048/ca.key root sha256 20240101000000Z 21240101000000Z
issue 2048 rsa2048/intermediate.key rsa2048/intermediate.pem "/C=US/O=matrix test/OU=intermediate CAs/CN=matrix test intermediate CA 2048" rsa2048/ca.pem rsa2048/ca.key intermediate sha256
new_db i2048 2000
issue 2048 rsa2048/server.key rsa2048/server.pem "/C=US/ST=Washington/O=matrix test/CN=localhost" rsa2048/intermediate.pem rsa2048/intermediate.key server sha256
issue 2048 rsa2048/client.key rsa2048/client.pem "/C=US/O=matrix test/OU=clients/CN=matrix test client" rsa2048/intermediate.pem rsa2048/intermediate.key client sha256
cat rsa2048/server.pem rsa2048/intermediate.pem > rsa2048/server-chain.pem
cat rsa2048/client.pem rsa2048/intermediate.pem > rsa2048/client-chain.pem
for c in ca intermediate server client; do openssl x509 -in rsa2048/$c.pem -outform DER -out rsa2048/$c.der; done

# The server key in every encoding matrix loads.
k=rsa2048/server.key
openssl rsa -in $k -traditional -out rsa2048/server-pkcs1.pem 2>/dev/null
openssl rsa -in $k -traditional -outform DER -out rsa2048/server-pkcs1.der 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in $k -out rsa2048/server-pkcs8.pem
openssl pkcs8 -topk8 -nocrypt -in $k -outform DER -out rsa2048/server-pkcs8.der
for c in des-ede3-cbc:des3 des-cbc:des aes-128-cbc:aes128 aes-256-cbc:aes256; do
  name=${c#*:}
  # Single DES lives in OpenSSL 3's legacy provider; without it `-des` silently writes the
  # key unencrypted.
  openssl rsa -in $k -traditional -${name} -passout pass:$PW -provider legacy -provider default \
    -out rsa2048/server-enc-${c%%:*}.pem 2>/dev/null
  grep -q 'Proc-Type: 4,ENCRYPTED' rsa2048/server-enc-${c%%:*}.pem
done
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -passout pass:$PW -in $k -out rsa2048/server-pkcs8-aes256.pem
openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1 -passout pass:$PW -in $k -out rsa2048/server-pkcs8-aes128.pem
openssl pkcs8 -topk8 -v2 des3 -passout pass:$PW -in $k -outform DER -out rsa2048/server-pkcs8-des3.der
rm -f $k && mv rsa2048/server-pkcs1.pem $k.tmp && mv $k.tmp rsa2048/server.key
openssl rsa -in rsa2048/ca.key -traditional -out rsa2048/ca.key 2>/dev/null
openssl rsa -in rsa2048/intermediate.key -traditional -out rsa2048/intermediate.key 2>/dev/null
openssl rsa -in rsa2048/client.key -traditional -out rsa2048/client.key 2>/dev/null

# --- RSA 1024: sha1 and md5 signatures ----------------------------------------------------
new_db r1024 3000
openssl genrsa -out rsa1024/ca.key 1024 2>/dev/null
issue 1024 rsa1024/ca.key rsa1024/ca.pem "/C=US/O=matrix test/CN=matrix test root CA 1024" self rsa1024/ca.key root sha1 20240101000000Z 20491231235959Z
issue 1024 rsa1024/server.key rsa1024/server.pem "/C=US/O=matrix test/CN=localhost" rsa1024/ca.pem rsa1024/ca.key server sha1
issue 1024 rsa1024/server-md5.key rsa1024/server-md5.pem "/C=US/O=matrix test/CN=md5 signed" rsa1024/ca.pem rsa1024/ca.key server md5
for f in ca server server-md5; do openssl rsa -in rsa1024/$f.key -traditional -out rsa1024/$f.key 2>/dev/null; done

# --- RSA 4096: sha384 and sha512 ----------------------------------------------------------
new_db r4096 4000
openssl genrsa -out rsa4096/ca.key 4096 2>/dev/null
issue 4096 rsa4096/ca.key rsa4096/ca.pem "/C=US/O=matrix test/CN=matrix test root CA 4096" self rsa4096/ca.key root sha512 20240101000000Z 20740101000000Z
issue 4096 rsa4096/server.key rsa4096/server.pem "/C=US/O=matrix test/CN=localhost" rsa4096/ca.pem rsa4096/ca.key server sha384
issue 2048 rsa4096/server-sha512.key rsa4096/server-sha512.pem "/C=US/O=matrix test/CN=sha512 signed" rsa4096/ca.pem rsa4096/ca.key leaf_no_san sha512
for f in ca server server-sha512; do openssl rsa -in rsa4096/$f.key -traditional -out rsa4096/$f.key 2>/dev/null; done

# --- Bad certificates --------------------------------------------------------------------
export CADIR="$work/db-i2048"
issue 2048 bad/expired.key bad/expired.pem "/C=US/O=matrix test/CN=expired" rsa2048/intermediate.pem rsa2048/intermediate.key server sha256 20200101000000Z 20210101000000Z
issue 2048 bad/notyet.key bad/notyet.pem "/C=US/O=matrix test/CN=not yet valid" rsa2048/intermediate.pem rsa2048/intermediate.key server sha256 20400101000000Z 20450101000000Z
# A leaf (CA:FALSE) used as an issuer.
new_db leaf 5000
issue 2048 bad/by-leaf.key bad/by-leaf.pem "/C=US/O=matrix test/CN=issued by a leaf" rsa2048/client.pem rsa2048/client.key leaf_no_san sha256
cat bad/by-leaf.pem rsa2048/client.pem rsa2048/intermediate.pem > bad/by-leaf-chain.pem
# A broken signature: the last byte of the signature flipped.
openssl x509 -in rsa2048/server.pem -outform DER -out "$work/s.der"
python3 - "$work/s.der" bad/bad-signature.der <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[-1] ^= 0x01
open(sys.argv[2], 'wb').write(bytes(d))
PY
openssl x509 -inform DER -in bad/bad-signature.der -out bad/bad-signature.pem
# pathLen: the intermediate has pathlen:0, so a CA below it may not issue.
new_db sub 6000
issue 2048 bad/sub-ca.key bad/sub-ca.pem "/C=US/O=matrix test/CN=sub CA under pathlen 0" rsa2048/intermediate.pem rsa2048/intermediate.key sub_ca sha256
issue 2048 bad/pathlen-leaf.key bad/pathlen-leaf.pem "/C=US/O=matrix test/CN=too deep" bad/sub-ca.pem bad/sub-ca.key leaf_no_san sha256
cat bad/pathlen-leaf.pem bad/sub-ca.pem rsa2048/intermediate.pem > bad/pathlen-chain.pem
# An issuer DN that does not match: the server certificate followed by the wrong CA.
cat rsa2048/server.pem rsa1024/ca.pem > bad/wrong-issuer-chain.pem
for f in bad/*.key; do openssl rsa -in $f -traditional -out $f 2>/dev/null; done

# --- DH parameters -----------------------------------------------------------------------
openssl dhparam -out dh/dh1024.pem 1024 2>/dev/null
openssl dhparam -out dh/dh2048.pem 2048 2>/dev/null
openssl dhparam -in dh/dh2048.pem -outform DER -out dh/dh2048.der

# --- PKCS#12 -----------------------------------------------------------------------------
openssl pkcs12 -export -inkey rsa2048/server.key -in rsa2048/server.pem -certfile rsa2048/intermediate.pem \
  -name server -passout pass:$PW -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -out pkcs12/server-modern.p12
openssl pkcs12 -export -inkey rsa2048/server.key -in rsa2048/server.pem -certfile rsa2048/intermediate.pem \
  -name server -passout pass:$PW -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -out pkcs12/server-legacy.p12

# --- Keys matrix parses but cannot use (P-256) --------------------------------------------
bash ./ec.sh
# --- ECDSA chains and EC keys (P-256, P-384, mixed RSA/ECDSA) -----------------------------
bash ./ecdsa.sh
# --- More encodings of those EC keys: encrypted PKCS#8 and PEM, PKCS#12 (ec-keys.sh) --------
bash ./ec-keys.sh

# The rsa2048 server key as components (builds without private-key parsing).
sh ./components.sh rsa2048/server.key > rsa2048/server-components.txt

echo "testkeys generated"
