#!/bin/sh
# restart.sh CONFIGDIR FENCE MODE SERVICE NAME NETNS SOCKET: under the publishes' lock, only while the host's generation is
# FENCE ("gN"; else EX_SUPERSEDED, nothing changed). systemd MODE: systemctl restart SERVICE. daemon MODE: stop the pidfile's
# OpenVPN (bounded), start openvpn --daemon NAME on CONFIGDIR/server.conf (in network namespace NETNS when not empty).
set -u
. ./lib.sh
. ./vpn/records.sh
. ./vpn/openvpn.sh
need_args 7 "$@"
d=$1; fenced=$2; mode=$3; service=$4; name=$5; ns=$6; sock=$7
need_dir "$d"
fence "$d" "$fenced"
if [ "$mode" = systemd ]; then
  systemctl restart -- "$service" 9>&- || exit "$EX_FAILED"
  echo "restarted $service"
  exit 0
fi
[ "$mode" = daemon ] || die "$EX_USAGE" "MODE is systemd or daemon: $mode"
pidf="$d/openvpn.pid"
if [ -f "$pidf" ]; then
  p=$(cat -- "$pidf")
  if [ -n "$p" ] && alive "$p" && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = openvpn ]; then
    kill "$p"
    i=0; while [ $i -lt 100 ] && alive "$p"; do sleep 0.1; i=$((i+1)); done
    if alive "$p"; then kill -9 "$p"; fi
    echo "stopped OpenVPN (pid $p)"
  fi
  rm -f -- "$pidf"
fi
rm -f -- "$sock"
if [ -n "$ns" ]; then set -- ip netns exec "$ns" openvpn; else set -- openvpn; fi
# The daemon does not get the lock's descriptor: it would hold the lock for as long as it runs.
"$@" --daemon "openvpn-$name" --writepid "$pidf" --log-append "$d/openvpn.log" --cd "$d" --config server.conf 9>&- || exit "$EX_FAILED"
if [ -n "$ns" ]; then echo "started OpenVPN in network namespace $ns"; else echo "started OpenVPN"; fi
