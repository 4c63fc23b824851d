#!/bin/sh
# account-disable.sh USER LOGIN-USER: locks USER's password and expires the account as root, so that no login (key or
# password) works. Refuses root, any uid 0 account and LOGIN-USER (the portal's own login account).
set -u
. ./lib.sh
need_args 2 "$@"
u=$1; login=$2
case "$u" in ''|-*) die "$EX_USAGE" "not a user name: $u" ;; esac
if [ "$u" = root ] || [ "$u" = "$login" ]; then die "$EX_UNSAFE" "refusing to disable $u: it is root or the portal's login user"; fi
uid=$(id -u -- "$u" 2>/dev/null) || die "$EX_MISSING" "no user $u"
[ "$uid" != 0 ] || die "$EX_UNSAFE" "refusing to disable $u: it has uid 0"
usermod -L -e 1 -- "$u" || exit "$EX_FAILED"
echo "disabled $u"
