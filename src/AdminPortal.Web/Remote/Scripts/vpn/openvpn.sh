# shellcheck shell=sh
# Included by restart.sh and health.sh after lib.sh: OpenVPN's process and management interface.

# alive PID: the process exists and is not a zombie.
alive() { st=$(sed -E 's/.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$st" ] && [ "$st" != Z ]; }

# mgmt SOCKET COUNT: sends stdin (management commands) to the socket, waits (bounded, 10 s) until COUNT answers ended (END,
# SUCCESS: or ERROR:), then sends quit and prints the answers. Quitting earlier loses them: OpenVPN closes the connection
# before it flushes what it queued.
mgmt() {
  out=$(mktemp /tmp/ovpn-mgmt-XXXXXX)
  # The loop reads what socat writes to $out so far: on purpose.
  # shellcheck disable=SC2094
  { cat; n=0; while [ $n -lt 200 ] && [ "$(grep -c -E '^(END|SUCCESS:|ERROR:)' "$out")" -lt "$2" ]; do sleep 0.05; n=$((n+1)); done; printf 'quit\n'; } \
    | socat -t 5 - "UNIX-CONNECT:$1" > "$out"
  rc=$?
  cat "$out"
  rm -f -- "$out"
  [ $rc -eq 0 ]
}
