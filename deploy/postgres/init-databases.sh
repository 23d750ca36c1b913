#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is first created: one role and one database per service
# (ADR 0005), each role's password read from its Docker secret /run/secrets/<service>_database_password.
set -euo pipefail

for service in $SUPPORTMATCH_SERVICES; do
  password_file=/run/secrets/${service}_database_password
  if [ ! -s "$password_file" ]; then
    echo "init-databases: $password_file is missing or empty; run deploy/compose-secrets.sh" >&2
    exit 1
  fi
  # psql's :'var' quotes the password as a literal, whatever characters it holds.
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v service="$service" -v password="$(cat "$password_file")" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
done
