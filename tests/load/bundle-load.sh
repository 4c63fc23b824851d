#!/usr/bin/env bash
# Load test of the authenticated bundle endpoint against nginx serving the same bytes, in the same run.
#
#   bash tests/load/bundle-load.sh            # 1,000 connections, 30 s each (as the issue asks)
#   CONNECTIONS=200 DURATION=10s TIMEOUT=2s bash tests/load/bundle-load.sh
#   PROFILE=1 KEEP=1 bash tests/load/bundle-load.sh   # also a 10 s dotnet-trace (sampled thread time) of each portal run,
#                                                    # kept in the work folder (needs `dotnet tool install -g dotnet-trace`)
#
# Installs wrk and nginx when missing (no service is started: nginx runs by PID with its own config),
# publishes the portal (Release) and runs it as a real process in the Production environment on a private
# PostgreSQL 15 cluster made for the run (production durability: fsync and synchronous_commit on), creates a CA, a profile, a user and two API tokens through
# the CLI and the API, fetches the bundle once and gives nginx exactly those bytes, then runs
# `wrk -t2 -cN -dD --latency` against nginx, against the portal's own static file (the floor of its
# pipeline: Kestrel, middleware, no database) and against the bundle endpoint. Prints a table, writes
# tests/load/RESULTS.md, and exits 1 if the portal failed any request. Every process it starts is stopped
# by its PID when it ends, also on failure or Ctrl+C.
set -euo pipefail

CONNECTIONS=${CONNECTIONS:-1000}
DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-10s}
# wrk's default is 2 s; on a 2-core machine shared with other work, 1,000 queued connections wait longer
# than that without anything failing. A request slower than TIMEOUT counts as failed.
TIMEOUT=${TIMEOUT:-10s}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RESULTS=${RESULTS:-$ROOT/tests/load/RESULTS.md}
WORK=$(mktemp -d /tmp/bundle-load.XXXXXX)
chmod 755 "$WORK" # the embedded PostgreSQL runs as the postgres user and must reach its folder
PORTAL_PID="" NGINX_PID=""

log() { printf '[load] %s\n' "$*" >&2; }

stop_pid() { # PID NAME: SIGTERM, wait up to 30 s, then SIGKILL
  local pid=$1 name=$2 i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || { log "stopped $name ($pid)"; return 0; }; sleep 0.1; done
  log "$name ($pid) did not stop in 30 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  stop_pid "$NGINX_PID" nginx
  stop_pid "$PORTAL_PID" portal
  local pg=$WORK/pg
  if [[ -f $pg/postmaster.pid ]]; then
    local pgpid; pgpid=$(head -1 "$pg/postmaster.pid")
    if kill -0 "$pgpid" 2>/dev/null; then log "stopping PostgreSQL ($pgpid)"; kill -INT "$pgpid" 2>/dev/null || true
      for ((i = 0; i < 300; i++)); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.1; done; fi
  fi
  [[ $rc -eq 0 && -z "${KEEP:-}" ]] && rm -rf "$WORK" || log "work folder kept: $WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

install_missing() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing ${missing[*]}"
  local made_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then # keep the package's service from starting
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  apt-get -o DPkg::Lock::Timeout=120 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq "${missing[@]}" >/dev/null
  [[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
  return 0
}

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    ss -tanH "( sport = :$p or dport = :$p )" | grep -q . || { echo "$p"; return 0; } # in no state at all: a TIME_WAIT from an earlier run blocks a bind too
  done
  return 1
}

wait_http() { # URL: up to 120 s
  for ((i = 0; i < 600; i++)); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  log "no answer from $1"; return 1
}

api() { # METHOD PATH TOKEN [JSON]: prints the body, fails on a non-2xx status
  curl -fsS -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+--data "$4"} "$PORTAL$2"
}

install_missing
ulimit -n 20000

log "publishing the portal (Release)"
dotnet publish "$ROOT/src/AdminPortal.Web" -c Release -o "$WORK/publish" --nologo -v q >"$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; exit 1; }

PORT=$(free_port) NGINX_PORT=$(free_port) PG_PORT=$(free_port)
log "starting a private PostgreSQL cluster on 127.0.0.1:$PG_PORT"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$WORK/pg" "$WORK/pgsock" && { [[ $(id -u) -ne 0 ]] || chown postgres "$WORK/pg" "$WORK/pgsock"; }
as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust -E UTF8 --no-locale >"$WORK/initdb.log"
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w -t 60 \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $WORK/pgsock -c max_connections=200" start >/dev/null
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE portal_app NOLOGIN" -c "CREATE ROLE portal LOGIN IN ROLE portal_app" -c "CREATE DATABASE adminportal"
PORTAL=http://127.0.0.1:$PORT
export ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS=$PORTAL Portal__DataDirectory=$WORK/data Portal__PublicUrl=$PORTAL
export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Database=adminportal;Username=portal"
export ConnectionStrings__PortalMigrations="Host=127.0.0.1;Port=$PG_PORT;Database=adminportal;Username=postgres"
cli() { dotnet "$WORK/publish/AdminPortal.dll" "$@" 2>>"$WORK/cli.log"; }

