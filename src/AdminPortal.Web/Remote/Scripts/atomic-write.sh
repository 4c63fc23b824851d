#!/bin/sh
# atomic-write.sh PATH OWNER GROUP MODE [later-second]
# (GROUP empty: OWNER's login group, as chown OWNER: gives it.)
# Replaces PATH with the bytes on stdin, the way install(1) does, safely in a folder other accounts can write to:
# - a private staging folder (mktemp -d: created exclusively, 0700, root's) inside PATH's folder, entered once with
#   cd and checked there, so nothing another account does to names can redirect a write;
# - the file is created in it with its final owner and mode before any byte arrives (no other account can open it);
# - then rename(2) over PATH with mv -T (a symlink at PATH is replaced, never followed).
# "later-second" gives the new file an mtime in a later whole second than the one it replaces (OpenVPN's crl-verify and
# Dovecot's passwd-file are re-read only when size or whole-second mtime change).
set -u
. ./lib.sh
need_args 4 "$@"
path=$1; owner=$2; group=$3; mode=$4; stamp=${5:-}
case "$path" in /*) ;; *) die "$EX_USAGE" "not an absolute path: $path" ;; esac
case "$mode" in [0-7][0-7][0-7]|[0-7][0-7][0-7][0-7]) ;; *) die "$EX_USAGE" "not an octal mode: $mode" ;; esac
dir=$(dirname -- "$path"); name=$(basename -- "$path")
[ -d "$dir" ] || die "$EX_MISSING" "no folder $dir"
no_symlink "$dir"
if [ -e "$path" ] && [ ! -f "$path" ] && [ ! -L "$path" ]; then die "$EX_UNSAFE" "refusing $path: it is not a regular file"; fi
umask 077
stage=$(mktemp -d -- "$dir/.adminportal-XXXXXXXX") || die "$EX_FAILED" "cannot create a staging folder in $dir"
cd -P -- "$stage" || die "$EX_FAILED" "cannot enter $stage"
# The folder we are in must be the one mktemp made: root's (or ours), 0700 and empty.
if [ "$(stat -c '%u %a' .)" != "$(id -u) 700" ] || [ -n "$(ls -A)" ]; then die "$EX_UNSAFE" "the staging folder $stage was replaced"; fi
trap 'rm -f -- "$name.new"; cd / && rmdir -- "$stage" 2>/dev/null' EXIT
: > "$name.new" || exit "$EX_FAILED"
chown -h -- "$owner:$group" "$name.new" || exit "$EX_FAILED"
chmod -- "$mode" "$name.new" || exit "$EX_FAILED"
cat > "$name.new" || exit "$EX_FAILED"
if [ "$stamp" = later-second ]; then
  old=$(stat -c %Y -- "$path" 2>/dev/null || echo 0); now=$(date +%s)
  [ "$now" -gt "$old" ] || now=$((old + 1))
  touch -m -d "@$now" -- "$name.new" || exit "$EX_FAILED"
fi
mv -T -f -- "$name.new" "$path" || exit "$EX_FAILED"
printf 'wrote %s bytes to %s (owner %s:%s, mode %s)\n' "$(stat -c %s -- "$path")" "$path" "$owner" "$group" "$mode"
