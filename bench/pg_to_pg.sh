#!/usr/bin/env bash
# Benchmark: PostgreSQL tables of 1, 5 and 10 million rows, each copied into another table of
# the same server by sluice (postgres source -> postgres target, binary COPY both ways) against
# the raw pipe
#   psql -c "COPY (SELECT ...) TO STDOUT (FORMAT binary)" | psql -c "COPY t FROM STDIN (FORMAT binary)"
# run in the same script on the same data. Prints, per size, wall time, rows/s, peak RSS of the
# client and the ratio sluice / pipe (goal: at most 1.3, and flat as the size grows: sluice's
# cost is linear in the rows; RSS under 300 MB whatever the size); checks every copy's row count
# and sums against the source.
#
#   bench/pg_to_pg.sh build/sluice                         # SIZES="1000000 5000000 10000000"
#   SIZES="1000000" RUNS=1 bench/pg_to_pg.sh build/sluice  # quicker (ROWS=N is the same)
#
# Uses the server of SLUICE_TEST_PG_URL when set; otherwise starts a throwaway one with
# scripts/test-servers.sh and stops it at the end. The source table is kept between runs when
# the server is (it is regenerated only if its row count differs). The pipe and sluice runs
# alternate; each figure is the best of RUNS (default 3). Needs: psql, /usr/bin/time.
set -euo pipefail

SLUICE=$(realpath "${1:?usage: $0 path/to/sluice}")
SIZES=${SIZES:-${ROWS:-1000000 5000000 10000000}}
RUNS=${RUNS:-3}
PARALLELISM=${PARALLELISM:-1}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# The servers, /usr/bin/time and the baselines (pgloader, mydumper): only what is missing.
bash "$repo/scripts/install-deps.sh" bench
work=${BENCH_DIR:-$here/out}
mkdir -p "$work"
cd "$work"

if [[ -z "${SLUICE_TEST_PG_URL:-}" ]]; then
  servers="$work/pg-bench-servers"
  "$repo/scripts/test-servers.sh" start "$servers" >/dev/null
  trap '"$repo/scripts/test-servers.sh" stop "$servers"' EXIT
  # shellcheck disable=SC1091
  source "$servers/env"
fi
URL=$SLUICE_TEST_PG_URL
pg() { PGOPTIONS="-c client_min_messages=warning" psql "$URL" -X -qAt -v ON_ERROR_STOP=1 "$@"; }

# Makes bench_src hold $1 rows (kept when it already does: generating 10M rows takes minutes).
generate() {
  local rows=$1 count=-1
  if [[ $(pg -c "SELECT to_regclass('bench_src') IS NOT NULL") == t ]]; then
    count=$(pg -c "SELECT count(*) FROM bench_src")
  fi
  [[ "$count" == "$rows" ]] && return
  echo "== generating $rows rows in bench_src"
  pg -c "DROP TABLE IF EXISTS bench_src" -c "CREATE TABLE bench_src (
    id bigint PRIMARY KEY, user_id integer NOT NULL, amount numeric(12,2) NOT NULL,
    score double precision, status text NOT NULL, created_at timestamptz NOT NULL, note text)"
  pg -c "INSERT INTO bench_src
    SELECT g, (g::bigint * 7919) % 1000003, ((g * 31) % 100000) + (g % 100) / 100.0,
           (g % 10007) / 7.0, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4],
           '2024-01-01 00:00:00+00'::timestamptz + (g / 3) * interval '1 second'
             + (g % 1000) * interval '1 microsecond',
           CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || (g % 97) || repeat('x', g % 20) END
    FROM generate_series(1, $rows) g"
  pg -c "VACUUM ANALYZE bench_src"
}

sums="count(*), sum(id), sum(amount), sum(score::numeric), sum(length(note)), max(created_at)"
want=""

# Runs one copy and prints "seconds max_rss_kb"; $1 runs before it and $2 names the copied
# table for the check.
measure_once() {
  local reset=$1 table=$2
  shift 2
  $reset
  /usr/bin/time -v -o time.txt bash -c "$*" >run.log 2>&1 || {
    echo "command failed: $*" >&2
    cat run.log >&2
    exit 1
  }
  local got
  got=$(pg -c "SELECT $sums FROM $table")
  if [[ "$got" != "$want" ]]; then
    echo "copy differs from the source ($got, want $want): $*" >&2
    exit 1
  fi
  awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i]; s = t }
      /Maximum resident set size/ { kb = $2 }
      END { print s, kb }' time.txt
}

