#!/usr/bin/env bash
# The sign-in page under 1,000 concurrent connections, against nginx serving a static file of the same size, in the same run.
#
#   bash tests/load/login-load.sh            # 1,000 connections, 30 s each (as the issue asks)
#   CONNECTIONS=200 DURATION=10s bash tests/load/login-load.sh
#
# Installs wrk and nginx when missing (no service is started: nginx runs by PID with its own config), publishes
# the portal (Release) and runs it as a real process in Production on a private PostgreSQL 15 cluster (fsync on),
# fetches GET /account/login once and gives nginx exactly those bytes as a static file, warms the portal up
# (not measured), then runs `wrk -t2 -cN -dD --latency` one after the other against nginx, the portal's own
# static file and the sign-in page. Each sign-in page is a new visitor's (wrk sends no cookie): a server render
# with a new antiforgery token and its cookie. The POST of a password is not loaded: sign-in attempts are
# rate-limited and lock accounts, by design. Writes tests/load/RESULTS-LOGIN.md and exits 1 if the portal
# failed any request. Every process it starts is stopped by its PID when it ends, also on failure or Ctrl+C.
set -euo pipefail

CONNECTIONS=${CONNECTIONS:-1000}
DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-10s}
TIMEOUT=${TIMEOUT:-10s} # wrk's default is 2 s; a request slower than TIMEOUT counts as failed
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RESULTS=${RESULTS:-$ROOT/tests/load/RESULTS-LOGIN.md}
source "$ROOT/tests/load/lib.sh"
make_work login-load

install_missing wrk=wrk nginx=nginx
ulimit -n 20000
prepare_portal
start_portal

mkdir -p "$WORK/www"
curl -fsS "$PORTAL/account/login" >"$WORK/www/login.html"
grep -q 'name="__RequestVerificationToken"' "$WORK/www/login.html" || { log "the sign-in page has no form"; exit 1; }
BYTES=$(stat -c %s "$WORK/www/login.html")
log "sign-in page: $BYTES bytes"
NGINX_TYPE=text/html start_nginx "$WORK/www"
wait_http "http://127.0.0.1:$NGINX_PORT/login.html"

log "warming the portal up ($WARMUP on its static file, then $WARMUP on the sign-in page, $CONNECTIONS connections; not measured)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" "$PORTAL/favicon.svg" >"$WORK/warmup-static.txt"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" "$PORTAL/account/login" >"$WORK/warmup.txt"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/login.html"
run_wrk static "$PORTAL/favicon.svg"
run_wrk login "$PORTAL/account/login"

L_RPS=$(rps login) N_RPS=$(rps nginx) S_RPS=$(rps static) L_P99=$(p99 login) N_P99=$(p99 nginx) S_P99=$(p99 static)
L_FAIL=$(failed login)
TABLE=$(cat <<MD
| \`wrk -c$CONNECTIONS -d$DURATION\` | requests/s | p99 latency | completed requests | failed requests | load average (1 min) after |
|---|---:|---:|---:|---:|---:|
| nginx, the sign-in page's bytes as a static file ($BYTES bytes) | $N_RPS | $N_P99 ms | $(completed nginx) | $(failed nginx) | $(cat "$WORK/nginx.load") |
| portal, its own static file \`/favicon.svg\` | $S_RPS | $S_P99 ms | $(completed static) | $(failed static) | $(cat "$WORK/static.load") |
| portal, \`GET /account/login\` (a new visitor each: server render, antiforgery token and cookie) | $L_RPS | $L_P99 ms | $(completed login) | $L_FAIL | $(cat "$WORK/login.load") |
| **sign-in page / nginx** | **$(ratio "$L_RPS" "$N_RPS")** | $(ratio "$L_P99" "$N_P99")x | | | |
| sign-in page / the portal's static file | $(ratio "$L_RPS" "$S_RPS") | $(ratio "$L_P99" "$S_P99")x | | | |
MD
)
CPU_TABLE=$(cat <<MD
| CPU per completed request, µs | portal | PostgreSQL | wrk | nginx |
|---|---:|---:|---:|---:|
| nginx, static file | $(per_request nginx) |
| portal, its own static file | $(per_request static) |
| portal, sign-in page | $(per_request login) |
MD
)
echo; echo "$TABLE"; echo; echo "$CPU_TABLE"

cat >"$RESULTS" <<MD
# Sign-in page under load

Written by \`bash tests/load/login-load.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r); load average (1, 5, 15 min)
before the measured runs: $LOAD_BEFORE. \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $TIMEOUT --latency\` on the same machine, one after the
other: nginx $("$NGINX" -v 2>&1 | cut -d/ -f2) serving the sign-in page's exact bytes, the portal's own static file, then the sign-in page of the portal
(Release build, Production environment, PostgreSQL 15 with fsync on) after a warm-up of $WARMUP on each portal path. Client and
servers share the same cores, and the machine is shared with other work: read the ratio.

$TABLE

Where the CPU went (process CPU time during each run from /proc, divided by the requests wrk completed):

$CPU_TABLE

$(wrk_outputs nginx "nginx" static "the portal's static file" login "the sign-in page")
MD
log "wrote $RESULTS"
[[ $L_FAIL -eq 0 ]] || { log "the portal failed $L_FAIL requests of the sign-in page"; exit 1; }
