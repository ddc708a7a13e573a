#!/usr/bin/env bash
# Benchmark: the cost of a whole-database job against one job per table. 500 MariaDB tables of
# about 2,000 rows each are copied into PostgreSQL (a) as ONE job (`source.tables`, a shared
# pool of 4 reader slots) and (b) as 500 single-table jobs, run one after another and 4 at a
# time (xargs -P 4), as a scheduler would. For each: wall time, CPU time (user + system of
# every sluice process), peak RSS of the largest sluice process, connections opened on each
# server and the most open at once. Prints the ratios single / whole (above 1 means the
# whole-database job costs less). Each copy is checked against the source (row count and sums).
#
#   bench/many_tables.sh build/sluice
#   TABLES=100 ROWS=2000 bench/many_tables.sh build/sluice
#
# Starts its own throwaway MariaDB and PostgreSQL (scripts/test-servers.sh) and stops them at
# the end. Needs: mariadb and psql clients, /usr/bin/time.
set -euo pipefail

SLUICE=$(realpath "${1:?usage: $0 path/to/sluice}")
TABLES=${TABLES:-500}
ROWS=${ROWS:-2000}
POOL=${POOL:-4}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# The servers, /usr/bin/time and the baselines (pgloader, mydumper): only what is missing.
bash "$repo/scripts/install-deps.sh" bench
work=${BENCH_DIR:-$here/out}/many_tables
rm -rf "$work"
mkdir -p "$work/jobs"
cd "$work"
servers="$work/servers"

"$repo/scripts/test-servers.sh" start "$servers" >/dev/null
trap '"$repo/scripts/test-servers.sh" stop "$servers" >/dev/null' EXIT
# shellcheck disable=SC1091
source "$servers/env"
MY_URL="mysql://sluice:sluice-pw@127.0.0.1:$SLUICE_TEST_MYSQL_PORT/many"
PG_URL="postgresql://sluice:sluice-pw@127.0.0.1:$SLUICE_TEST_PG_PORT/sluice_test"
my() { mariadb --no-defaults -h127.0.0.1 -P"$SLUICE_TEST_MYSQL_PORT" -usluice -psluice-pw -N "$@"; }
pg() {
  PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=sluice-pw \
    psql -h 127.0.0.1 -p "$SLUICE_TEST_PG_PORT" -U sluice -d sluice_test -qAt "$@"
}

echo "== creating $TABLES tables of $ROWS rows in MariaDB"
{
  echo "CREATE DATABASE many;"
  for ((i = 0; i < TABLES; i++)); do
    t=$(printf 't_%03d' "$i")
    echo "CREATE TABLE many.$t (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL,
      amount DECIMAL(12,2), score DOUBLE, created DATETIME(6), flag TINYINT) ENGINE=InnoDB;"
    echo "INSERT INTO many.$t SELECT seq, CONCAT('name-', seq * $((i + 7)) % 1009),
      (seq * 31 + $i) % 100000 / 100, seq / 7e0,
      '2024-01-01' + INTERVAL seq MINUTE, seq % 2 FROM many.seq_1_to_$ROWS;"
  done
} | my
# SELECT id FROM s.t_000 UNION ALL SELECT id FROM s.t_001 ...
union_of() {
  for ((i = 0; i < TABLES; i++)); do
    [[ $i -gt 0 ]] && printf ' UNION ALL '
    printf 'SELECT id FROM %s.t_%03d' "$1" "$i"
  done
}
want=$(my -e "SELECT COUNT(*), SUM(id) FROM ($(union_of many)) u" | tr '\t' '|')
my -e "ANALYZE TABLE $(for ((i = 0; i < TABLES; i++)); do printf '%smany.t_%03d' "$([[ $i -gt 0 ]] && echo ,)" "$i"; done)" >/dev/null

