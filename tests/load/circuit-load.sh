#!/usr/bin/env bash
# 200 operators' Blazor Server circuits on the dashboard and the VPN users list: the portal's memory per circuit,
# and whether it stays responsive (probe latencies with the circuits against the same probes idle, in the same run).
#
#   bash tests/load/circuit-load.sh                      # 200 circuits, 1,000 VPN users (as the issue asks)
#   CIRCUITS=20 USERS=100 bash tests/load/circuit-load.sh
#
# Installs Debian's Chromium when missing and dotnet-counters and dotnet-gcdump (NuGet tools) into a cache folder,
# publishes the portal (Release) and runs it as a real process in Production on a private PostgreSQL 15 cluster
# (fsync on), creates an Admin API token with the CLI, then runs the driver (tests/load/CircuitLoad, Playwright):
# it issues USERS VPN users through the API, makes CIRCUITS + 1 operators the way people do (invited through the API,
# setup link with a password, TOTP enrolment, then a real login: password and code; roles in turn Helpdesk,
# SecurityLead, Admin), and gives each its own page (its own host name, so its own session cookie and circuit), 25 pages
# to a browser context (a context is one network profile with a 256-socket pool), in one headless Chromium. Each circuit opens the dashboard (interactive, showing the operator count), then navigates inside the
# circuit to the VPN users list (25 rows of USERS). The portal's memory is read from outside: RSS from /proc, the
# live managed heap with dotnet-gcdump (a full blocking GC first), and Blazor's own circuit counts (the meter
# Microsoft.AspNetCore.Components.Server.Circuits, through dotnet-counters). Probes idle, with the circuits
# connected, and while every circuit searches users round after round: GET /healthz, the dashboard's server
# render, and a new circuit until the users list shows its rows. Writes tests/load/RESULTS-CIRCUITS.md; exits 1 on
# any failed step. Every process it starts is stopped by its PID when it ends, also on failure or Ctrl+C.
set -euo pipefail

CIRCUITS=${CIRCUITS:-200}
USERS=${USERS:-1000}
PARALLEL=${PARALLEL:-8}
TOOLS=${TOOLS:-/var/cache/adminportal-load/tools}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RESULTS=${RESULTS:-$ROOT/tests/load/RESULTS-CIRCUITS.md}
source "$ROOT/tests/load/lib.sh"
make_work circuit-load

install_missing chromium=chromium
for tool in dotnet-counters dotnet-gcdump; do
  [[ -x $TOOLS/$tool ]] || { log "installing $tool into $TOOLS"; dotnet tool install --tool-path "$TOOLS" "$tool" --version 10.0.750501 >/dev/null; }
done
ulimit -n 20000

DRIVER=${DRIVER:-} # DRIVER=DIR: the driver already built there (dotnet build tests/load/CircuitLoad -c Release -o DIR)
if [[ -z $DRIVER ]]; then
  log "building the driver (Release)"
  DRIVER=$WORK/driver
  dotnet build "$ROOT/tests/load/CircuitLoad" -c Release -o "$DRIVER" --nologo -v q >"$WORK/driver-build.log" 2>&1 || { cat "$WORK/driver-build.log"; exit 1; }
fi
prepare_portal
ADMIN=$(cli token create --name load-admin --role Admin | tail -1)
start_portal

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
"$DRIVER/CircuitLoad" --portal "$PORTAL" --pid "$PORTAL_PID" --admin-token "$ADMIN" --tools "$TOOLS" --work "$WORK" \
  --circuits "$CIRCUITS" --users "$USERS" --parallel "$PARALLEL" --out "$WORK/circuits.md" &
EXTRA_PIDS+=($!)
rc=0; wait "${EXTRA_PIDS[-1]}" || rc=$?
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
[[ -f $WORK/circuits.md ]] || { log "the driver wrote no results (exit $rc)"; exit 1; }
PORTAL_ERRORS=$(grep -c '\[ERR\]\|\[FTL\]\|"@l":"Error"\|"@l":"Fatal"' "$WORK/portal.log" || true)

cat >"$RESULTS" <<MD
# Blazor Server circuits under load

Written by \`bash tests/load/circuit-load.sh\` (CIRCUITS=$CIRCUITS, USERS=$USERS, PARALLEL=$PARALLEL), started $STARTED,
$(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB, $(uname -r), $(chromium --version 2>/dev/null | head -1). Load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER.
The portal (Release, Production, PostgreSQL 15 with fsync on), the $CIRCUITS browser sessions in one headless Chromium and
the probes share the same cores, and the machine is shared with other work: read the ratios.

$(cat "$WORK/circuits.md")
- Error-level lines in the portal's log during the run: $PORTAL_ERRORS.
MD
log "wrote $RESULTS"
cat "$RESULTS"
exit $rc
