#!/bin/sh
# restore.sh CONFIGDIR EXPECTED KEEPCRL: under the publishes' lock and only if the host's records are still EXPECTED (else
# EX_SUPERSEDED): puts the backed-up files back (removing the ones that did not exist before); crl.pem and its record only
# when KEEPCRL is 0 (the portal found the backed-up CRL newer than the installed one). ccd/ stays as it is: it holds the
# pushes made since, which reported success.
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 3 "$@"
d=$1; expected=$2; keepcrl=$3
need_dir "$d"
case "$keepcrl" in 0|1) ;; *) die "$EX_USAGE" "KEEPCRL is 0 or 1: $keepcrl" ;; esac
fence "$d" "$expected"
p="$d/.previous"
[ -d "$p" ] || die "$EX_MISSING" "nothing to restore: $p is missing"
set -e
for f in $SERVER_FILES; do
  if [ "$f" = crl.pem ] && [ "$keepcrl" = 1 ]; then continue; fi
  if [ -e "$p/$f.absent" ]; then rm -f -- "$d/$f"; elif [ -e "$p/$f" ]; then mv -f -- "$p/$f" "$d/$f"; fi
done
if [ "$keepcrl" = 0 ]; then
  if [ -e "$p/$CRL_RECORD" ]; then mv -f -- "$p/$CRL_RECORD" "$d/$CRL_RECORD"; else rm -f -- "$d/$CRL_RECORD"; fi
fi
echo "restored the previous files"
