#!/usr/bin/env bash
# compose.yml's backup service (profile "backup"): `npm run db:backup` on a schedule, inside the
# mysql:8.4 image (its mysqldump matches the server). Every BACKUP_INTERVAL_SECONDS it writes
# /backups/<database>-<UTC time>.sql.gz, then keeps the newest BACKUP_RETENTION of them.
#
# - Consistent without locks: --single-transaction reads one InnoDB snapshot.
# - As the backup user from deploy/db/init/01-users.sh (SELECT, SHOW VIEW, TRIGGER on the
#   database, SHOW_ROUTINE): no EVENT privilege (it would allow creating events), so no
#   --events; the schema defines none. --no-tablespaces spares it PROCESS, and
#   --set-gtid-purged=OFF spares it RELOAD should GTIDs ever be switched on.
# - A failed dump never looks like a good one: it goes to a .partial file, renamed only when
#   mysqldump and gzip both succeeded (pipefail), and deleted otherwise.
# - The password reaches mysqldump through MYSQL_PWD for that one command, never argv.
# Run by bash from compose.yml (no executable bit needed); tini (init: true) forwards SIGTERM.
set -euo pipefail
umask 077
export LC_ALL=C

# compose.yml mounts the password as a secret file (sh deploy/make-secrets.sh writes it).
if [ -n "${BACKUP_DB_PASSWORD_FILE:-}" ]; then
  if [ -n "${BACKUP_DB_PASSWORD:-}" ]; then
    echo "[backup] BACKUP_DB_PASSWORD_FILE and BACKUP_DB_PASSWORD are both set: set one of them" >&2
    exit 1
  fi
  if ! BACKUP_DB_PASSWORD=$(cat -- "$BACKUP_DB_PASSWORD_FILE"); then
    echo "[backup] BACKUP_DB_PASSWORD_FILE: cannot read $BACKUP_DB_PASSWORD_FILE; run sh deploy/make-secrets.sh on the host" >&2
    exit 1
  fi
fi
: "${BACKUP_DB_PASSWORD:?empty: run sh deploy/make-secrets.sh (it writes secrets/backup_password), or set BACKUP_DB_PASSWORD}"
: "${BACKUP_DB_HOST:?compose.yml sets BACKUP_DB_HOST}"
: "${BACKUP_DB_NAME:?compose.yml sets BACKUP_DB_NAME from DB_NAME}"
: "${BACKUP_DB_USER:?compose.yml sets BACKUP_DB_USER from BACKUP_USER}"
retention=${BACKUP_RETENTION:-14}
interval=${BACKUP_INTERVAL_SECONDS:-86400}
if ! [[ $retention =~ ^[1-9][0-9]*$ ]]; then
  echo "[backup] BACKUP_RETENTION: expected a whole number of backups to keep, from 1 (got '$retention'); fix it in .env" >&2
  exit 1
fi
if ! [[ $interval =~ ^[1-9][0-9]*$ ]]; then
  echo "[backup] BACKUP_INTERVAL_SECONDS: expected a whole number of seconds, from 1 (got '$interval'); fix it in .env" >&2
  exit 1
fi
# The volume compose.yml mounts; test/ops/backup.test.ts points it elsewhere.
dir=${BACKUP_FILES_DIR:-/backups}
partial=
sleeper=

stop() {
  rm -f -- "$partial"
  if [[ -n $sleeper ]]; then kill "$sleeper" 2>/dev/null || true; fi
  echo "[backup] stopping"
  exit 0
}
trap stop TERM INT

# Only names of exactly this database's pattern are ever deleted; the glob sorts them by time.
prune() {
  local backups=() name
  for name in "$dir/$BACKUP_DB_NAME"-*.sql.gz; do
    [[ ${name#"$dir/$BACKUP_DB_NAME"} =~ ^-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}Z\.sql\.gz$ ]] && backups+=("$name")
  done
  local excess=$((${#backups[@]} - retention)) i
  for ((i = 0; i < excess; i++)); do
    rm -f -- "${backups[i]}"
    echo "[backup] pruned ${backups[i]} (keeping the newest $retention)"
  done
}

backup_once() {
  local target
  target="$dir/$BACKUP_DB_NAME-$(date -u +%Y-%m-%dT%H-%M-%SZ).sql.gz"
  partial="$target.partial"
  echo "[backup] dumping $BACKUP_DB_NAME on $BACKUP_DB_HOST into $partial"
  if MYSQL_PWD="$BACKUP_DB_PASSWORD" mysqldump --host="$BACKUP_DB_HOST" --port="${BACKUP_DB_PORT:-3306}" --user="$BACKUP_DB_USER" \
    --single-transaction --quick --routines --triggers --no-tablespaces --set-gtid-purged=OFF \
    --hex-blob --default-character-set=utf8mb4 "$BACKUP_DB_NAME" | gzip >"$partial"; then
    mv -- "$partial" "$target"
    partial=
    echo "[backup] wrote $target ($(du -h "$target" | cut -f1))"
    prune
  else
    rm -f -- "$partial"
    partial=
    echo "[backup] FAILED: no backup written (see mysqldump's message above). Check the backup user's password and privileges; next attempt in ${interval}s" >&2
  fi
}

while true; do
  backup_once
  # In the background, so that SIGTERM is handled at once rather than after the sleep.
  sleep "$interval" &
  sleeper=$!
  wait "$sleeper"
  sleeper=
done
