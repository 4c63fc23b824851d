#!/bin/sh
# service-restart.sh UNIT: restarts UNIT (from the host's allow-list) as root, then prints whether it is active.
set -u
. ./lib.sh
need_args 1 "$@"
systemctl restart -- "$1" || exit "$EX_FAILED"
exec systemctl is-active -- "$1"
