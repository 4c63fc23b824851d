#!/bin/sh
# read.sh PATH: the file's bytes on stdout.
set -u
. ./lib.sh
need_args 1 "$@"
exec cat -- "$1"
