#!/bin/sh
# Runs once when the postgres container initialises its data folder: the service's restricted login role.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE ledger_app LOGIN PASSWORD '${LEDGER_APP_PASSWORD}';
SQL
