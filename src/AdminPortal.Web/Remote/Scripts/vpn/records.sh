# shellcheck shell=sh
# Included by the vpn scripts after lib.sh: the config directory's records and the publishes' lock. The portal reads the
# records (state.sh), decides, and a script that changes the directory goes on only if they are still what it read (fence).
# shellcheck disable=SC2034
GENERATION_FILE=.adminportal-publish-generation
LOCK_FILE=.adminportal-publish.lock
CRL_RECORD=.adminportal-crl-number
CCD_JOURNAL=.adminportal-ccd-generations
LOCK_WAIT=60
# shellcheck disable=SC2034
# The server files a publish installs (constants, not values).
SERVER_FILES="server.conf ca.pem server.crt server.key tls-crypt.key crl.pem"

# need_dir DIR: an absolute path that is not a symlink.
need_dir() {
  case "$1" in /*) ;; *) die "$EX_USAGE" "not an absolute path: $1" ;; esac
  no_symlink "$1"
}

# need_number VALUE: digits only.
need_number() { case "$1" in ''|*[!0-9]*) die "$EX_USAGE" "not a number: $1" ;; esac; }

# sha FILE: the file's SHA-256, or "none" when it is absent.
sha() { if [ -f "$1" ]; then sha256sum < "$1" | cut -d' ' -f1; else echo none; fi; }

# host_generation DIR: the installed publish generation (0 when none).
host_generation() { if [ -e "$1/$GENERATION_FILE" ]; then cat -- "$1/$GENERATION_FILE"; else echo 0; fi; }

# state_token DIR: what a compare-and-swap compares: the generation and the hashes of crl.pem, its record and the ccd journal.
state_token() { printf 'g%s:c%s:r%s:j%s' "$(host_generation "$1")" "$(sha "$1/crl.pem")" "$(sha "$1/$CRL_RECORD")" "$(sha "$1/$CCD_JOURNAL")"; }

# lock DIR: takes the publishes' lock on descriptor 9, held until the script exits (close 9 for a daemon the script starts).
lock() {
  no_symlink "$1/$LOCK_FILE"
  exec 9>> "$1/$LOCK_FILE" || die "$EX_FAILED" "cannot open $1/$LOCK_FILE"
  flock -w "$LOCK_WAIT" 9 || die "$EX_LOCKBUSY" "another publish or push held $1/$LOCK_FILE for $LOCK_WAIT s; nothing changed"
}

# fence DIR EXPECTED: takes the lock, then goes on only if the host's records are still what the portal read (its whole
# state_token, or "gN" for the generation alone); otherwise nothing changed: exit EX_SUPERSEDED, the portal reads again.
fence() {
  lock "$1"
  case "$2" in
    g*:*) now=$(state_token "$1") ;;
    *) now=g$(host_generation "$1") ;;
  esac
  [ "$now" = "$2" ] || die "$EX_SUPERSEDED" "the host's records changed since the portal read them; nothing changed"
}

# put DIR NAME MODE [later-second]: replaces DIR/NAME (a folder only root writes) with stdin: a temp file made exclusively
# with its final mode before any byte, then rename(2) over the name (a symlink there is replaced, never followed).
put() {
  t=$(mktemp -- "$1/.$2.XXXXXXXX") || die "$EX_FAILED" "cannot create a temp file in $1"
  if ! chmod -- "$3" "$t" || ! cat > "$t"; then rm -f -- "$t"; die "$EX_FAILED" "cannot write $t"; fi
  if [ "${4:-}" = later-second ]; then
    old=$(stat -c %Y -- "$1/$2" 2>/dev/null || echo 0); now=$(date +%s)
    [ "$now" -gt "$old" ] || now=$((old + 1))
    touch -m -d "@$now" -- "$t"
  fi
  mv -T -f -- "$t" "$1/$2" || { rm -f -- "$t"; die "$EX_FAILED" "cannot rename $t"; }
}
