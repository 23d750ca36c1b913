#!/usr/bin/env bash
# Creates the secrets deploy/compose.yaml mounts, under deploy/secrets/ (ignored by git): a random
# password per database role, the PostgreSQL superuser's, and the platform's HS256 key. Files that
# exist are kept, so running it again changes nothing. The SMTP password is yours to write into
# deploy/secrets/smtp_password (an empty file sends without logging in).
set -euo pipefail

folder=$(cd "$(dirname "$0")" && pwd)/secrets
mkdir -p "$folder"
chmod 700 "$folder"  # the folder guards the files; they stay readable to the containers' users

random() { head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 48; }

for name in postgres_password portal_database_password profiles_database_password \
  eligibility_database_password notifications_database_password jwt_secret; do
  if [ ! -e "$folder/$name" ]; then
    random >"$folder/$name"
    echo "created deploy/secrets/$name"
  fi
done
[ -e "$folder/smtp_password" ] || : >"$folder/smtp_password"
chmod 644 "$folder"/*
