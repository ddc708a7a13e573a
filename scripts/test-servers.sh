#!/usr/bin/env bash
# Throwaway MariaDB (binlog on) and PostgreSQL (wal_level=logical) servers for the tests,
# in user space, on free loopback ports.
#
#   scripts/test-servers.sh start DIR   start both; writes DIR/env with their URLs
#   scripts/test-servers.sh stop DIR    stop both (the data stays in DIR until you remove it)
#
# DIR/env defines SLUICE_TEST_MYSQL_URL, SLUICE_TEST_PG_URL and the ports, for `source`.
# Both servers start in about two seconds. PostgreSQL refuses to run as root, so as root it
# runs as the `postgres` user.
set -euo pipefail

cmd=${1:?usage: test-servers.sh start|stop DIR}
dir=${2:?usage: test-servers.sh start|stop DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 30000))
    if ! ss -Htln "sport = :$port" | grep -q .; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  exit 1
}

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_mariadb() {
  local d="$dir/mariadb" port
  port=$(free_port)
  # A tmpdir of its own: a starting mariadbd deletes every #sql* file in its tmpdir, which in a
  # shared /tmp are the open temporary tables of the other servers the tests run (seen as
  # "Error on delete of '/tmp/#sql-temptable-...'" when a suite's private pair started).
  rm -rf "$d" && mkdir -p "$d" "$d/tmp"
  mariadb-install-db --no-defaults --datadir="$d/data" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db >"$d/install.log" 2>&1
  mariadbd --no-defaults --user="$(id -un)" --datadir="$d/data" --socket="$d/sock" \
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --log-bin="$d/data/binlog" --binlog-format=ROW --binlog-row-image=FULL \
    --binlog-row-metadata=FULL --server-id=1 --local-infile=1 \
    --pid-file="$d/pid" --log-error="$d/error.log" --innodb-buffer-pool-size=256M \
    --tmpdir="$d/tmp" \
    --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    if mariadb --no-defaults -uroot --socket="$d/sock" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  mariadb --no-defaults -uroot --socket="$d/sock" <<SQL
CREATE USER IF NOT EXISTS 'sluice'@'%' IDENTIFIED BY 'sluice-pw';
GRANT ALL PRIVILEGES ON *.* TO 'sluice'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS sluice_test;
SQL
  echo "export SLUICE_TEST_MYSQL_PORT=$port"
  echo "export SLUICE_TEST_MYSQL_SOCKET=$d/sock"
  echo "export SLUICE_TEST_MYSQL_URL=mysql://sluice:sluice-pw@127.0.0.1:$port/sluice_test"
}

start_postgres() {
  local d="$dir/postgres" port
  port=$(free_port)
  rm -rf "$d" && mkdir -p "$d"
  [[ $(id -u) -eq 0 ]] && chown postgres "$d"
  as_pg "$pg_bin/initdb" -D "$d/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
    >"$d/initdb.log" 2>&1
  as_pg "$pg_bin/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 30 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$d \
     -c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10 \
     -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  # Set up over the Unix socket (trusted); TCP clients must give a password, as in production.
  as_pg "$pg_bin/psql" -h "$d" -p "$port" -U postgres -q \
    -c "CREATE ROLE sluice LOGIN SUPERUSER REPLICATION PASSWORD 'sluice-pw'" \
    -c "CREATE DATABASE sluice_test OWNER sluice" >/dev/null
  echo "export SLUICE_TEST_PG_PORT=$port"
  echo "export SLUICE_TEST_PG_URL=postgresql://sluice:sluice-pw@127.0.0.1:$port/sluice_test"
}

case "$cmd" in
  start)
    {
      start_mariadb
      start_postgres
    } >"$dir/env"
    cat "$dir/env"
    ;;
  stop)
    if [[ -f "$dir/mariadb/pid" ]]; then
      kill "$(cat "$dir/mariadb/pid")" 2>/dev/null || true
    fi
    if [[ -d "$dir/postgres/data" ]]; then
      as_pg "$pg_bin/pg_ctl" -D "$dir/postgres/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: test-servers.sh start|stop DIR" >&2
    exit 2
    ;;
esac
