#!/bin/sh
# install.sh CONFIGDIR GENERATION EXPECTED KEEPCRL [CCDNAME...]: under the publishes' lock and only if the host's records are
# still EXPECTED (what the portal read and decided on; else EX_SUPERSEDED, nothing changed): copies the deployed files to
# .previous/ (marking the ones that did not exist), renames the staged ones into place (crl.pem and its record only when
# KEEPCRL is 0: the portal found the installed CRL older), puts the staged ccd/ in place of the deployed one, carrying over
# from the deployed one each CCDNAME (a push newer than this publish: the file as it is, or its absence), records GENERATION
# and removes the staging folders of this and older publishes.
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 4 "$@"
d=$1; gen=$2; expected=$3; keepcrl=$4
shift 4
need_dir "$d"; need_number "$gen"
case "$keepcrl" in 0|1) ;; *) die "$EX_USAGE" "KEEPCRL is 0 or 1: $keepcrl" ;; esac
fence "$d" "$expected"
st="$d/.staged-$gen"
[ -d "$st/ccd" ] || die "$EX_MISSING" "the staged files are gone: a newer publish of this server was installed meanwhile"
set -e
rm -rf -- "$d/.previous"
mkdir -m 700 -- "$d/.previous"
for f in $SERVER_FILES; do
  if [ -e "$d/$f" ]; then cp -p -- "$d/$f" "$d/.previous/$f"; else : > "$d/.previous/$f.absent"; fi
done
if [ -e "$d/$CRL_RECORD" ]; then cp -p -- "$d/$CRL_RECORD" "$d/.previous/$CRL_RECORD"; fi
echo "backed up the deployed files to $d/.previous"
for f in $SERVER_FILES; do
  if [ "$f" = crl.pem ] && [ "$keepcrl" = 1 ]; then continue; fi
  mv -f -- "$st/$f" "$d/$f"
done
if [ "$keepcrl" = 0 ]; then mv -f -- "$st/$CRL_RECORD" "$d/$CRL_RECORD"; fi
for n in "$@"; do
  case "$n" in ''|.*|*/*) die "$EX_USAGE" "not a ccd file name: $n" ;; esac
  if [ -f "$d/ccd/$n" ]; then cp -p -- "$d/ccd/$n" "$st/ccd/$n"; echo "kept ccd/$n: pushed after this publish rendered"
  else rm -f -- "$st/ccd/$n"; fi
done
rm -rf -- "$d/ccd.old"
if [ -d "$d/ccd" ]; then mv -- "$d/ccd" "$d/ccd.old"; fi
mv -- "$st/ccd" "$d/ccd"
rm -rf -- "$d/ccd.old"
printf '%s\n' "$gen" | put "$d" "$GENERATION_FILE" 644
for old in "$d"/.staged-* "$d/.staged"; do
  n=${old##*/.staged}; n=${n#-}
  case "$n" in ''|*[!0-9]*) if [ "$old" = "$d/.staged" ]; then rm -rf -- "$old"; fi; continue ;; esac
  if [ "$n" -le "$gen" ]; then rm -rf -- "$old"; fi
done
echo "installed: server.conf, ca.pem, server.crt, server.key, tls-crypt.key, crl.pem (publish generation $gen)"
