#!/bin/sh
# fetch.sh CONFIGDIR: the deployed files: public ones in base64 ("FILE NAME B64"), secret ones only as their SHA-256 ("HASH
# NAME SHA"), absent ones as "MISSING NAME".
set -u
. ./lib.sh
need_args 1 "$@"
d=$1
for f in server.conf ca.pem server.crt crl.pem; do
  if [ -f "$d/$f" ]; then printf 'FILE %s ' "$f"; base64 -w0 < "$d/$f"; printf '\n'; else printf 'MISSING %s\n' "$f"; fi
done
for f in "$d"/ccd/*; do
  [ -f "$f" ] || continue
  printf 'FILE ccd/%s ' "$(basename -- "$f")"; base64 -w0 < "$f"; printf '\n'
done
for f in server.key tls-crypt.key; do
  if [ -f "$d/$f" ]; then printf 'HASH %s %s\n' "$f" "$(sha256sum < "$d/$f" | cut -d' ' -f1)"; else printf 'MISSING %s\n' "$f"; fi
done
