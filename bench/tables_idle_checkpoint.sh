#!/usr/bin/env bash
# Benchmark: what a checkpoint of a `tables:` realtime job costs when most tables are idle.
# 50 MariaDB tables stream into PostgreSQL; one of them gets a steady trickle of inserts, the
# 49 others nothing. Each binary runs the same live job for RUN_SECONDS (checkpoint every
# second, the default); its `-v` log says per checkpoint how many tables it committed and how
# long that took. Prints, per binary: checkpoints, tables committed per checkpoint, mean and
# p50/max checkpoint time, and the target's transactions during the run (pg_stat_database).
# Then checks that each target table equals its source.
#
#   bench/tables_idle_checkpoint.sh BASELINE_SLUICE SLUICE
#   SERVERS_ENV=/tmp/srv/env TABLES=50 RUN_SECONDS=20 bench/tables_idle_checkpoint.sh a b
#
# BASELINE_SLUICE commits every table at every checkpoint (the behaviour before idle tables
# were skipped: e.g. this tree built with kIdleTableCommitEvery = 0s). With SERVERS_ENV it uses
# running servers (scripts/test-servers.sh start DIR; DIR/env), else starts its own.
set -euo pipefail

BASELINE=$(realpath "${1:?usage: $0 BASELINE_SLUICE SLUICE}")
SLUICE=$(realpath "${2:?usage: $0 BASELINE_SLUICE SLUICE}")
TABLES=${TABLES:-50}
RUN_SECONDS=${RUN_SECONDS:-20}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
work=${BENCH_DIR:-$here/out}/tables_idle_checkpoint
rm -rf "$work"
mkdir -p "$work"
cd "$work"
if [[ -n "${SERVERS_ENV:-}" ]]; then
  # shellcheck disable=SC1090
  source "$SERVERS_ENV"
else
  "$repo/scripts/test-servers.sh" start "$work/servers" >/dev/null
  trap '"$repo/scripts/test-servers.sh" stop "$work/servers" >/dev/null' EXIT
  # shellcheck disable=SC1091
  source "$work/servers/env"
fi
MY_URL="mysql://sluice:sluice-pw@127.0.0.1:$SLUICE_TEST_MYSQL_PORT/idlebench"
PG_URL="postgresql://sluice:sluice-pw@127.0.0.1:$SLUICE_TEST_PG_PORT/sluice_test"
my() { mariadb --no-defaults -h127.0.0.1 -P"$SLUICE_TEST_MYSQL_PORT" -usluice -psluice-pw -N "$@"; }
pg() {
  PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=sluice-pw \
    psql -h 127.0.0.1 -p "$SLUICE_TEST_PG_PORT" -U sluice -d sluice_test -qAt "$@"
}

my -e "DROP DATABASE IF EXISTS idlebench; CREATE DATABASE idlebench"
for i in $(seq -w 0 $((TABLES - 1))); do
  echo "CREATE TABLE t$i (id INT PRIMARY KEY, v VARCHAR(30));"
  echo "INSERT INTO t$i SELECT seq, 'snap' FROM seq_1_to_10;"
done | my idlebench

measure() {  # name binary first-id (each run inserts new keys into the shared source)
  local name=$1 bin=$2 first=$3
  pg -c "DROP SCHEMA IF EXISTS $name CASCADE; CREATE SCHEMA $name"
  cat >"$name.yaml" <<EOF
name: idle_$name
mode: realtime
source: {type: mysql, url: "$MY_URL", tables: ["idlebench.*"]}
target: {type: postgres, url: "$PG_URL", table: "$name.\${table}", write_mode: upsert, key: [id]}
EOF
  export SLUICE_STATE="$work/$name.state.db"
  "$bin" run "$name.yaml" --catch-up >"$name.snapshot.log" 2>&1
  local before after
  before=$(pg -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  "$bin" -v run "$name.yaml" >"$name.live.log" 2>&1 &
  local pid=$!
  local end=$((SECONDS + RUN_SECONDS)) n=0
  while ((SECONDS < end)); do
    n=$((n + 1))
    echo "INSERT INTO t00 VALUES ($((first + n)), 'busy'); DO SLEEP(0.02);"
  done | my idlebench &
  local writer=$!
  sleep "$RUN_SECONDS"
  wait "$writer" || true
  kill -TERM "$pid"
  wait "$pid" || true
  after=$(pg -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  "$bin" run "$name.yaml" --catch-up >"$name.final.log" 2>&1
  for i in $(seq -w 0 $((TABLES - 1))); do
    local s t
    s=$(my idlebench -e "SELECT count(*), coalesce(sum(id), 0) FROM t$i" | tr '\t' ' ')
    t=$(pg -F' ' -c "SELECT count(*), coalesce(sum(id), 0) FROM $name.t$i")
    [[ "$s" == "$t" ]] || { echo "$name: t$i differs: source $s, target $t" >&2; exit 1; }
  done
  grep -o 'checkpoint [0-9]*: [0-9]* of [0-9]* tables committed in [0-9]* us' "$name.live.log" |
    awk -v name="$name" -v tx=$((after - before)) '
      { n++; tables += $3; us[n] = $9; sum += $9 }
      END {
        asort(us)
        printf "%-9s checkpoints %4d  tables/checkpoint %5.1f  mean %7.0f us  p50 %7d us  max %7d us  target transactions %6d\n",
               name, n, tables / n, sum / n, us[int((n + 1) / 2)], us[n], tx
        printf "%d %d %d\n", us[int((n + 1) / 2)], sum / n, tx > (name ".summary")
      }'
}

measure baseline "$BASELINE" 100000
measure candidate "$SLUICE" 200000
read -r b50 bmean btx <baseline.summary
read -r c50 cmean ctx <candidate.summary
awk -v b50="$b50" -v c50="$c50" -v bm="$bmean" -v cm="$cmean" -v btx="$btx" -v ctx="$ctx" 'BEGIN {
  printf "ratio baseline / candidate: p50 checkpoint %.1fx, mean %.1fx, target transactions %.1fx\n",
         b50 / c50, bm / cm, btx / ctx }'
