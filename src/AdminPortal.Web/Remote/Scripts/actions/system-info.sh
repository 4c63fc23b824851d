#!/bin/sh
# system-info.sh: kernel, uptime, disk and memory use. Runs as the login user (reads only).
uname -a; echo; uptime; echo; df -h /; echo; free -m 2>/dev/null || true
