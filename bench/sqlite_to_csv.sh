#!/usr/bin/env bash
# Benchmark: a SQLite table of 5,000,000 rows exported to CSV, by sluice (parallelism 1 and 2)
# against the sqlite3 command-line shell's own CSV export of the same table (the baseline),
# run in the same script on the same machine. Prints time, rows/s, CPU time, peak RSS and the
# ratios sluice / baseline (below 1 means sluice is faster); checks the outputs hold the same rows.
#
#   bench/sqlite_to_csv.sh build/sluice          # or: make bench
#   ROWS=1000000 RUNS=1 bench/sqlite_to_csv.sh build/sluice
#
# The source database is kept in bench/out/ (keyed by row count) and reused by later runs.
# Each measurement is the best of RUNS (default 3): the machine is shared, the minimum is the
# least disturbed. Needs: sqlite3, /usr/bin/time (Debian package `time`); python3 for the
# row-by-row check against sqlite3's output (skipped without it).
set -euo pipefail

SLUICE=$(realpath "${1:?usage: $0 path/to/sluice}")
ROWS=${ROWS:-5000000}
RUNS=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
# /usr/bin/time (sqlite3 comes with the build packages): only what is missing.
bash "$here/../scripts/install-deps.sh" build time
work=${BENCH_DIR:-$here/out}
mkdir -p "$work"
cd "$work"
db="source_${ROWS}.db"

if [[ ! -f "$db" ]]; then
  echo "== creating $db ($ROWS rows; kept for later runs)"
  rm -f "$db.tmp"
  # amount is DECIMAL(12,2): SQLite stores it as REAL; sluice reads it as decimal(12,2).
  sqlite3 "$db.tmp" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE t (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  amount DECIMAL(12,2),
  score REAL,
  created DATETIME NOT NULL
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO t
SELECT i, 'customer-' || (i * 7919 % 1000003),
       printf('%d.%02d', (i * 31) % 100000, i % 100),
       (i % 10007) / 7.0,
       datetime('2024-01-01 00:00:00', '+' || (i / 3) || ' seconds')
FROM n;
SQL
  mv "$db.tmp" "$db"
fi

# Prints "seconds cpu_seconds max_rss_kb" of a command, best (lowest time) of $RUNS runs.
# CPU seconds (user + system) are printed too: on a shared machine they vary far less than
# the wall-clock time.
measure() {
  local best_s="" best_cpu="" best_kb=""
  for ((r = 0; r < RUNS; r++)); do
    /usr/bin/time -v -o time.txt "$@" >/dev/null 2>run.log || {
      echo "command failed: $*" >&2
      cat run.log >&2
      exit 1
    }
    local s cpu kb
    cpu=$(awk -F': ' '/User time|System time/ {t += $2} END {print t}' time.txt)
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {
          n = split($2, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i]; print t }' time.txt)
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' time.txt)
    if [[ -z "$best_s" ]] || awk -v a="$s" -v b="$best_s" 'BEGIN {exit !(a < b)}'; then
      best_s=$s
      best_cpu=$cpu
      best_kb=$kb
    fi
  done
  echo "$best_s $best_cpu $best_kb"
}

cat > job.yaml <<'YAML'
name: bench_sqlite_to_csv
source:
  type: sqlite
  path: ${db}
  table: t
  split_key: id
target:
  type: csv
  path: ${out}
  write_mode: overwrite
YAML

export SLUICE_STATE="$work/state.db"
echo "== baseline: sqlite3 -csv -header $db 'SELECT * FROM t' > baseline.csv"
read -r base_s base_cpu base_kb < <(measure sqlite3 -csv -header "$db" ".output baseline.csv" \
  "SELECT * FROM t")
declare -A sl_s sl_cpu sl_kb
for p in 1 2; do
  echo "== sluice run job.yaml (parallelism $p)"
  read -r s cpu kb < <(measure "$SLUICE" run job.yaml --progress none --set "db=$db" \
    --set "out=sluice_p$p.csv" --set "settings.parallelism=$p")
  sl_s[$p]=$s
  sl_cpu[$p]=$cpu
  sl_kb[$p]=$kb
done

echo "== checking the outputs"
base_rows=$(($(wc -l < baseline.csv) - 1))
status=ok
for p in 1 2; do
  rows=$(($(wc -l < "sluice_p$p.csv") - 1))
  if [[ $rows -ne $ROWS || $base_rows -ne $ROWS ]]; then
    echo "row count mismatch: baseline $base_rows, sluice (parallelism $p) $rows, expected $ROWS"
    status=failed
  fi
done
if command -v python3 >/dev/null; then
  # sluice (parallelism 1, key order) against sqlite3, row by row. Fields that differ as text
  # must be equal as numbers: sqlite3 prints a REAL with 15 significant digits (0.142857142857143)
  # where sluice prints the shortest text that reads back exactly (0.14285714285714285), and a
  # decimal(12,2) column gives 12.50 where sqlite3 prints the REAL 12.5.
  python3 - baseline.csv sluice_p1.csv <<'PY' || status=failed
import csv, sys, itertools
def same(a, b):
    if a == b:
        return True
    try:
        return float(format(float(a), ".15g")) == float(format(float(b), ".15g"))
    except ValueError:
        return False
with open(sys.argv[1], newline="") as fa, open(sys.argv[2], newline="") as fb:
    for n, (ra, rb) in enumerate(itertools.zip_longest(csv.reader(fa), csv.reader(fb))):
        if ra is None or rb is None or len(ra) != len(rb) or not all(map(same, ra, rb)):
            print(f"line {n + 1} differs: {ra} vs {rb}")
            sys.exit(1)
print("sluice_p1.csv: the same rows as baseline.csv (numbers compared as numbers)")
PY
fi
# Parallel readers interleave their splits: the same lines in another order.
if [[ $(LC_ALL=C sort -S 25% sluice_p1.csv | md5sum) == $(LC_ALL=C sort -S 25% sluice_p2.csv | md5sum) ]]; then
  echo "sluice_p2.csv: the same lines as sluice_p1.csv (in another order)"
else
  echo "sluice_p2.csv differs from sluice_p1.csv"
  status=failed
fi

rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN {printf "%.0f", n / s}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "SQLite ($ROWS rows, $(du -h "$db" | cut -f1)) -> CSV, best of $RUNS on $(nproc) cores" \
  "(load average $(cut -d' ' -f1 /proc/loadavg))"
printf '%-26s %8s %10s %9s %9s %11s %10s\n' "" seconds rows/s "CPU s" "peak RSS" "time ratio" "CPU ratio"
row() {  # name seconds cpu_seconds rss_kb
  printf '%-26s %8.2f %10s %9.2f %6d MB %11s %10s\n' "$1" "$2" "$(rate "$2")" "$3" $(($4 / 1024)) \
    "$(ratio "$2" "$base_s")" "$(ratio "$3" "$base_cpu")"
}
row "sqlite3 -csv (baseline)" "$base_s" "$base_cpu" "$base_kb"
for p in 1 2; do
  row "sluice, parallelism $p" "${sl_s[$p]}" "${sl_cpu[$p]}" "${sl_kb[$p]}"
done
echo "ratios are sluice / sqlite3: below 1.00 means sluice is faster"
echo "outputs: $status"
[[ $status == ok ]]
