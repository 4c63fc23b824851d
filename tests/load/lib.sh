# Shared by the load scripts (source it): the portal published in Release and run as a real process in Production on
# a private PostgreSQL 15 cluster made for the run, nginx and wrk, and the cleanup that stops every process by its PID.
# The sourcing script sets ROOT, calls make_work NAME, and may add the PIDs of its own helpers to EXTRA_PIDS.
PORTAL_PID="" NGINX_PID="" EXTRA_PIDS=()

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
  local rc=$? p i
  for p in "${EXTRA_PIDS[@]}"; do stop_pid "$p" helper; done
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

make_work() { # NAME: the run's folder in WORK, and the cleanup on exit, failure or Ctrl+C
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  chmod 755 "$WORK" # the private PostgreSQL runs as the postgres user and must reach its folder
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

install_missing() { # COMMAND=PACKAGE...: installs the packages whose command is missing, starting no service
  local missing=() pair
  for pair in "$@"; do command -v "${pair%%=*}" >/dev/null || [[ -x /usr/sbin/${pair%%=*} ]] || missing+=("${pair#*=}"); done
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

cli() { dotnet "$PUBLISH/AdminPortal.dll" "$@" 2>>"$WORK/cli.log"; }

# Publishes the portal (Release), makes the cluster (production durability: fsync and synchronous_commit on), migrates
# it with the CLI and sets PORTAL, PG_PORT and the portal's environment. MAX_CONNECTIONS overrides PostgreSQL's 200;
# PUBLISHED=DIR runs a portal already published there (from this checkout) instead of publishing it again.
prepare_portal() {
  PUBLISH=${PUBLISHED:-$WORK/publish}
  if [[ -z ${PUBLISHED:-} ]]; then
    log "publishing the portal (Release)"
    dotnet publish "$ROOT/src/AdminPortal.Web" -c Release -o "$PUBLISH" --nologo -v q >"$WORK/publish.log" 2>&1 || { cat "$WORK/publish.log"; return 1; }
  fi
  PORT=$(free_port) PG_PORT=$(free_port)
  log "starting a private PostgreSQL cluster on 127.0.0.1:$PG_PORT"
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  mkdir -p "$WORK/pg" "$WORK/pgsock" && { [[ $(id -u) -ne 0 ]] || chown postgres "$WORK/pg" "$WORK/pgsock"; }
  as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U postgres -A trust -E UTF8 --no-locale >"$WORK/initdb.log"
  as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $WORK/pgsock -c max_connections=${MAX_CONNECTIONS:-200}" start >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE portal_app NOLOGIN" -c "CREATE ROLE portal LOGIN IN ROLE portal_app" -c "CREATE DATABASE adminportal"
  PORTAL=http://127.0.0.1:$PORT
  export ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS=$PORTAL Portal__DataDirectory=$WORK/data Portal__PublicUrl=$PORTAL
  export ConnectionStrings__Portal="Host=127.0.0.1;Port=$PG_PORT;Database=adminportal;Username=portal"
  export ConnectionStrings__PortalMigrations="Host=127.0.0.1;Port=$PG_PORT;Database=adminportal;Username=postgres"
  cli migrate >/dev/null
}

start_portal() {
  log "starting the portal on $PORTAL"
  # From its own folder, as deployed: the content root holds the published wwwroot (blazor.web.js, MudBlazor's assets).
  (cd "$PUBLISH" && exec dotnet AdminPortal.dll) >"$WORK/portal.log" 2>&1 &
  PORTAL_PID=$!
  wait_http "$PORTAL/healthz"
}

start_nginx() { # DIR: serves DIR's files on NGINX_PORT, by PID with its own configuration
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/nginx/tmp"
  cat >"$WORK/nginx/nginx.conf" <<CONF
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
        root $1;
        location / { default_type ${NGINX_TYPE:-application/octet-stream}; add_header Cache-Control no-store; }
    }
}
CONF
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  "$NGINX" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -g 'daemon off;' &
  NGINX_PID=$!
}

# CPU time and wrk runs (THREADS, CONNECTIONS, DURATION, TIMEOUT from the sourcing script)
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
run_wrk() { # NAME URL [HEADER]: wrk's output in $WORK/NAME.txt, the 1-minute load average after it in $WORK/NAME.load,
  # the CPU seconds the portal, PostgreSQL, wrk and nginx spent during it in $WORK/NAME.cpu
  log "wrk -t$THREADS -c$CONNECTIONS -d$DURATION against $1"
  local before after; before=$(cpu_sample)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency ${3:+-H "$3"} "$2" >"$WORK/$1.txt"
  after=$(cpu_sample)
  cut -d' ' -f1 /proc/loadavg >"$WORK/$1.load"
  awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" 'BEGIN { split(b, x); split(a, y); for (i = 1; i <= 4; i++) printf "%.2f ", (y[i] - x[i]) / hz; print "" }' >"$WORK/$1.cpu"
}

# wrk's figures from $WORK/NAME.txt: requests/s, p99 in ms, completed requests, failed = non-2xx/3xx + socket errors
rps() { awk '/^Requests\/sec:/ { print $2 }' "$WORK/$1.txt"; }
p99() { awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.2f", v }' "$WORK/$1.txt"; }
completed() { awk '/requests in/ { print $1 }' "$WORK/$1.txt"; }
failed() { awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$WORK/$1.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
per_request() { # NAME: CPU microseconds per completed request of the portal, PostgreSQL, wrk, nginx
  awk -v n="$(completed "$1")" '{ printf "%.0f | %.0f | %.0f | %.0f", $1 * 1e6 / n, $2 * 1e6 / n, $3 * 1e6 / n, $4 * 1e6 / n }' "$WORK/$1.cpu"
}
wrk_outputs() { # NAME TITLE...: wrk's full output of each run, as Markdown sections
  while [[ $# -ge 2 ]]; do
    printf '## wrk against %s\n```\n%s\n```\n\n' "$2" "$(cat "$WORK/$1.txt")"
    shift 2
  done
}