log "creating the database and two API tokens with the CLI"
cli migrate >/dev/null
ADMIN=$(cli token create --name load-admin --role Admin | tail -1)
HELPDESK=$(cli token create --name load-helpdesk --role Helpdesk | tail -1)

log "starting the portal on $PORTAL"
dotnet "$WORK/publish/AdminPortal.dll" >"$WORK/portal.log" 2>&1 &
PORTAL_PID=$!
wait_http "$PORTAL/healthz"

api POST /api/v1/ca "$ADMIN" '{"name":"Load-Test-CA"}' >/dev/null
api POST /api/v1/vpn-profiles "$ADMIN" '{"name":"load","remoteHost":"vpn.example.test","port":1194,"protocol":"udp"}' >/dev/null
api POST /api/v1/vpn-users "$ADMIN" '{"name":"load-user","email":"load-user@example.test"}' >/dev/null
BUNDLE_PATH="/api/v1/vpn-users/load-user/bundle?profile=load&platform=ovpn"
mkdir -p "$WORK/www"
api GET "$BUNDLE_PATH" "$HELPDESK" >"$WORK/www/bundle.ovpn"
BYTES=$(stat -c %s "$WORK/www/bundle.ovpn")
grep -q -- '-----BEGIN PRIVATE KEY-----' "$WORK/www/bundle.ovpn" || { log "the bundle has no key"; exit 1; }
log "bundle: $BYTES bytes"

mkdir -p "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/tmp/body; proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi; uwsgi_temp_path $WORK/nginx/tmp/uwsgi; scgi_temp_path $WORK/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
        root $WORK/www;
        location / { default_type application/x-openvpn-profile; add_header Cache-Control no-store; }
    }
}
EOF
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' &
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGINX_PORT/bundle.ovpn"
cmp -s "$WORK/www/bundle.ovpn" <(curl -fsS "http://127.0.0.1:$NGINX_PORT/bundle.ovpn") || { log "nginx serves other bytes"; exit 1; }

checked() { api GET /api/v1/audit/verify "$ADMIN" | grep -o '"checked":[0-9]*' | cut -d: -f2; }
verify_ok() { api GET /api/v1/audit/verify "$ADMIN" | grep -q '"ok":true'; }

