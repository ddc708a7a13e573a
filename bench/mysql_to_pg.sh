#!/usr/bin/env bash
# Benchmark: a MariaDB table of 5,000,000 rows copied into PostgreSQL by sluice (parallelism 1
# and 2) against pgloader (the baseline; 2 workers, creating the table and its primary key like
# sluice does), run in the same script on the same servers. Prints wall time, rows/s, peak RSS
# of the client and the ratio sluice / pgloader (below 1 means sluice is faster); checks each
# copy's row count and sums against the source.
#
#   bench/mysql_to_pg.sh build/sluice
#   ROWS=1000000 RUNS=1 bench/mysql_to_pg.sh build/sluice
#
# The script starts its own throwaway MariaDB and PostgreSQL (scripts/test-servers.sh) and stops
# them at the end. The generated rows are kept in bench/out/mysql_source_<ROWS>.tsv (shared with
# bench/mysql_to_mysql.sh) and loaded again by later runs. Each measurement is the best of RUNS
# (default 2). Needs: mariadb and psql clients, pgloader, /usr/bin/time.
set -euo pipefail

SLUICE=$(realpath "${1:?usage: $0 path/to/sluice}")
ROWS=${ROWS:-5000000}
RUNS=${RUNS:-2}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# The servers, /usr/bin/time and the baselines (pgloader, mydumper): only what is missing.
bash "$repo/scripts/install-deps.sh" bench
work=${BENCH_DIR:-$here/out}
mkdir -p "$work"
cd "$work"
servers="$work/mysql-pg-bench-servers"

"$repo/scripts/test-servers.sh" start "$servers" >/dev/null
trap '"$repo/scripts/test-servers.sh" stop "$servers"' EXIT
# shellcheck disable=SC1091
source "$servers/env"
PORT=$SLUICE_TEST_MYSQL_PORT
PG_PORT=$SLUICE_TEST_PG_PORT
DB_USER=sluice
DB_PASS=sluice-pw
client() { mariadb --no-defaults -h127.0.0.1 -P"$PORT" -u"$DB_USER" -p"$DB_PASS" "$@"; }
pg() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=$DB_PASS psql -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d sluice_test -qAt "$@"; }

client -e "CREATE DATABASE src; CREATE TABLE src.t (id BIGINT PRIMARY KEY,
  name VARCHAR(64) NOT NULL, amount DECIMAL(12,2) NOT NULL, score DOUBLE NOT NULL,
  created DATETIME(6) NOT NULL, note TEXT NOT NULL) ENGINE=InnoDB"
tsv="mysql_source_${ROWS}.tsv"
if [[ ! -f "$tsv" ]]; then
  echo "== generating $ROWS rows (kept in $work/$tsv for later runs)"
  client -e "INSERT INTO src.t
    SELECT seq, CONCAT('customer-', seq * 7919 % 1000003),
           CONCAT((seq * 31) % 100000, '.', LPAD(seq % 100, 2, '0')),
           (seq % 10007) / 7e0,
           '2024-01-01 00:00:00' + INTERVAL (seq DIV 3) SECOND + INTERVAL (seq % 1000) MICROSECOND,
           CONCAT('note ', seq % 97, IF(seq % 11 = 0, '\ttab', ''), IF(seq % 13 = 0, '\\\\', ''))
    FROM src.seq_1_to_${ROWS}"
  client --batch -N --quick -e "SELECT * FROM src.t" >"$tsv.tmp"
  mv "$tsv.tmp" "$tsv"
else
  echo "== loading $tsv"
  client --local-infile=1 -e "LOAD DATA LOCAL INFILE '$tsv' INTO TABLE src.t"
fi
want=$(client -N -e "SELECT COUNT(*), SUM(id), SUM(amount), SUM(LENGTH(note)) FROM src.t" | tr '\t' '|')

# Prints "seconds max_rss_kb", best (lowest time) of $RUNS runs; $1 runs before each and $2
# names the copied table for the check.
measure() {
  local reset=$1 table=$2
  shift 2
  local best_s="" best_kb=""
  for ((r = 0; r < RUNS; r++)); do
    $reset
    /usr/bin/time -v -o time.txt bash -c "$*" >run.log 2>&1 || {
      echo "command failed: $*" >&2
      cat run.log >&2
      exit 1
    }
    local got
    got=$(pg -c "SELECT COUNT(*), SUM(id), SUM(amount), SUM(LENGTH(note)) FROM $table")
    if [[ "$got" != "$want" ]]; then
      echo "copy differs from the source ($got, want $want): $*" >&2
      exit 1
    fi
    local s kb
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {
          n = split($2, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i]; print t }' time.txt)
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
    if [[ -z "$best_s" ]] || awk -v a="$s" -v b="$best_s" 'BEGIN {exit !(a < b)}'; then
      best_s=$s
      best_kb=$kb
    fi
  done
  echo "$best_s $best_kb"
}

reset_sluice() { pg -c "DROP TABLE IF EXISTS public.t"; }
reset_pgloader() { pg -c "DROP SCHEMA IF EXISTS src CASCADE"; }

cat >job.yaml <<YAML
name: bench_mysql_to_pg
source:
  type: mysql
  url: mysql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PORT/src
  table: t
target:
  type: postgres
  url: postgresql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PG_PORT/sluice_test
  table: public.t
  write_mode: append
  key: [id]
settings:
  batch_rows: 10000
  state_path: $work/mysql_pg_bench_state.db
YAML
cat >pgloader.load <<LOAD
LOAD DATABASE
  FROM mysql://$DB_USER:$DB_PASS@127.0.0.1:$PORT/src
  INTO postgresql://$DB_USER:$DB_PASS@127.0.0.1:$PG_PORT/sluice_test
  WITH include drop, create tables, create indexes, workers = 2, concurrency = 1
  INCLUDING ONLY TABLE NAMES MATCHING 't';
LOAD
export BENCH_PW=$DB_PASS

run_sluice() { rm -f "$work/mysql_pg_bench_state.db"; "$SLUICE" run job.yaml --set settings.parallelism="$1" --progress none; }
run_sluice_1() { run_sluice 1; }
run_sluice_2() { run_sluice 2; }
run_pgloader() { pgloader --no-ssl-cert-verification pgloader.load; }
export SLUICE work
export -f run_sluice run_sluice_1 run_sluice_2 run_pgloader

echo "== $ROWS rows, MariaDB -> PostgreSQL, best of $RUNS"
read -r base_s base_kb < <(measure reset_pgloader src.t run_pgloader)
read -r s1_s s1_kb < <(measure reset_sluice public.t run_sluice_1)
read -r s2_s s2_kb < <(measure reset_sluice public.t run_sluice_2)

row() {
  awk -v name="$1" -v s="$2" -v kb="$3" -v rows="$ROWS" -v base="$base_s" \
    'BEGIN { printf "%-24s %8.2f s %12.0f rows/s %8.1f MB   x%.2f of pgloader\n",
                    name, s, rows / s, kb / 1024, s / base }'
}
row "pgloader" "$base_s" "$base_kb"
row "sluice parallelism 1" "$s1_s" "$s1_kb"
row "sluice parallelism 2" "$s2_s" "$s2_kb"
