#!/bin/bash
# Runs once, when the postgres container initialises its volume: the portal's login role. The schema
# owner is POSTGRES_USER (it runs the migrations, which grant portal_app what the application needs:
# everything but UPDATE/DELETE/TRUNCATE of the audit trail).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v app_password="$PORTAL_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE portal_app NOLOGIN;
CREATE ROLE portal LOGIN PASSWORD :'app_password' IN ROLE portal_app;
SQL