# CPU time in clock ticks: a process with its reaped children (fields 14-17 of /proc/PID/stat), and PostgreSQL's
# postmaster with its live backends (the portal's pooled connections stay open for the whole run).
ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
tree_ticks() { # PID: the process, its reaped children and its live children (PostgreSQL's backends, nginx's workers)
  local t c; t=$(ticks "$1")
  for c in $(pgrep -P "$1"); do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
cpu_sample() { # portal, PostgreSQL, wrk (this script's reaped children), nginx
  echo "$(ticks "$PORTAL_PID") $(tree_ticks "$(head -1 "$WORK/pg/postmaster.pid")") $(ticks $$) $(tree_ticks "$NGINX_PID")"
}

run_wrk() { # NAME URL [AUTH]: wrk's output in $WORK/NAME.txt, the 1-minute load average after it in $WORK/NAME.load,
  # the CPU seconds the portal, PostgreSQL, wrk and nginx spent during it in $WORK/NAME.cpu
  log "wrk -t$THREADS -c$CONNECTIONS -d$DURATION against $1"
  local before after tracer=""; before=$(cpu_sample)
  if [[ -n "${PROFILE:-}" && "$1" != nginx ]]; then # PROFILE=1: a CPU sampling trace of the portal for 10 s, 5 s into the run
    (sleep 5; exec "${DOTNET_TRACE:-dotnet-trace}" collect -p "$PORTAL_PID" --profile dotnet-sampled-thread-time --duration 00:00:00:10 -o "$WORK/$1.nettrace" >"$WORK/$1.trace.log" 2>&1) &
    tracer=$!
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -H "Authorization: ${3:-Bearer $HELPDESK}" "$2" >"$WORK/$1.txt"
  after=$(cpu_sample)
  [[ -z "$tracer" ]] || wait "$tracer" || log "dotnet-trace failed: $(tail -3 "$WORK/$1.trace.log")"
  cut -d' ' -f1 /proc/loadavg >"$WORK/$1.load"
  awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" 'BEGIN { split(b, x); split(a, y); for (i = 1; i <= 4; i++) printf "%.2f ", (y[i] - x[i]) / hz; print "" }' >"$WORK/$1.cpu"
}

# Both measured paths, as hard as they are measured: .NET compiles hot methods again, optimized, only after they
# ran a while, and on 2 busy cores that background work lags; a path measured cold would be measured half-compiled.
log "warming the portal up ($WARMUP on its static file, then $WARMUP on the bundle, $CONNECTIONS connections; not measured)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" "$PORTAL/favicon.svg" >"$WORK/warmup-static.txt"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" -H "Authorization: Bearer $HELPDESK" "$PORTAL$BUNDLE_PATH" >"$WORK/warmup.txt"
AUDIT_BEFORE=$(checked)
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/bundle.ovpn"
run_wrk static "$PORTAL/favicon.svg" none # no token: a token is checked against the database
run_wrk portal "$PORTAL$BUNDLE_PATH"
AUDIT_AFTER=$(checked)
verify_ok && CHAIN=valid || CHAIN=BROKEN

# wrk's figures: requests/s, p99 in ms, completed requests, failed = non-2xx/3xx + socket errors
rps() { awk '/^Requests\/sec:/ { print $2 }' "$WORK/$1.txt"; }
p99() { awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.2f", v }' "$WORK/$1.txt"; }
completed() { awk '/requests in/ { print $1 }' "$WORK/$1.txt"; }
failed() { awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$WORK/$1.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

P_RPS=$(rps portal) N_RPS=$(rps nginx) P_P99=$(p99 portal) N_P99=$(p99 nginx)
P_FAIL=$(failed portal) N_FAIL=$(failed nginx) P_DONE=$(completed portal) N_DONE=$(completed nginx)
S_RPS=$(rps static) S_P99=$(p99 static) S_FAIL=$(failed static) S_DONE=$(completed static)
AUDITED=$((AUDIT_AFTER - AUDIT_BEFORE))
per_request() { # NAME: CPU microseconds per completed request of the portal, PostgreSQL, wrk, nginx
  awk -v n="$(completed "$1")" '{ printf "%.0f | %.0f | %.0f | %.0f", $1 * 1e6 / n, $2 * 1e6 / n, $3 * 1e6 / n, $4 * 1e6 / n }' "$WORK/$1.cpu"
}
CPU_TABLE=$(cat <<EOF
| CPU per completed request, µs | portal | PostgreSQL | wrk | nginx |
|---|---:|---:|---:|---:|
| nginx, static file | $(per_request nginx) |
| portal, its own static file | $(per_request static) |
| portal, bundle endpoint | $(per_request portal) |
EOF
)
TABLE=$(cat <<EOF
| | requests/s | p99 latency | completed requests | failed requests | load average (1 min) after |
|---|---:|---:|---:|---:|---:|
| nginx, static file ($BYTES bytes) | $N_RPS | $N_P99 ms | $N_DONE | $N_FAIL | $(cat "$WORK/nginx.load") |
| portal, its own static file \`/favicon.svg\` (no token, no database) | $S_RPS | $S_P99 ms | $S_DONE | $S_FAIL | $(cat "$WORK/static.load") |
| portal, \`GET $BUNDLE_PATH\` (bearer token, audited) | $P_RPS | $P_P99 ms | $P_DONE | $P_FAIL | $(cat "$WORK/portal.load") |
| **bundle / nginx** | **$(ratio "$P_RPS" "$N_RPS")** | $(ratio "$P_P99" "$N_P99")x | | | |
| bundle / portal's static file | $(ratio "$P_RPS" "$S_RPS") | $(ratio "$P_P99" "$S_P99")x | | | |
EOF
)
echo
echo "$TABLE"
echo
echo "$CPU_TABLE"
echo
echo "Audit events written during the portal run: $AUDITED (completed requests: $P_DONE); audit chain: $CHAIN"

cat >"$RESULTS" <<EOF
# Bundle endpoint under load

Written by \`bash tests/load/bundle-load.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r).
\`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $TIMEOUT --latency\` on the same machine, one after the other: nginx
$("$NGINX" -v 2>&1 | cut -d/ -f2) serving the bundle's exact bytes as a static file, the portal's own static file, then the bundle endpoint of the portal (Release build, Production
environment, a private PostgreSQL 15 cluster with fsync and synchronous_commit on) after a warm-up of $WARMUP on each portal path. Client, servers and database
share the same cores, and the machine is shared with other work: read the ratio.

$TABLE

Where the CPU went (process CPU time during each run from /proc, divided by the requests wrk completed; on 2 cores
the four parties together cannot spend more than 2 s of CPU per second):

$CPU_TABLE

Audit events written during the portal run: $AUDITED, for $P_DONE requests wrk completed (requests still
in flight when wrk stopped were audited too). The chain verified as **$CHAIN** after the run.

## wrk against nginx
\`\`\`
$(cat "$WORK/nginx.txt")
\`\`\`

## wrk against the portal's static file
\`\`\`
$(cat "$WORK/static.txt")
\`\`\`

## wrk against the bundle endpoint
\`\`\`
$(cat "$WORK/portal.txt")
\`\`\`
EOF
log "wrote $RESULTS"
[[ $P_FAIL -eq 0 && $CHAIN == valid && $AUDITED -ge $P_DONE ]] || { log "the portal failed $P_FAIL requests, or the chain is $CHAIN, or $AUDITED events < $P_DONE downloads"; exit 1; }
