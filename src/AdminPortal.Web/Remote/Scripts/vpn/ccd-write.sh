#!/bin/sh
# ccd-write.sh CONFIGDIR NAME EXPECTED write|remove JOURNAL: under the publishes' lock and only if the host's records are still
# EXPECTED (else EX_SUPERSEDED, nothing changed): replaces ccd/NAME with stdin (mode 644; OpenVPN reads it at each connect)
# or removes it, then JOURNAL (each ccd file's last push generation, so that an older publish keeps this push) as the journal.
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 5 "$@"
d=$1; name=$2; expected=$3; action=$4; journal=$5
need_dir "$d"
case "$name" in ''|.*|*/*) die "$EX_USAGE" "not a ccd file name: $name" ;; esac
case "$action" in write|remove) ;; *) die "$EX_USAGE" "the action is write or remove: $action" ;; esac
umask 022
mkdir -p -- "$d" || die "$EX_FAILED" "cannot create $d"
fence "$d" "$expected"
if [ ! -d "$d/ccd" ]; then mkdir -m 755 -- "$d/ccd" || die "$EX_FAILED" "cannot create $d/ccd"; fi
no_symlink "$d/ccd"
if [ "$action" = write ]; then put "$d/ccd" "$name" 644; echo "wrote ccd/$name"
else rm -f -- "$d/ccd/$name"; echo "removed ccd/$name"; fi
printf '%s' "$journal" | put "$d" "$CCD_JOURNAL" 644
