#!/usr/bin/env bash
# Benchmark: what committing a realtime job's initial snapshot in chunks of its key costs
# (source.snapshot_chunk_rows, docs/guarantees.md), MariaDB (or with SOURCE=postgres, a
# PostgreSQL table read through the job's slot) into a PostgreSQL upsert target, on
# throwaway servers (scripts/test-servers.sh). A table of ROWS rows (default 2,000,000; the
# types of bench/cdc_mariadb_to_pg.sh) is snapshotted by `sluice run JOB --catch-up` twice,
# into an emptied target each time:
#   (a) the baseline: snapshot_chunk_rows: 0, the snapshot in one target transaction;
#   (b) snapshot_chunk_rows: CHUNK (default 500,000, the default of the option): a checkpoint
#       may commit at the end of each key range, so a kill loses at most the range being read.
# Each must leave the target equal to the source (count and sums of every column). Prints
# the wall time, rows/s and peak RSS of each and the ratio (b)/(a) of their times (best of
# RUNS, default 3, each).
#
#   bench/cdc_snapshot_chunks.sh build/sluice
#   ROWS=500000 CHUNK=50000 bench/cdc_snapshot_chunks.sh build/sluice
#   SOURCE=postgres bench/cdc_snapshot_chunks.sh build/sluice
#
# Needs: mariadb and psql clients, /usr/bin/time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
SLUICE=$(realpath "${1:?usage: $0 path/to/sluice}")
ROWS=${ROWS:-2000000}
CHUNK=${CHUNK:-500000}
RUNS=${RUNS:-3}
SOURCE=${SOURCE:-mysql}

bash "$repo/scripts/install-deps.sh" bench
work=${BENCH_DIR:-$here/out}/cdc_snapshot_chunks
rm -rf "$work"
mkdir -p "$work"
cd "$work"
servers="$work/servers"
"$repo/scripts/test-servers.sh" start "$servers" >/dev/null
trap '"$repo/scripts/test-servers.sh" stop "$servers" >/dev/null' EXIT
# shellcheck disable=SC1091
source "$servers/env"
PORT=$SLUICE_TEST_MYSQL_PORT
PG_PORT=$SLUICE_TEST_PG_PORT
export BENCH_PW=sluice-pw
my() { mariadb --no-defaults -h127.0.0.1 -P"$PORT" -usluice -p"$BENCH_PW" -N "$@"; }
pg() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=$BENCH_PW psql -h 127.0.0.1 -p "$PG_PORT" -U sluice -d sluice_test -qAt "$@"; }

echo "== $(date -u +%FT%TZ) SOURCE=$SOURCE ROWS=$ROWS CHUNK=$CHUNK RUNS=$RUNS; $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
pg_sums="SELECT COUNT(*), SUM(id), SUM(k), SUM(LENGTH(v)), SUM(amount),
  SUM(FLOOR(score)::bigint), SUM(t_us), SUM(COALESCE(LENGTH(note), -1)) FROM"
if [[ "$SOURCE" == postgres ]]; then
  pg -c "CREATE SCHEMA src; CREATE TABLE src.t (id bigint PRIMARY KEY, k int NOT NULL,
    v varchar(64) NOT NULL, amount numeric(12,2) NOT NULL, score double precision NOT NULL,
    t_us bigint NOT NULL, note text);
    INSERT INTO src.t SELECT g, g % 1000, 'value ' || g, (g % 100000) / 100.0, g / 7.0,
      g * 1000, CASE WHEN g % 10 = 0 THEN NULL ELSE repeat('n', (g % 50)::int) END
    FROM generate_series(1, $ROWS) g;
    ANALYZE src.t"
  want=$(pg -c "$pg_sums src.t")
  source_line="{type: postgres, url: \"postgresql://sluice:\${env:BENCH_PW}@127.0.0.1:$PG_PORT/sluice_test\", table: src.t"
else
  my -e "CREATE DATABASE src; USE src; CREATE TABLE t (id BIGINT PRIMARY KEY, k INT NOT NULL,
    v VARCHAR(64) NOT NULL, amount DECIMAL(12,2) NOT NULL, score DOUBLE NOT NULL,
    t_us BIGINT NOT NULL, note TEXT) ENGINE=InnoDB;
    INSERT INTO t SELECT seq, seq % 1000, CONCAT('value ', seq), (seq % 100000) / 100, seq / 7,
      seq * 1000, IF(seq % 10 = 0, NULL, REPEAT('n', seq % 50)) FROM seq_1_to_$ROWS;
    ANALYZE TABLE t" >/dev/null
  want=$(my -e "SELECT COUNT(*), SUM(id), SUM(k), SUM(LENGTH(v)), SUM(amount), SUM(FLOOR(score)),
    SUM(t_us), SUM(COALESCE(LENGTH(note), -1)) FROM src.t" | tr '\t' '|')
  source_line="{type: mysql, url: \"mysql://sluice:\${env:BENCH_PW}@127.0.0.1:$PORT/src\", table: src.t"
fi

# One snapshot with snapshot_chunk_rows $1 into an emptied target; prints "seconds rss_mb".
snapshot() {
  pg -c "DROP TABLE IF EXISTS public.t; DROP TABLE IF EXISTS public._sluice_positions"
  rm -f "$work/state.db"*
  cat >job.yaml <<YAML
name: bench_snapshot_chunks
mode: realtime
source: $source_line, snapshot_chunk_rows: $1}
target: {type: postgres, url: "postgresql://sluice:\${env:BENCH_PW}@127.0.0.1:$PG_PORT/sluice_test", table: public.t, write_mode: upsert, key: [id]}
settings: {state_path: $work/state.db}
YAML
  /usr/bin/time -v "$SLUICE" run job.yaml --catch-up --progress none >run.log 2>time.log || {
    cat time.log >&2
    exit 1
  }
  local got
  got=$(pg -c "$pg_sums public.t")
  if [[ "$got" != "$want" ]]; then
    echo "the target differs from the source after snapshot_chunk_rows: $1: $got, want $want" >&2
    exit 1
  fi
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); t = 0;
      for (i = 1; i <= n; i++) t = t * 60 + p[i]; s = t}
    /Maximum resident set size/ {r = $2 / 1024} END {printf "%.2f %.1f\n", s, r}' time.log
}

best() {  # best of RUNS: "seconds rss_mb" of the fastest
  local out=""
  for _ in $(seq "$RUNS"); do
    local one
    one=$(snapshot "$1")
    if [[ -z "$out" ]] || awk -v a="${one% *}" -v b="${out% *}" 'BEGIN {exit !(a < b)}'; then
      out=$one
    fi
  done
  echo "$out"
}

whole=$(best 0)
chunked=$(best "$CHUNK")
chunks=$(grep -o 'in [0-9]* chunks' "$work/time.log" | head -1 || true)
echo "   both targets equal the source (count, sums: $want)"
printf "(a) one transaction:         %6.2f s  %9.0f rows/s  peak RSS %6.1f MB\n" \
  "${whole% *}" "$(awk -v s="${whole% *}" -v n="$ROWS" 'BEGIN {print n / s}')" "${whole#* }"
printf "(b) chunks of %-9s       %6.2f s  %9.0f rows/s  peak RSS %6.1f MB  (%s)\n" "$CHUNK" \
  "${chunked% *}" "$(awk -v s="${chunked% *}" -v n="$ROWS" 'BEGIN {print n / s}')" \
  "${chunked#* }" "${chunks:-no chunk line}"
printf "ratio (b)/(a) time: %.3f\n" "$(awk -v a="${whole% *}" -v b="${chunked% *}" 'BEGIN {print b / a}')"
