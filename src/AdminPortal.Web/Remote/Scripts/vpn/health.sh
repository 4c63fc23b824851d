#!/bin/sh
# health.sh CONFIGDIR MODE SERVICE SOCKET: alive (service active, or the pidfile's process) and the management interface
# answers "state"; bounded, 15 s. Otherwise OpenVPN's last lines on stderr.
set -u
. ./lib.sh
. ./vpn/openvpn.sh
need_args 4 "$@"
d=$1; mode=$2; service=$3; sock=$4
pidf="$d/openvpn.pid"
i=0
while [ $i -lt 75 ]; do
  if [ "$mode" = systemd ]; then
    up=0; if systemctl is-active --quiet -- "$service"; then up=1; fi
  else
    p=$(cat -- "$pidf" 2>/dev/null || true)
    if [ -n "$p" ] && ! alive "$p"; then echo "OpenVPN (pid $p) exited" >&2; break; fi
    up=0; if [ -n "$p" ] && alive "$p"; then up=1; fi
  fi
  if [ $up = 1 ] && printf 'state\n' | mgmt "$sock" 1 2>/dev/null | grep -q '^END'; then
    echo "healthy: running, the management interface answers"; exit 0
  fi
  sleep 0.2
  i=$((i+1))
done
echo "not healthy (not running, or the management interface did not answer within 15 s). OpenVPN's last lines:" >&2
if [ "$mode" = systemd ]; then journalctl -u "$service" -n 12 --no-pager -o cat >&2
else grep -v 'MANAGEMENT:' "$d/openvpn.log" | tail -n 12 | sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} //' >&2
fi
exit "$EX_FAILED"
