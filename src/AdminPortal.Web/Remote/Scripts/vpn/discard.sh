#!/bin/sh
# discard.sh CONFIGDIR GENERATION: removes this publish's staging folder (it will not install).
set -u
. ./lib.sh
. ./vpn/records.sh
need_args 2 "$@"
d=$1; gen=$2
need_dir "$d"; need_number "$gen"
rm -rf -- "$d/.staged-$gen"
