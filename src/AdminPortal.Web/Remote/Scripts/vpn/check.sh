#!/bin/sh
# check.sh CONFIGDIR GENERATION [NETNS]: starts OpenVPN on the staged files (its real parsing and key, certificate and CRL
# loading) on an ephemeral port, without addresses or routes and with a management socket of its own, in the network
# namespace when given; accepted when it reaches "Initialization Sequence Completed" (bounded, 10 s). The running server is
# untouched. On refusal, OpenVPN's own lines go to stderr.
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 2 "$@"
d=$1; gen=$2; ns=${3:-}
need_dir "$d"; need_number "$gen"
st="$d/.staged-$gen"
[ -d "$st" ] || die "$EX_MISSING" "the staged files are gone: a newer publish of this server was installed meanwhile"
log=$(mktemp /tmp/ovpn-check-XXXXXX.log)
sock=$(mktemp -u /tmp/ovpn-check-XXXXXX.sock)
if [ -n "$ns" ]; then set -- ip netns exec "$ns" openvpn; else set -- openvpn; fi
"$@" --cd "$st" --config server.conf --ifconfig-noexec --route-noexec --lport 0 --management "$sock" unix --log "$log" --verb 3 >/dev/null 2>&1 &
p=$!
ok=0
i=0
while [ $i -lt 100 ]; do
  if grep -q 'Initialization Sequence Completed' "$log"; then ok=1; break; fi
  kill -0 "$p" 2>/dev/null || break
  sleep 0.1
  i=$((i+1))
done
kill "$p" 2>/dev/null
wait "$p" 2>/dev/null
if [ $ok = 1 ]; then echo "OpenVPN accepted the configuration (trial start on the staged files)"; rm -f -- "$log" "$sock"; exit 0; fi
echo "OpenVPN refused the configuration:" >&2
grep -v -E ' (WARNING|NOTE|Note|DEPRECATED)' "$log" | sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} //' | tail -n 12 >&2
rm -f -- "$log" "$sock"
exit "$EX_FAILED"
