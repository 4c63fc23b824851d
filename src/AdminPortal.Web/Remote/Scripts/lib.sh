# shellcheck shell=sh
# Shared by every host script (inlined where a script has the line ". ./lib.sh"). The exit codes are ScriptExit's.
# shellcheck disable=SC2034
EX_OK=0
EX_FAILED=1
EX_USAGE=64
EX_MISSING=66
EX_LOCKBUSY=75
EX_UNSAFE=77
EX_SUPERSEDED=79

# die CODE MESSAGE: the message on stderr, exit CODE.
die() { code=$1; shift; printf '%s\n' "$*" >&2; exit "$code"; }

# need_args N "$@": exit EX_USAGE unless at least N arguments were given.
need_args() { n=$1; shift; [ "$#" -ge "$n" ] || die "$EX_USAGE" "usage: expected $n argument(s), got $#"; }

# no_symlink PATH: refuse (EX_UNSAFE) when PATH is a symlink.
no_symlink() { if [ -L "$1" ]; then die "$EX_UNSAFE" "refusing $1: it is a symbolic link"; fi; }
