#!/bin/sh
# aox.sh AOX ARGS...: runs Archiveopteryx's admin CLI (AOX: its path, "aox" to find it on PATH) as root with ARGS, each
# one word exactly as given. aox takes passwords as arguments, so they show in the host's process list while it runs
# (a limit of aox, documented in the README).
set -u
. ./lib.sh
need_args 2 "$@"
aox=$1; shift
exec "$aox" "$@"