# Keeps the faster of two "seconds kb" measurements in the named variables.
keep_best() {
  local -n best_s=$1 best_kb=$2
  if [[ -z "$best_s" ]] || awk -v a="$3" -v b="$best_s" 'BEGIN {exit !(a < b)}'; then
    best_s=$3
    best_kb=$4
  fi
}

# Both targets are emptied before each run; sluice's overwrite truncates again inside its own
# transaction, which costs nothing on an empty table.
reset_pipe() { pg -c "TRUNCATE bench_pipe" -c "CHECKPOINT"; }
reset_sluice() { pg -c "TRUNCATE bench_sluice" -c "CHECKPOINT"; rm -f "$work/pg_bench_state.db"; }

cat >pg_job.yaml <<YAML
name: bench_pg_to_pg
source:
  type: postgres
  url: \${env:BENCH_PG_URL}
  table: bench_src
target:
  type: postgres
  url: \${env:BENCH_PG_URL}
  table: bench_sluice
  write_mode: overwrite
  create_table: never
settings:
  batch_rows: 10000
  parallelism: $PARALLELISM
  state_path: $work/pg_bench_state.db
YAML
export BENCH_PG_URL=$URL

PIPE="psql '$URL' -X -q -c 'COPY (SELECT * FROM bench_src) TO STDOUT (FORMAT binary)' |
   psql '$URL' -X -q -c 'COPY bench_pipe FROM STDIN (FORMAT binary)'"
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
results=()  # "rows pipe_s pipe_kb sluice_s sluice_kb" per size

for ROWS in $SIZES; do
  generate "$ROWS"
  for t in bench_pipe bench_sluice; do
    pg -c "DROP TABLE IF EXISTS $t" -c "CREATE TABLE $t (LIKE bench_src INCLUDING ALL)"
  done
  want=$(pg -c "SELECT $sums FROM bench_src")
  # The two alternate, so that both see the same load on a shared machine; best of RUNS each.
  pipe_s="" pipe_kb="" sluice_s="" sluice_kb=""
  for ((r = 1; r <= RUNS; r++)); do
    echo "== $ROWS rows, run $r/$RUNS: pipe (psql COPY binary | psql COPY binary)"
    read -r s kb < <(measure_once reset_pipe bench_pipe "$PIPE")
    keep_best pipe_s pipe_kb "$s" "$kb"
    echo "   ${s}s; sluice (postgres -> postgres, parallelism $PARALLELISM)"
    read -r s kb < <(measure_once reset_sluice bench_sluice "'$SLUICE' run pg_job.yaml --progress none")
    keep_best sluice_s sluice_kb "$s" "$kb"
    echo "   ${s}s"
  done
  results+=("$ROWS $pipe_s $pipe_kb $sluice_s $sluice_kb")
  # The targets of this size are not needed any more: the next size's disk and cache are its own.
  pg -c "DROP TABLE bench_pipe" -c "DROP TABLE bench_sluice"
done

printf '\n%12s %9s %12s %9s %12s %7s %10s\n' "rows" "pipe s" "pipe rows/s" "sluice s" \
  "sluice rows/s" "ratio" "sluice RSS"
echo "rows,pipe_seconds,pipe_peak_rss_kb,sluice_seconds,sluice_peak_rss_kb,ratio" >pg_to_pg.csv
for line in "${results[@]}"; do
  read -r rows ps pkb ss skb <<<"$line"
  ratio=$(awk -v a="$ss" -v b="$ps" 'BEGIN { printf "%.2f", a / b }')
  printf '%12s %9.2f %12s %9.2f %12s %7s %7d MB\n' "$rows" "$ps" "$(rate "$rows" "$ps")" "$ss" \
    "$(rate "$rows" "$ss")" "$ratio" $((skb / 1024))
  echo "$rows,$ps,$pkb,$ss,$skb,$ratio" >>pg_to_pg.csv
done
echo "ratio sluice / pipe: goal <= 1.30 at every size, and flat as the size grows;" \
  "sluice peak RSS: goal < 300 MB at every size (parallelism $PARALLELISM, best of $RUNS)"
