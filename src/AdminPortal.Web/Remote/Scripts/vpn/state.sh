#!/bin/sh
# state.sh CONFIGDIR: the records the portal decides on, one per line: "token T" (what fence compares), "generation N",
# "record LINE" (the installed CRL's record), "previous LINE" (the backed-up one), "ccd GEN NAME" (the ccd journal).
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 1 "$@"
d=$1
need_dir "$d"
printf 'token %s\n' "$(state_token "$d")"
printf 'generation %s\n' "$(host_generation "$d")"
printf 'crl-sha256 %s\n' "$(sha "$d/crl.pem")"
if [ -f "$d/$CRL_RECORD" ]; then sed 's/^/record /' -- "$d/$CRL_RECORD"; fi
if [ -f "$d/.previous/$CRL_RECORD" ]; then sed 's/^/previous /' -- "$d/.previous/$CRL_RECORD"; fi
if [ -f "$d/$CCD_JOURNAL" ]; then sed 's/^/ccd /' -- "$d/$CCD_JOURNAL"; fi
exit 0