cat >whole.yaml <<YAML
name: whole
source: {type: mysql, url: "$MY_URL", tables: ["many.t_*"]}
target: {type: postgres, url: "$PG_URL", table: "whole.\${table}", write_mode: overwrite}
settings: {parallelism: $POOL}
YAML
for ((i = 0; i < TABLES; i++)); do
  t=$(printf 't_%03d' "$i")
  cat >"jobs/$t.yaml" <<YAML
name: single_$t
source: {type: mysql, url: "$MY_URL", table: many.$t}
target: {type: postgres, url: "$PG_URL", table: "single.$t", write_mode: overwrite}
YAML
done

# Checks that schema $1 holds every source row.
check_copy() {
  local got
  got=$(pg -c "SELECT COUNT(*), SUM(id) FROM ($(union_of "$1")) u")
  if [[ "$got" != "$want" ]]; then
    echo "schema $1 differs from the source: $got, want $want" >&2
    exit 1
  fi
}

# Samples the connections open on both servers every 20 ms until $work/stop exists; prints the
# maxima (minus the sampler's own connections) and the number of samples.
sample_connections() {
  local max_my=0 max_pg=0 n samples=0
  while [[ ! -f stop ]]; do
    samples=$((samples + 1))
    n=$(my -e "SELECT COUNT(*) - 1 FROM information_schema.processlist WHERE user = 'sluice'")
    ((n > max_my)) && max_my=$n
    n=$(pg -c "SELECT COUNT(*) - 1 FROM pg_stat_activity WHERE backend_type = 'client backend'")
    ((n > max_pg)) && max_pg=$n
    sleep 0.02
  done
  echo "$max_my $max_pg $samples"
}
opened_my() { my -e "SHOW GLOBAL STATUS LIKE 'Connections'" | awk '{print $2}'; }
opened_pg() { pg -c "SELECT sessions FROM pg_stat_database WHERE datname = 'sluice_test'"; }

# measure NAME SCHEMA COMMAND: prints one result line.
measure() {
  local name=$1 schema=$2 cmd=$3
  pg -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema"
  rm -rf .sluice stop
  sample_connections >peak.txt &
  local sampler=$!
  local my0 pg0
  my0=$(opened_my)
  pg0=$(opened_pg)
  /usr/bin/time -f "%e %U %S %M" -o time.txt bash -c "$cmd" >run.log 2>&1 || {
    echo "failed: $cmd" >&2
    tail -20 run.log >&2
    exit 1
  }
  local my1 pg1
  my1=$(opened_my)
  pg1=$(opened_pg)
  touch stop
  wait "$sampler"
  check_copy "$schema"
  read -r wall user sys rss <time.txt
  read -r peak_my peak_pg samples <peak.txt
  # The counters include this script's own client calls between the readings (2 on each side)
  # and the sampler's (one per sample on each side).
  local opened=$(((my1 - my0 - 2 - samples) + (pg1 - pg0 - 2 - samples)))
  printf '%-26s %8.2f %8.2f %8d %8d %6d %6d\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" \
    "$((rss / 1024))" "$opened" "$peak_my" "$peak_pg" | tee -a results.txt
}

echo "== $TABLES tables x $ROWS rows, MariaDB -> PostgreSQL"
printf '%-26s %8s %8s %8s %8s %6s %6s\n' "" "wall s" "cpu s" "rss MB" "conns" "peakMy" "peakPg"
: >results.txt
measure "one whole-database job" whole "'$SLUICE' run whole.yaml --progress none"
measure "$TABLES jobs, one at a time" single \
  "for f in jobs/*.yaml; do '$SLUICE' run \"\$f\" --progress none || exit 1; done"
measure "$TABLES jobs, $POOL at a time" single \
  "ls jobs/*.yaml | xargs -P $POOL -I{} '$SLUICE' run {} --progress none"

awk 'NR == 1 { w = $(NF-5); c = $(NF-4); o = $(NF-2) }
     NR > 1 { name = $0; sub(/ +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$/, "", name)
              printf "ratio %-26s wall %.1fx, cpu %.1fx, connections opened %.1fx (single / whole)\n",
                     name, $(NF-5) / w, $(NF-4) / c, $(NF-2) / o }' results.txt
