#!/bin/sh
# passwd-file.sh read PATH
#   prints the Dovecot passwd-file PATH (nothing when it does not exist).
# passwd-file.sh write PATH SHA256 LOCKDIR
#   replaces PATH with the bytes on stdin if, under the lock, PATH still has the SHA-256 the portal read (else exits
#   EX_SUPERSEDED: read again). Safe in a folder another account can write to:
#   - the lock file lives in LOCKDIR, a root-only folder (0700) made here, so nothing can be planted at its name;
#   - PATH is opened once and checked to be the regular file named there (never read through a symlink);
#   - the new file is made in a private staging folder (mktemp -d, 0700, entered once and checked) with the current
#     file's owner, group and mode (root 0640 for a new file) before any byte arrives, then renamed over PATH (mv -T);
#   - it is stamped a whole second later than the file it replaces (Dovecot re-reads a passwd-file only when its size
#     or whole-second mtime changed).
set -u
. ./lib.sh
need_args 2 "$@"
verb=$1; path=$2
case "$path" in /*) ;; *) die "$EX_USAGE" "not an absolute path: $path" ;; esac
dir=$(dirname -- "$path"); name=$(basename -- "$path")
umask 077

# open_current: opens PATH on fd 3 if it exists (0 when it does not: 1), refusing anything but the regular file named
# there. The check after the open compares the opened file with what the name holds now, so a swap in between is seen.
open_current() {
  if [ ! -e "$name" ] && [ ! -L "$name" ]; then return 1; fi
  if [ -L "$name" ]; then die "$EX_UNSAFE" "refusing $path: it is a symbolic link"; fi
  exec 3< "$name" || die "$EX_FAILED" "cannot open $path"
  opened=$(stat -L -c '%d:%i %F' /dev/fd/3) || exit "$EX_FAILED"
  named=$(stat -c '%d:%i %F' -- "$name") || exit "$EX_FAILED"
  case "$named" in *' regular file'|*' regular empty file') ;; *) die "$EX_UNSAFE" "refusing $path: it is not a regular file" ;; esac
  [ "$opened" = "$named" ] || die "$EX_UNSAFE" "refusing $path: it was replaced while being opened"
  return 0
}

[ -d "$dir" ] || die "$EX_MISSING" "no folder $dir"
no_symlink "$dir"

case "$verb" in
read)
  cd -P -- "$dir" || die "$EX_FAILED" "cannot enter $dir"
  open_current || exit "$EX_OK"
  exec cat <&3
  ;;
write)
  need_args 4 "$@"
  expected=$3; lockdir=$4
  case "$lockdir" in /*) ;; *) die "$EX_USAGE" "not an absolute path: $lockdir" ;; esac
  [ -d "$lockdir" ] || mkdir -m 700 -- "$lockdir" 2>/dev/null || [ -d "$lockdir" ] || die "$EX_FAILED" "cannot create $lockdir"
  no_symlink "$lockdir"
  [ "$(stat -c '%u %a' -- "$lockdir")" = "$(id -u) 700" ] || die "$EX_UNSAFE" "refusing the lock folder $lockdir: not ours with mode 0700"
  exec 9>> "$lockdir/passwd-file-$(printf '%s' "$path" | sha256sum | cut -c1-64).lock" || die "$EX_FAILED" "cannot open the lock"
  flock -w 10 9 || die "$EX_LOCKBUSY" "the passwd-file is locked by another writer"
  cd -P -- "$dir" || die "$EX_FAILED" "cannot enter $dir"
  if open_current; then
    current=$(sha256sum <&3 | cut -c1-64)
    read -r owner group mode old <<EOF_META
$(stat -L -c '%u %g %a %Y' /dev/fd/3)
EOF_META
  else
    current=$(printf '' | sha256sum | cut -c1-64); owner=0; group=0; mode=640; old=0
  fi
  [ "$current" = "$expected" ] || die "$EX_SUPERSEDED" "the passwd-file changed meanwhile"
  stage=$(mktemp -d -- "./.adminportal-XXXXXXXX") || die "$EX_FAILED" "cannot create a staging folder in $dir"
  cd -P -- "$stage" || die "$EX_FAILED" "cannot enter $stage"
  if [ "$(stat -c '%u %a' .)" != "$(id -u) 700" ] || [ -n "$(ls -A)" ]; then die "$EX_UNSAFE" "the staging folder $stage was replaced"; fi
  trap 'rm -f -- "$name.new"; cd .. && rmdir -- "${stage#./}" 2>/dev/null' EXIT
  : > "$name.new" || exit "$EX_FAILED"
  chown -h -- "$owner:$group" "$name.new" || exit "$EX_FAILED"
  chmod -- "$mode" "$name.new" || exit "$EX_FAILED"
  cat > "$name.new" || exit "$EX_FAILED"
  now=$(date +%s); [ "$now" -gt "$old" ] || now=$((old + 1))
  touch -m -d "@$now" -- "$name.new" || exit "$EX_FAILED"
  mv -T -f -- "$name.new" "../$name" || exit "$EX_FAILED"
  ;;
*) die "$EX_USAGE" "usage: passwd-file.sh read PATH | write PATH SHA256 LOCKDIR" ;;
esac
