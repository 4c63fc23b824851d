#!/bin/sh
# account-create.sh USER LOGIN-USER: creates the unix user USER (home, /bin/bash, no password) as root and installs the
# authorized_keys line on stdin. Refuses root and LOGIN-USER (the portal's own login account). The new ~/.ssh is root's
# until it holds its file, then given to USER: nothing in a pre-existing home can redirect the write.
set -u
. ./lib.sh
need_args 2 "$@"
u=$1; login=$2
case "$u" in ''|-*) die "$EX_USAGE" "not a user name: $u" ;; esac
if [ "$u" = root ] || [ "$u" = "$login" ]; then die "$EX_UNSAFE" "refusing to create $u: it is root or the portal's login user"; fi
useradd -m -s /bin/bash -- "$u" || exit "$EX_FAILED"
usermod -p '*' -- "$u" || exit "$EX_FAILED"
h=$(getent passwd "$u" | cut -d: -f6)
case "$h" in /*) ;; *) die "$EX_FAILED" "no home for $u" ;; esac
no_symlink "$h"
cd -P -- "$h" || die "$EX_FAILED" "cannot enter $h"
if [ -e .ssh ] || [ -L .ssh ]; then die "$EX_UNSAFE" "refusing: $h/.ssh already exists"; fi
umask 077
mkdir -m 700 .ssh || exit "$EX_FAILED"
cd .ssh || exit "$EX_FAILED"
cat > authorized_keys || exit "$EX_FAILED"
chown -h -- "$u:" authorized_keys || exit "$EX_FAILED"
chmod 600 authorized_keys || exit "$EX_FAILED"
cd .. || exit "$EX_FAILED"
chown -h -- "$u:" .ssh || exit "$EX_FAILED"
echo "created $u with home $h"
