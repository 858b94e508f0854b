#!/bin/sh
# Writes the components of an RSA key as `name=HEX` lines (n, e, d, p, q, dp, dq, qinv;
# big-endian), what a build without private-key parsing compiles in instead of a key file
# (matrix-ssl's `Keys::load_rsa_keys_components`). Derived from the committed key, so it
# can run alone:  sh testkeys/components.sh testkeys/rsa2048/server.key > out.txt
set -eu
openssl rsa -in "$1" -text -noout 2>/dev/null | awk '
  function flush() { if (name != "") print name "=" toupper(hex); name = ""; hex = "" }
  /^modulus:/         { flush(); name = "n";  next }
  /^publicExponent:/  { flush(); e = $0; sub(/.*\(0x/, "", e); sub(/\).*/, "", e)
                        if (length(e) % 2) e = "0" e; print "e=" toupper(e); next }
  /^privateExponent:/ { flush(); name = "d";  next }
  /^prime1:/          { flush(); name = "p";  next }
  /^prime2:/          { flush(); name = "q";  next }
  /^exponent1:/       { flush(); name = "dp"; next }
  /^exponent2:/       { flush(); name = "dq"; next }
  /^coefficient:/     { flush(); name = "qinv"; next }
  /^ / && name != ""  { line = $0; gsub(/[ :]/, "", line); hex = hex line; next }
  END                 { flush() }
'
