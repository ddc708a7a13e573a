#!/usr/bin/env bash
# Benchmark: a MariaDB table of 5,000,000 rows copied into another MariaDB database by sluice
# (parallelism 1 and 2) against two baselines run in the same script on the same server:
#   pipe     mariadb --batch -e "SELECT ..." | mariadb -e "LOAD DATA LOCAL INFILE '/dev/stdin'"
#   mydumper mydumper (2 threads, 500k-row chunks) then myloader (2 threads, binlog on like
#            the others)
# Prints wall time, rows/s, peak RSS of the client side and the ratio sluice / baseline (below 1
# means sluice is faster); checks every copy with CHECKSUM TABLE against the source.
#
#   bench/mysql_to_mysql.sh build/sluice
#   ROWS=1000000 RUNS=1 bench/mysql_to_mysql.sh build/sluice
#
# The script starts its own throwaway MariaDB (scripts/test-servers.sh) and stops it at the
# end. The generated rows are kept in bench/out/mysql_source_<ROWS>.tsv and loaded again by
# later runs. Each measurement is the best of RUNS (default 2). The data has no NULLs: the
# pipe baseline's --batch output cannot tell NULL from the text 'NULL'.
# Needs: mariadb client, mydumper/myloader, /usr/bin/time (Debian package `time`).
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
servers="$work/mysql-bench-servers"

"$repo/scripts/test-servers.sh" start "$servers" >/dev/null
trap '"$repo/scripts/test-servers.sh" stop "$servers"' EXIT
# shellcheck disable=SC1091
source "$servers/env"
PORT=$SLUICE_TEST_MYSQL_PORT
DB_USER=sluice
DB_PASS=sluice-pw
client() { mariadb --no-defaults -h127.0.0.1 -P"$PORT" -u"$DB_USER" -p"$DB_PASS" "$@"; }

DDL="(id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, amount DECIMAL(12,2) NOT NULL,
      score DOUBLE NOT NULL, created DATETIME(6) NOT NULL, note TEXT NOT NULL) ENGINE=InnoDB"
client -e "CREATE DATABASE src; CREATE DATABASE dst; CREATE TABLE src.t $DDL"

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
want=$(client -N -e "CHECKSUM TABLE src.t" | cut -f2)

# Prints "seconds max_rss_kb" of a command, best (lowest time) of $RUNS runs; `reset` runs
# before each.
measure() {
  local reset=$1
  shift
  local best_s="" best_kb=""
  for ((r = 0; r < RUNS; r++)); do
    $reset
    /usr/bin/time -v -o time.txt bash -c "$*" >run.log 2>&1 || {
      echo "command failed: $*" >&2
      cat run.log >&2
      exit 1
    }
    local got
    got=$(client -N -e "CHECKSUM TABLE dst.t" | cut -f2)
    if [[ "$got" != "$want" ]]; then
      echo "copy differs from the source (checksum $got, want $want): $*" >&2
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

reset_empty() { client -e "DROP TABLE IF EXISTS dst.t; CREATE TABLE dst.t $DDL"; }
reset_none() { client -e "DROP TABLE IF EXISTS dst.t"; rm -rf dump; }

cat >job.yaml <<YAML
name: bench_mysql_to_mysql
source:
  type: mysql
  url: mysql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PORT/src
  table: t
target:
  type: mysql
  url: mysql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PORT/dst
  table: t
  write_mode: append
settings:
  batch_rows: 10000
  state_path: $work/mysql_bench_state.db
YAML
export BENCH_PW=$DB_PASS

run_sluice() { rm -f "$work/mysql_bench_state.db"; "$SLUICE" run job.yaml --set settings.parallelism="$1" --progress none; }
run_sluice_1() { run_sluice 1; }
run_sluice_2() { run_sluice 2; }
run_pipe() {
  bash -c "mariadb --no-defaults -h127.0.0.1 -P$PORT -u$DB_USER -p$DB_PASS --batch -N --quick \
             -e 'SELECT * FROM src.t' |
           mariadb --no-defaults -h127.0.0.1 -P$PORT -u$DB_USER -p$DB_PASS --local-infile=1 \
             -e \"LOAD DATA LOCAL INFILE '/dev/stdin' INTO TABLE dst.t\""
}
run_mydumper() {
  bash -c "mydumper -h 127.0.0.1 -P $PORT -u $DB_USER -p $DB_PASS -B src -T t -o dump -t 2 \
             -r 500000 -v 1 &&
           myloader -h 127.0.0.1 -P $PORT -u $DB_USER -p $DB_PASS -d dump -B dst -s src -t 2 \
             -e -o -v 1"
}

# /usr/bin/time runs each of these in a fresh bash.
export SLUICE work PORT DB_USER DB_PASS
export -f run_sluice run_sluice_1 run_sluice_2 run_pipe run_mydumper

echo "== $ROWS rows, MariaDB -> MariaDB, best of $RUNS"
read -r pipe_s pipe_kb < <(measure reset_empty run_pipe)
read -r dump_s dump_kb < <(measure reset_none run_mydumper)
read -r s1_s s1_kb < <(measure reset_empty run_sluice_1)
read -r s2_s s2_kb < <(measure reset_empty run_sluice_2)

row() {
  awk -v name="$1" -v s="$2" -v kb="$3" -v rows="$ROWS" -v pipe="$pipe_s" -v dump="$dump_s" \
    'BEGIN { printf "%-28s %8.2f s %12.0f rows/s %8.1f MB   x%.2f of pipe   x%.2f of mydumper\n",
                    name, s, rows / s, kb / 1024, s / pipe, s / dump }'
}
row "pipe (SELECT | LOAD DATA)" "$pipe_s" "$pipe_kb"
row "mydumper + myloader" "$dump_s" "$dump_kb"
row "sluice parallelism 1" "$s1_s" "$s1_kb"
row "sluice parallelism 2" "$s2_s" "$s2_kb"
