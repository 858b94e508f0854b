#!/usr/bin/env bash
# Generates the hostile certificates of issue 13 (RFC 5280 conformance of the chain check and
# of the standard validator) with the OpenSSL command line (3.0 or newer) and a few lines of
# Python for the one key OpenSSL will not make (an even public exponent).
#
# Run once; the results are committed. matrix-x509's tests (tests/hostile.rs) check what
# authentication says of each chain, and matrix-apps' tests (tests/hostile_certs.rs) serve
# each with `openssl s_server` and check that `matrix-client` refuses it.
#
# Every chain below is served as `<name>-chain.pem` (leaf first, then any intermediate; never
# the root) with the leaf key `leaf.key` (or `even-exponent.key`), and is trusted through
# `ca.pem` unless said otherwise. Leaves name `localhost`, `127.0.0.1` and what the line says.
#
#   good                   root -> leaf: accepted (the control).
#   crit-leaf              leaf with a critical private-OID extension: unsupported_certificate.
#   crit-policies-leaf     leaf with a critical certificatePolicies: unsupported_certificate.
#   crit-ca                intermediate (`crit-intermediate-ca.pem`) with a critical private-OID
#                          extension -> leaf.
#   crit-root-*            trusted root (`crit-root-ca.pem`) with a critical private-OID extension.
#   nc-dns-*               intermediate: permitted DNS matrix.test, excluded DNS evil.matrix.test;
#                          leaves: -good (ok.matrix.test), -permitted (evil.org, outside),
#                          -excluded (www.evil.matrix.test), -cn (no SAN, CN evil.org).
#   nc-ip-*                permitted IP 127.0.0.0/8, excluded 127.0.0.66/32;
#                          -good (127.0.0.1), -permitted (10.0.0.1), -excluded (127.0.0.66).
#   nc-email-*             permitted email matrix.test, excluded email .evil.matrix.test;
#                          -good (a@matrix.test), -permitted (a@evil.org), -excluded
#                          (a@mail.evil.matrix.test), -subject (no SAN email, subject
#                          emailAddress a@evil.org).
#   nc-dir-*               permitted dirName O=matrix test, excluded dirName
#                          O=matrix test/OU=excluded; -good (O=matrix test/CN=localhost),
#                          -permitted (O=evil/CN=localhost), -excluded (O=matrix test/
#                          OU=excluded/CN=localhost).
#   nc-uri                 critical nameConstraints with a URI subtree (a form matrix does not
#                          process): the intermediate is refused.
#   v1-anchor              v1 root (`v1-ca.pem`, trusted) -> leaf: accepted.
#   v1-intermediate        root -> v1 intermediate -> leaf: FAIL_BC.
#   empty-san              leaf whose subjectAltName is an empty SEQUENCE: parse failure.
#   even-exponent          leaf whose RSA key has e = 2: parse failure.
#   expired-leaf           leaf valid 2020-2021: certificate_expired.
#   expired-intermediate   intermediate valid 2020-2021 -> leaf: certificate_expired.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/ext.cnf" <<'CNF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ crit_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
1.3.6.1.4.1.55555.1 = critical, ASN1:NULL
[ sub_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
[ crit_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
1.3.6.1.4.1.55555.1 = critical, ASN1:NULL
[ nc_dns ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;DNS:matrix.test, excluded;DNS:evil.matrix.test
[ nc_ip ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;IP:127.0.0.0/255.0.0.0, excluded;IP:127.0.0.66/255.255.255.255
[ nc_email ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;email:matrix.test, excluded;email:.evil.matrix.test
[ nc_dir ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;dirName:dir_permitted, excluded;dirName:dir_excluded
[ dir_permitted ]
O = matrix test
[ dir_excluded ]
O = matrix test
OU = excluded
[ nc_uri ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;URI:.matrix.test
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ crit_leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
subjectAltName = DNS:localhost, IP:127.0.0.1
1.3.6.1.4.1.55555.1 = critical, ASN1:NULL
[ crit_policies_leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
subjectAltName = DNS:localhost, IP:127.0.0.1
certificatePolicies = critical, 2.5.29.32.0
[ dns_good ]
subjectAltName = DNS:ok.matrix.test
[ dns_permitted ]
subjectAltName = DNS:evil.org
[ dns_excluded ]
subjectAltName = DNS:www.evil.matrix.test
[ ip_good ]
subjectAltName = DNS:ip.matrix.test, IP:127.0.0.1
[ ip_permitted ]
subjectAltName = DNS:ip.matrix.test, IP:10.0.0.1
[ ip_excluded ]
subjectAltName = DNS:ip.matrix.test, IP:127.0.0.66
[ email_good ]
subjectAltName = DNS:mail.matrix.test, email:a@matrix.test
[ email_permitted ]
subjectAltName = DNS:mail.matrix.test, email:a@evil.org
[ email_excluded ]
subjectAltName = DNS:mail.matrix.test, email:a@mail.evil.matrix.test
[ email_subject ]
subjectAltName = DNS:mail.matrix.test
[ dir ]
subjectAltName = DNS:dir.matrix.test
[ no_san ]
basicConstraints = CA:FALSE
[ empty_san ]
basicConstraints = CA:FALSE
2.5.29.17 = DER:30:00
[ none ]
CNF

conf="$work/ext.cnf"
ROOT_SUBJ="/C=US/O=matrix test/OU=hostile/CN=matrix hostile root CA"

# cert KEY CERTOUT SUBJECT ISSUER_CERT|self ISSUER_KEY EXT: one certificate, valid 20 years,
# sha256WithRSAEncryption, serial from a counter; EXT "none" makes a version 1 certificate.
serial=100
cert() {
  local key=$1 out=$2 subj=$3 icert=$4 ikey=$5 ext=$6
  serial=$((serial + 1))
  openssl req -new -config "$conf" -key "$key" -subj "$subj" -out "$work/req.csr"
  local extargs=(-extfile "$conf" -extensions "$ext")
  [ "$ext" = none ] && extargs=()
  local signer=(-CA "$icert" -CAkey "$ikey")
  [ "$icert" = self ] && signer=(-signkey "$ikey")
  # OpenSSL 3.0's `x509 -req` takes only -days: fixed dates go through `dated` below.
  openssl x509 -req -in "$work/req.csr" "${signer[@]}" -sha256 -set_serial "$serial" \
    -days 7300 "${extargs[@]}" -out "$out" 2>/dev/null
}

# dated KEY CERTOUT SUBJECT ISSUER_CERT ISSUER_KEY EXT START END: like cert, with fixed
# dates (openssl ca), for the expired certificates.
dated() {
  local key=$1 out=$2 subj=$3 icert=$4 ikey=$5 ext=$6 start=$7 end=$8
  export CADIR="$work/db"
  mkdir -p "$CADIR"
  : > "$CADIR/index.txt"
  serial=$((serial + 1))
  printf '%X\n' "$serial" > "$CADIR/serial"
  cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = hostile
[ hostile ]
database = \$ENV::CADIR/index.txt
new_certs_dir = \$ENV::CADIR
serial = \$ENV::CADIR/serial
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
CNF
  cat "$conf" >> "$work/ca.cnf"
  openssl req -new -config "$conf" -key "$key" -subj "$subj" -out "$work/req.csr"
  openssl ca -batch -notext -config "$work/ca.cnf" -extensions "$ext" -md sha256 \
    -startdate "$start" -enddate "$end" -cert "$icert" -keyfile "$ikey" \
    -in "$work/req.csr" -out "$out" 2>/dev/null
}

rm -f ./*.pem ./*.key
openssl genrsa -out ca.key 2048 2>/dev/null
openssl genrsa -out leaf.key 2048 2>/dev/null
openssl rsa -in ca.key -traditional -out ca.key 2>/dev/null
openssl rsa -in leaf.key -traditional -out leaf.key 2>/dev/null
L=leaf.key

# The root, and the v1 and critical-extension roots (same key, other names).
cert ca.key ca.pem "$ROOT_SUBJ" self ca.key root
cert ca.key v1-ca.pem "/C=US/O=matrix test/OU=hostile/CN=matrix hostile v1 root CA" self ca.key none
cert ca.key crit-root-ca.pem "/C=US/O=matrix test/OU=hostile/CN=matrix hostile critical root CA" self ca.key crit_root

# leaf NAME SUBJECT ISSUER_CERT EXT [INTERMEDIATE]: NAME.pem and NAME-chain.pem.
leaf() {
  local name=$1 subj=$2 icert=$3 ext=$4 inter=${5:-}
  cert $L "$name.pem" "$subj" "$icert" ca.key "$ext"
  cat "$name.pem" ${inter:+"$inter"} > "$name-chain.pem"
}

leaf good "/C=US/O=matrix test/CN=localhost" ca.pem leaf
leaf crit-leaf "/C=US/O=matrix test/CN=localhost" ca.pem crit_leaf
leaf crit-policies-leaf "/C=US/O=matrix test/CN=localhost" ca.pem crit_policies_leaf
cert ca.key crit-intermediate-ca.pem "/C=US/O=matrix test/CN=critical extension CA" ca.pem ca.key crit_ca
leaf crit-ca "/C=US/O=matrix test/CN=localhost" crit-intermediate-ca.pem leaf crit-intermediate-ca.pem
leaf crit-root "/C=US/O=matrix test/CN=localhost" crit-root-ca.pem leaf

# Name constraints: one intermediate per name form, leaves inside and outside.
for form in dns ip email dir uri; do
  cert ca.key nc-$form-ca.pem "/C=US/O=matrix test/CN=name constraints $form CA" ca.pem ca.key nc_$form
done
leaf nc-dns-good "/O=matrix test/CN=ok.matrix.test" nc-dns-ca.pem dns_good nc-dns-ca.pem
leaf nc-dns-permitted "/O=matrix test/CN=evil.org" nc-dns-ca.pem dns_permitted nc-dns-ca.pem
leaf nc-dns-excluded "/O=matrix test/CN=www.evil.matrix.test" nc-dns-ca.pem dns_excluded nc-dns-ca.pem
leaf nc-dns-cn "/O=matrix test/CN=evil.org" nc-dns-ca.pem no_san nc-dns-ca.pem
leaf nc-ip-good "/O=matrix test/CN=ip" nc-ip-ca.pem ip_good nc-ip-ca.pem
leaf nc-ip-permitted "/O=matrix test/CN=ip" nc-ip-ca.pem ip_permitted nc-ip-ca.pem
leaf nc-ip-excluded "/O=matrix test/CN=ip" nc-ip-ca.pem ip_excluded nc-ip-ca.pem
leaf nc-email-good "/O=matrix test/CN=mail" nc-email-ca.pem email_good nc-email-ca.pem
leaf nc-email-permitted "/O=matrix test/CN=mail" nc-email-ca.pem email_permitted nc-email-ca.pem
leaf nc-email-excluded "/O=matrix test/CN=mail" nc-email-ca.pem email_excluded nc-email-ca.pem
leaf nc-email-subject "/O=matrix test/CN=mail/emailAddress=a@evil.org" nc-email-ca.pem email_subject nc-email-ca.pem
leaf nc-dir-good "/O=matrix test/CN=dir" nc-dir-ca.pem dir nc-dir-ca.pem
leaf nc-dir-permitted "/O=evil/CN=dir" nc-dir-ca.pem dir nc-dir-ca.pem
leaf nc-dir-excluded "/O=matrix test/OU=excluded/CN=dir" nc-dir-ca.pem dir nc-dir-ca.pem
leaf nc-uri "/O=matrix test/CN=localhost" nc-uri-ca.pem leaf nc-uri-ca.pem

# Version 1: as the trusted root (accepted), as an intermediate (refused).
leaf v1-anchor "/C=US/O=matrix test/CN=localhost" v1-ca.pem leaf
cert ca.key v1-intermediate-ca.pem "/C=US/O=matrix test/CN=v1 intermediate CA" ca.pem ca.key none
leaf v1-intermediate "/C=US/O=matrix test/CN=localhost" v1-intermediate-ca.pem leaf v1-intermediate-ca.pem

# An empty subjectAltName (GeneralNames is SIZE (1..MAX)).
leaf empty-san "/C=US/O=matrix test/CN=localhost" ca.pem empty_san

# An RSA key with e = 2: leaf.key's numbers with the exponent replaced. OpenSSL loads it
# without checking (it is what s_server presents); its certificate carries e = 2.
openssl rsa -in $L -traditional -outform DER -out "$work/leaf.der" 2>/dev/null
python3 - "$work/leaf.der" even-exponent.der <<'PY'
import sys
def read(b, i):
    t = b[i]; l = b[i + 1]; i += 2
    if l & 0x80:
        n = l & 0x7F; l = int.from_bytes(b[i:i + n], 'big'); i += n
    return t, b[i:i + l], i + l
def enc(t, v):
    n = len(v)
    if n < 0x80: h = bytes([n])
    else:
        L = n.to_bytes((n.bit_length() + 7) // 8, 'big'); h = bytes([0x80 | len(L)]) + L
    return bytes([t]) + h + v
d = open(sys.argv[1], 'rb').read()
_, body, _ = read(d, 0)
ints, i = [], 0
while i < len(body):
    t, v, i = read(body, i); ints.append(v)
ints[2] = b'\x02'  # version, n, e, d, p, q, dp, dq, qinv
open(sys.argv[2], 'wb').write(enc(0x30, b''.join(enc(0x02, v) for v in ints)))
PY
openssl rsa -inform DER -in even-exponent.der -traditional -out even-exponent.key 2>/dev/null
rm -f even-exponent.der
openssl rsa -in even-exponent.key -pubout -out "$work/even.pub" 2>/dev/null
openssl req -new -config "$conf" -key $L -subj "/C=US/O=matrix test/CN=localhost" -out "$work/req.csr"
serial=$((serial + 1))
openssl x509 -req -in "$work/req.csr" -CA ca.pem -CAkey ca.key -sha256 -set_serial "$serial" \
  -days 7300 -extfile "$conf" -extensions leaf -force_pubkey "$work/even.pub" \
  -out even-exponent.pem 2>/dev/null
cp even-exponent.pem even-exponent-chain.pem
openssl x509 -in even-exponent.pem -noout -text | grep -q 'Exponent: 2 (0x2)'

# Expired: a leaf, and an intermediate above a valid leaf.
dated $L expired-leaf.pem "/C=US/O=matrix test/CN=localhost" ca.pem ca.key leaf 20200101000000Z 20210101000000Z
cp expired-leaf.pem expired-leaf-chain.pem
dated ca.key expired-intermediate-ca.pem "/C=US/O=matrix test/CN=expired intermediate CA" ca.pem ca.key sub_ca 20200101000000Z 20210101000000Z
leaf expired-intermediate "/C=US/O=matrix test/CN=localhost" expired-intermediate-ca.pem leaf expired-intermediate-ca.pem

echo "hostile certificates generated"
