#!/usr/bin/env bash
# Benchmark: sluice's binlog decoder against mariadb-binlog on the same file. A throwaway
# MariaDB (scripts/test-servers.sh: ROW format, binlog_row_metadata=FULL) writes a binlog of
# 1,000,000 row changes (600,000 inserts, 200,000 updates with before and after images,
# 200,000 deletes) to a table of common types; then
#   (a) sluice decodes every event and every row image into columnar batches
#       (src/connectors/mysql/binlog/, through bench/binlog_decode_main.cc), and
#   (b) mariadb-binlog --verbose --base64-output=DECODE-ROWS FILE > /dev/null
# each run 3 times (the best time counts, the file is in the page cache); prints the ratio.
#
#   bench/binlog_decode.sh             (builds build/ first, RelWithDebInfo)
#   ROWS=100000 bench/binlog_decode.sh
#
# Needs the build packages and mariadb-server/mariadb-client (scripts/install-deps.sh test).
set -euo pipefail

ROWS=${ROWS:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$repo/build}
work=${BENCH_DIR:-$here/out}/binlog_decode
rm -rf "$work"
mkdir -p "$work"

echo "== building the decoder"
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target binlog_decode_bench >/dev/null
cp "$build/binlog_decode_bench" "$work/binlog_decode_bench"

servers="$work/servers"
"$repo/scripts/test-servers.sh" start "$servers" >/dev/null
trap '"$repo/scripts/test-servers.sh" stop "$servers" >/dev/null' EXIT
# shellcheck disable=SC1091
source "$servers/env"
my() { mariadb --no-defaults -h127.0.0.1 -P"$SLUICE_TEST_MYSQL_PORT" -usluice -psluice-pw -N "$@"; }

inserts=$((ROWS * 6 / 10))
changes=$((ROWS * 2 / 10))
echo "== writing $ROWS row changes"
first=$(my -e "FLUSH BINARY LOGS; SHOW MASTER STATUS" | cut -f1)
my <<SQL
CREATE DATABASE bench;
CREATE TABLE bench.t (id BIGINT PRIMARY KEY, k INT UNSIGNED NOT NULL, name VARCHAR(64),
  amount DECIMAL(12,2), score DOUBLE, created DATETIME(6), updated TIMESTAMP(3) NULL,
  d DATE, flag TINYINT, note TEXT) ENGINE=InnoDB;
SET SESSION time_zone = '+00:00';
INSERT INTO bench.t SELECT seq, seq * 7 % 100003, CONCAT('name-', seq), seq % 100000 / 100,
  seq / 7e0, '2024-01-01' + INTERVAL seq SECOND, '2024-06-01' + INTERVAL seq SECOND,
  '2000-01-01' + INTERVAL seq % 9000 DAY, seq % 100, IF(seq % 3 = 0, NULL, REPEAT('n', seq % 40))
  FROM bench.seq_1_to_$inserts;
UPDATE bench.t SET amount = -amount, name = CONCAT(name, '!') WHERE id <= $changes;
DELETE FROM bench.t WHERE id > $inserts - $changes;
SQL
my -e "FLUSH BINARY LOGS"
dir=$(dirname "$(my -e 'SELECT @@log_bin_basename')")
last=$(my -e "SHOW MASTER STATUS" | cut -f1)
files=()
while read -r name _; do
  if [[ "$name" > "$first" || "$name" == "$first" ]] && [[ "$name" < "$last" ]]; then
    files+=("$dir/$name")
  fi
done < <(my -e "SHOW BINARY LOGS")
ls -l "${files[@]}"

best() {  # best wall time in seconds of 3 runs of "$@"
  local t best=""
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    "$@" >/dev/null
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [[ -z $best ]] || (($(echo "$t < $best" | bc))); then best=$t; fi
  done
  echo "$best"
}

echo "== sluice binlog decoder"
"$work/binlog_decode_bench" "${files[@]}"
ours=$(best "$work/binlog_decode_bench" "${files[@]}")
echo "== mariadb-binlog --verbose --base64-output=DECODE-ROWS"
theirs=$(best mariadb-binlog --verbose --base64-output=DECODE-ROWS "${files[@]}")
printf 'sluice decoder:  %.3f s\nmariadb-binlog:  %.3f s\nratio (mariadb-binlog / sluice): %.1fx\n' \
  "$ours" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
