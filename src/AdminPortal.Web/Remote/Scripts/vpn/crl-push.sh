#!/bin/sh
# crl-push.sh CONFIGDIR EXPECTED RECORD: writes crl.pem (its bytes on stdin) under the publishes' lock, only if the host's
# records are still EXPECTED (the portal read them and found this CRL newer; else EX_SUPERSEDED, nothing changed): mode 644,
# an mtime in a later whole second than the file it replaces (OpenVPN re-reads crl-verify only when size or whole-second
# mtime change), renamed into place; then RECORD (the CRL's numbers and SHA-256) as its record.
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 3 "$@"
d=$1; expected=$2; record=$3
need_dir "$d"
umask 022
mkdir -p -- "$d" || die "$EX_FAILED" "cannot create $d"
fence "$d" "$expected"
put "$d" crl.pem 644 later-second
printf '%s\n' "$record" | put "$d" "$CRL_RECORD" 644
echo "installed crl.pem"
