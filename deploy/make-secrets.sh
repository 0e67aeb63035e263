#!/bin/sh
# Writes the files compose.yml hands to its containers as secrets (mounted at /run/secrets/<name>),
# once, in ./secrets next to compose.yml:
#
#   sh deploy/make-secrets.sh     # then: docker compose up --build
#
# Each file is the value of the variable of the same name when the environment or .env sets it
# (a deployment that passed DB_PASSWORD and the others in .env before keeps the passwords its
# database volume was created with), and 32 random bytes in hex otherwise. A file that exists
# is kept: passwords are set once, when the db volume is first initialised, and changing a file
# afterwards does not change the database's accounts (docs/compose.md says how).
#
# Modes: the directory is 0700, so no other user of the host can reach the files; the files are
# 0644, because Compose bind-mounts them as they are, and the containers read them as users of
# their own (node, mysql), not as the host user who owns them.
set -eu

cd "$(dirname "$0")/.."
dir=${SECRETS_DIR:-secrets}

# The value .env assigns to $1 (the last assignment, quotes removed), or nothing.
from_dotenv() {
  [ -f .env ] || return 0
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" .env | tail -n 1 | sed "s/^[\"']//; s/[\"'][[:space:]]*\$//"
}

random_hex() {
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

# Each file, the variable it may come from: the list at the end (compose.yml's secrets).
umask 077
mkdir -p "$dir"
chmod 700 "$dir"
while read -r name variable; do
  file="$dir/$name"
  if [ -s "$file" ]; then
    echo "make-secrets: $file kept (it exists)"
    continue
  fi
  value=$(printenv "$variable" || true)
  source="$variable in the environment"
  if [ -z "$value" ]; then
    value=$(from_dotenv "$variable")
    source="$variable in .env"
  fi
  if [ -z "$value" ]; then
    value=$(random_hex)
    source="32 random bytes"
  fi
  # Without a trailing newline: the image's file_env and src/config/ read the content as it is.
  printf '%s' "$value" > "$file"
  chmod 644 "$file"
  echo "make-secrets: $file written from $source"
done <<'SECRETS'
mysql_root_password MYSQL_ROOT_PASSWORD
migrate_password MIGRATE_PASSWORD
db_password DB_PASSWORD
backup_password BACKUP_PASSWORD
admin_token ADMIN_TOKEN
SECRETS
echo "make-secrets: done; next: docker compose up --build (the admin token to sign in with is in $dir/admin_token)"
