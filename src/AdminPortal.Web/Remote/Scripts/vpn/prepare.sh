#!/bin/sh
# prepare.sh CONFIGDIR GENERATION: the config directory (0755) and this publish's own staging folder in it, root's and 0700
# from its first moment (no other account can open what is staged there), with an empty ccd/.
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 2 "$@"
d=$1; gen=$2
need_dir "$d"; need_number "$gen"
umask 022
mkdir -p -- "$d" || die "$EX_FAILED" "cannot create $d"
no_symlink "$d"
st="$d/.staged-$gen"
rm -rf -- "$st"
umask 077
mkdir -m 700 -- "$st" || die "$EX_FAILED" "cannot create $st"
mkdir -m 755 -- "$st/ccd" || die "$EX_FAILED" "cannot create $st/ccd"
echo "staging in $st (mode 700)"
