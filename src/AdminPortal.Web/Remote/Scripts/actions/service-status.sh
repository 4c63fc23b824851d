#!/bin/sh
# service-status.sh UNIT: systemd's status of UNIT (the portal checked it against the host's allow-list). Runs as the
# login user (reads only); exits with systemctl's code (3: not active).
set -u
. ./lib.sh
need_args 1 "$@"
exec systemctl status --no-pager -- "$1"
