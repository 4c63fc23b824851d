#!/bin/sh
# management.sh SOCKET COUNT: the management commands on stdin (COUNT of them), then quit; prints every answer.
set -u
. ./lib.sh
. ./vpn/openvpn.sh
need_args 2 "$@"
case "$2" in ''|*[!0-9]*) die "$EX_USAGE" "not a number: $2" ;; esac
mgmt "$1" "$2"
