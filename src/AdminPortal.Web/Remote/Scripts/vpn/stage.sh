#!/bin/sh
# stage.sh CONFIGDIR GENERATION: unpacks this publish's files (a tar on stdin, each entry with its final mode) into its
# staging folder, as root. The folder is root's and 0700, so no file in it is readable by another account at any moment.
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 2 "$@"
d=$1; gen=$2
need_dir "$d"; need_number "$gen"
st="$d/.staged-$gen"
[ -d "$st" ] || die "$EX_MISSING" "the staging folder $st is gone: a newer publish of this server was installed meanwhile"
no_symlink "$st"
[ "$(stat -c '%u %a' -- "$st")" = "$(id -u) 700" ] || die "$EX_UNSAFE" "refusing $st: not root's with mode 700"
umask 077
tar -x -C "$st" --no-same-owner --same-permissions -f - || die "$EX_FAILED" "cannot unpack the files into $st"
echo "staged $(find "$st" -type f | wc -l) file(s)"
