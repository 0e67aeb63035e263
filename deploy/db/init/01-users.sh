#!/usr/bin/env bash
# The database's two accounts (three with the backup user), created once: the mysql image runs
# /docker-entrypoint-initdb.d/* only when the data volume is empty, as root, on a temporary
# server without networking, after creating MYSQL_DATABASE. compose.yml passes the names from
# .env and the passwords as secret files (*_PASSWORD_FILE, written by deploy/make-secrets.sh).
#
# Least privilege, and why it takes two steps:
# - The migration user owns the schema: DDL and data changes on this database only, nothing
#   server-wide (no FILE, PROCESS, SUPER, CREATE USER). It needs no privilege for GET_LOCK, and
#   Drizzle's __drizzle_migrations table is just another table in the schema. WITH GRANT OPTION
#   lets it hand out privileges it holds itself, on this database only.
# - The app user gets no privilege here. It needs SELECT/INSERT (and UPDATE on the two counter tables) on
#   its own tables, which do not exist yet, and MySQL refuses a table-level grant on a missing
#   table unless the grant includes CREATE. A database-level grant would work today but would
#   also cover __drizzle_migrations and every future table. So the migrate service grants
#   exactly src/data/privileges.ts after each migration (db-migrate --grant-to), as the
#   migration user.
# - Both accounts are '%': the database has no published port and sits on an internal network.
# - MySQL 8.4 authenticates with caching_sha2_password (mysql_native_password is disabled by
#   default); mysql2 speaks it, over TLS or the RSA key exchange the server offers.
#
# The entrypoint sources this file (it is not executable) and so provides docker_process_sql,
# which connects as root over the socket. Sourced: no `set -u` (it would outlive this file).
if ! declare -F docker_process_sql >/dev/null; then
  echo "$0: run by the mysql image's entrypoint, which sources it: remove the executable bit (chmod -x)" >&2
  exit 1
fi

sql_string() { # a value as a single-quoted SQL string literal
  local value=${1//\\/\\\\}
  printf "'%s'" "${value//\'/\'\'}"
}

sql_database_pattern() { # the database as a GRANT … ON `db`.* target; _ and % are wildcards there
  local name=${1//\`/\`\`}
  name=${name//_/\\_}
  printf '`%s`' "${name//%/\\%}"
}

# A password may come as a file instead (APP_DB_PASSWORD_FILE, …, e.g. a mounted secret): the
# entrypoint's file_env reads each into its variable, as it does MYSQL_ROOT_PASSWORD_FILE.
if declare -F file_env >/dev/null; then
  file_env MIGRATE_DB_PASSWORD
  file_env APP_DB_PASSWORD
  file_env BACKUP_DB_PASSWORD
fi

: "${MYSQL_DATABASE:?compose.yml sets MYSQL_DATABASE from DB_NAME}"
: "${MIGRATE_DB_USER:?compose.yml sets MIGRATE_DB_USER from MIGRATE_USER}"
: "${MIGRATE_DB_PASSWORD:?empty: compose.yml mounts it from secrets/migrate_password (sh deploy/make-secrets.sh)}"
: "${APP_DB_USER:?compose.yml sets APP_DB_USER from DB_USER}"
: "${APP_DB_PASSWORD:?empty: compose.yml mounts it from secrets/db_password (sh deploy/make-secrets.sh)}"

DATABASE_PATTERN=$(sql_database_pattern "$MYSQL_DATABASE")
MIGRATE_ACCOUNT="$(sql_string "$MIGRATE_DB_USER")@'%'"
MIGRATE_PASSWORD_SQL=$(sql_string "$MIGRATE_DB_PASSWORD")
APP_ACCOUNT="$(sql_string "$APP_DB_USER")@'%'"
APP_PASSWORD_SQL=$(sql_string "$APP_DB_PASSWORD")

# test/dev/image-processes.test.ts runs the statements between the SQL markers on a real server.
docker_process_sql <<SQL
CREATE USER IF NOT EXISTS ${MIGRATE_ACCOUNT} IDENTIFIED BY ${MIGRATE_PASSWORD_SQL};
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW, TRIGGER ON ${DATABASE_PATTERN}.* TO ${MIGRATE_ACCOUNT} WITH GRANT OPTION;
CREATE USER IF NOT EXISTS ${APP_ACCOUNT} IDENTIFIED BY ${APP_PASSWORD_SQL};
SQL

# The backup user (compose.yml's backup profile), when its password is set (compose.yml mounts
# secrets/backup_password): what
# mysqldump --single-transaction --routines --triggers --no-tablespaces needs and no more.
# SELECT for the tables, SHOW VIEW for visit_stats, TRIGGER to see triggers (MySQL has no
# read-only privilege for that), SHOW_ROUTINE (MySQL 8.0.20+, server-wide and read-only) for
# routine bodies. Not EVENT (it would allow creating events), LOCK TABLES (the snapshot needs
# no locks), PROCESS (no tablespaces) or RELOAD (no GTID position).
if [ -n "${BACKUP_DB_PASSWORD:-}" ]; then
  : "${BACKUP_DB_USER:?compose.yml sets BACKUP_DB_USER from BACKUP_USER}"
  BACKUP_ACCOUNT="$(sql_string "$BACKUP_DB_USER")@'%'"
  BACKUP_PASSWORD_SQL=$(sql_string "$BACKUP_DB_PASSWORD")
  docker_process_sql <<SQL
CREATE USER IF NOT EXISTS ${BACKUP_ACCOUNT} IDENTIFIED BY ${BACKUP_PASSWORD_SQL};
GRANT SELECT, SHOW VIEW, TRIGGER ON ${DATABASE_PATTERN}.* TO ${BACKUP_ACCOUNT};
GRANT SHOW_ROUTINE ON *.* TO ${BACKUP_ACCOUNT};
SQL
fi
