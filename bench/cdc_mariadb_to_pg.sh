#!/usr/bin/env bash
# Benchmark: real-time change capture (`mode: realtime`) from MariaDB (or, with SOURCE=pg, from
# PostgreSQL) into a PostgreSQL upsert target, measured two ways on throwaway servers
# (scripts/test-servers.sh):
#
# 1. Sustained throughput. With sluice stopped (its position already committed), the source
#    takes CHANGES row changes (default 1,000,000) in transactions of 35: 20 inserts, 10
#    updates of the previous transaction's rows, 5 deletes of rows two transactions back,
#    written by a server-side loop so the writer costs nothing during the measure. Then
#    `sluice run JOB --catch-up` applies them all: changes/s = CHANGES / its wall time. In the
#    same run, on the same servers, the baselines:
#      (a) mariadb-binlog --read-from-remote-server -v --base64-output=DECODE-ROWS over the
#          same binlog files (best of 3): only reading and printing the changes (SOURCE=mysql);
#      (b) a batch `sluice run` copying the final rows (what a full reload costs).
#    The target after catch-up must equal the source (count and sums of every column).
# 2. Lag at a steady rate. `sluice run JOB` runs (checkpoint CHECKPOINT, default 200ms) while
#    bench/cdc_writer.py writes RATE changes/s (default 5,000; 20 per transaction: 12 inserts, 4 updates, 4 deletes) for
#    DURATION s (default 60); every row carries t_us, the source server's clock at the write. A
#    psql `\watch` polls the target's max(id) every POLL s (default 0.05); lag per row =
#    first poll that sees it - t_us (bench/cdc_lag.py): p50/p95/p99/max. Both servers run on
#    this machine, so both clocks are the same clock. Peak RSS of sluice (/usr/bin/time -v).
#
#   bench/cdc_mariadb_to_pg.sh build/sluice
#   CHANGES=200000 DURATION=30 bench/cdc_mariadb_to_pg.sh build/sluice
#   SOURCE=pg bench/cdc_mariadb_to_pg.sh build/sluice      (PostgreSQL logical replication)
#
# SOURCE=pg fails at once, with the reason, when the binary's postgres connector cannot stream
# (`sluice connectors`, column cdc). PG_SOURCE_KEYS adds keys to the pg source (e.g.
# "slot: bench_slot"). PG_STATEMENT_LOG=1 logs the target's statements during the catch-up and
# prints where the target's time went (slows the catch-up: for profiling, not for figures). Needs: mariadb and psql clients, mariadb-binlog, python3, /usr/bin/time.
set -euo pipefail

SLUICE=$(realpath "${1:?usage: $0 path/to/sluice}")
SOURCE=${SOURCE:-mysql}
CHANGES=${CHANGES:-1000000}
RATE=${RATE:-5000}
DURATION=${DURATION:-60}
CHECKPOINT=${CHECKPOINT:-200ms}
POLL=${POLL:-0.05}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

case "$SOURCE" in
  mysql | mariadb) SOURCE=mysql ;;
  pg | postgres | postgresql) SOURCE=pg ;;
  *)
    echo "SOURCE=$SOURCE: expected mysql (MariaDB) or pg (PostgreSQL)" >&2
    exit 2
    ;;
esac
connector=$([[ $SOURCE == pg ]] && echo postgres || echo mysql)
cdc=$("$SLUICE" connectors | awk -v c="$connector" '$1 == c {print $5}')
if [[ "$cdc" != "yes" ]]; then
  echo "SOURCE=$SOURCE: this sluice binary ($SLUICE) cannot stream changes from the" \
    "'$connector' connector (\`sluice connectors\` shows cdc '${cdc:-absent}'); build one" \
    "that has its change capture" >&2
  exit 2
fi

bash "$repo/scripts/install-deps.sh" bench
work=${BENCH_DIR:-$here/out}/cdc_$SOURCE
rm -rf "$work"
mkdir -p "$work"
cd "$work"
servers="$work/servers"
"$repo/scripts/test-servers.sh" start "$servers" >/dev/null
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  "$repo/scripts/test-servers.sh" stop "$servers" >/dev/null
}
trap cleanup EXIT
# shellcheck disable=SC1091
source "$servers/env"
PORT=$SLUICE_TEST_MYSQL_PORT
PG_PORT=$SLUICE_TEST_PG_PORT
DB_USER=sluice
DB_PASS=sluice-pw
export BENCH_PW=$DB_PASS
my() { mariadb --no-defaults -h127.0.0.1 -P"$PORT" -u"$DB_USER" -p"$DB_PASS" -N "$@"; }
pg() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=$DB_PASS psql -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d sluice_test -qAt "$@"; }
pgsrc() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=$DB_PASS psql -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d src -qAt -v ON_ERROR_STOP=1 "$@"; }

# One table of common types; t_us is the write time (microseconds) the lag is measured from.
if [[ $SOURCE == mysql ]]; then
  my -e "CREATE DATABASE src; CREATE TABLE src.t (id BIGINT PRIMARY KEY, k INT NOT NULL,
    v VARCHAR(64) NOT NULL, amount DECIMAL(12,2) NOT NULL, score DOUBLE NOT NULL,
    t_us BIGINT NOT NULL, note TEXT) ENGINE=InnoDB"
  src_table=src.t
  src_sql() { my -e "$1"; }
  src_client() { my; }
  source_yaml="{type: mysql, url: \"mysql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PORT/src\", table: src.t, startup: latest}"
  batch_source_yaml="{type: mysql, url: \"mysql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PORT/src\", table: t}"
  sums="SELECT COUNT(*), SUM(id), SUM(k), SUM(LENGTH(v)), SUM(amount), SUM(FLOOR(score)),
    SUM(t_us), SUM(COALESCE(LENGTH(note), -1)) FROM"
else
  pg -c "CREATE DATABASE src"
  pgsrc -c "CREATE TABLE public.t (id BIGINT PRIMARY KEY, k INT NOT NULL,
    v VARCHAR(64) NOT NULL, amount NUMERIC(12,2) NOT NULL, score DOUBLE PRECISION NOT NULL,
    t_us BIGINT NOT NULL, note TEXT)"
  src_table=public.t
  src_sql() { pgsrc -c "$1"; }
  src_client() { pgsrc; }
  source_yaml="{type: postgres, url: \"postgresql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PG_PORT/src\", table: public.t, startup: latest${PG_SOURCE_KEYS:+, $PG_SOURCE_KEYS}}"
  batch_source_yaml="{type: postgres, url: \"postgresql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PG_PORT/src\", table: public.t}"
fi
pg_sums="SELECT COUNT(*), SUM(id), SUM(k), SUM(LENGTH(v)), SUM(amount), SUM(FLOOR(score)::bigint),
  SUM(t_us), SUM(COALESCE(LENGTH(note), -1)) FROM"
source_sums() {
  if [[ $SOURCE == mysql ]]; then my -e "$sums src.t" | tr '\t' '|'; else pgsrc -c "$pg_sums public.t"; fi
}
# Fails the run when the target table differs from the source.
check_target() {
  local want got
  want=$(source_sums)
  got=$(pg -c "$pg_sums $1")
  if [[ "$got" != "$want" ]]; then
    echo "$1 differs from the source after $2: $got, want $want" >&2
    exit 1
  fi
  echo "   $1 equals the source after $2 (count, sums: $got)"
}
secs() {  # wall seconds from a /usr/bin/time -v report
  awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i]; print t }' "$1"
}
rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }
cpu_s() { awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$1"; }

cat >job.yaml <<YAML
name: bench_cdc_$SOURCE
mode: realtime
source: $source_yaml
target:
  type: postgres
  url: postgresql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PG_PORT/sluice_test
  table: public.t
  write_mode: upsert
  key: [id]
settings:
  checkpoint: $CHECKPOINT
  state_path: $work/state.db
YAML
cat >batch.yaml <<YAML
name: bench_cdc_batch_$SOURCE
source: $batch_source_yaml
target:
  type: postgres
  url: postgresql://$DB_USER:\${env:BENCH_PW}@127.0.0.1:$PG_PORT/sluice_test
  table: public.t_batch
  write_mode: append
  key: [id]
settings:
  batch_rows: 10000
  state_path: $work/batch_state.db
YAML

echo "== $(date -u +%FT%TZ) SOURCE=$SOURCE CHANGES=$CHANGES RATE=$RATE DURATION=$DURATION" \
  "CHECKPOINT=$CHECKPOINT; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# The first run commits the starting position (startup: latest) and creates the target table.
"$SLUICE" run job.yaml --catch-up --progress none >first_run.log 2>&1 || {
  cat first_run.log >&2
  exit 1
}

# ---- 1. Sustained throughput ------------------------------------------------------------
txns=$((CHANGES / 35))
changes=$((20 * txns + 10 * (txns - 1) + 5 * (txns - 2)))
if [[ $SOURCE == mysql ]]; then
  first_log=$(my -e "FLUSH BINARY LOGS; SHOW MASTER STATUS" | cut -f1)
fi
echo "== writing $changes changes in $txns transactions (sluice stopped)"
w0=$(date +%s.%N)
if [[ $SOURCE == mysql ]]; then
  my src <<SQL
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE i INT DEFAULT 0;
  WHILE i < $txns DO
    START TRANSACTION;
    INSERT INTO t SELECT i * 20 + seq, (i * 20 + seq) * 7 % 100003, CONCAT('name-', i * 20 + seq),
      (i * 20 + seq) % 100000 / 100, (i * 20 + seq) / 7e0,
      CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED),
      IF(seq % 3 = 0, NULL, REPEAT('n', (i * 20 + seq) % 40)) FROM seq_1_to_20;
    IF i >= 1 THEN
      UPDATE t SET amount = amount + 1, v = CONCAT(v, 'u')
        WHERE id BETWEEN (i - 1) * 20 + 1 AND (i - 1) * 20 + 10;
    END IF;
    IF i >= 2 THEN
      DELETE FROM t WHERE id BETWEEN (i - 2) * 20 + 11 AND (i - 2) * 20 + 15;
    END IF;
    COMMIT;
    SET i = i + 1;
  END WHILE;
END//
DELIMITER ;
SQL
  last_log=$(my -e "FLUSH BINARY LOGS; SHOW MASTER STATUS" | cut -f1)
else
  pgsrc <<SQL
DO \$\$
BEGIN
  FOR i IN 0..$txns - 1 LOOP
    INSERT INTO t SELECT i * 20 + g, (i * 20 + g) * 7 % 100003, 'name-' || (i * 20 + g),
      (i * 20 + g) % 100000 / 100.0, (i * 20 + g) / 7.0::float8,
      (extract(epoch from clock_timestamp()) * 1000000)::bigint,
      CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('n', (i * 20 + g) % 40) END
      FROM generate_series(1, 20) g;
    IF i >= 1 THEN
      UPDATE t SET amount = amount + 1, v = v || 'u'
        WHERE id BETWEEN (i - 1) * 20 + 1 AND (i - 1) * 20 + 10;
    END IF;
    IF i >= 2 THEN
      DELETE FROM t WHERE id BETWEEN (i - 2) * 20 + 11 AND (i - 2) * 20 + 15;
    END IF;
    COMMIT;
  END LOOP;
END
\$\$;
SQL
fi
w1=$(date +%s.%N)
awk -v a="$w0" -v b="$w1" -v n="$changes" 'BEGIN {printf "   written in %.1f s (%.0f changes/s)\n", b - a, n / (b - a)}'

echo "== sluice run --catch-up"
if [[ -n "${PG_STATEMENT_LOG:-}" ]]; then  # profiling: log every target statement's duration
  pg -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
fi
/usr/bin/time -v -o catchup_time.txt "$SLUICE" run job.yaml --catch-up --progress none \
  >catchup.log 2>&1 || {
  cat catchup.log >&2
  exit 1
}
catch_s=$(secs catchup_time.txt)
if [[ -n "${PG_STATEMENT_LOG:-}" ]]; then
  pg -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
  echo "   target statements during the catch-up (ms in total, count, by first words):"
  sed -En 's/.*duration: ([0-9.]+) ms  (statement|execute[^:]*): (.{0,40}).*/\1\t\3/p' \
    "$servers/postgres/server.log" |
    awk -F'\t' '{ split($2, w, " "); k = w[1] " " w[2] " " w[3]; t[k] += $1; n[k]++ }
      END { for (k in t) printf "     %10.0f ms %7d  %s\n", t[k], n[k], k }' | sort -rn | head -8
fi
check_target public.t "catch-up"

base_a=""
if [[ $SOURCE == mysql ]]; then
  echo "== baseline (a): mariadb-binlog --read-from-remote-server -v --base64-output=DECODE-ROWS"
  files=()
  while read -r name _; do
    if [[ ! "$name" < "$first_log" ]] && [[ "$name" < "$last_log" ]]; then files+=("$name"); fi
  done < <(my -e "SHOW BINARY LOGS")
  for _ in 1 2 3; do
    /usr/bin/time -v -o binlog_time.txt mariadb-binlog --no-defaults --read-from-remote-server \
      -h127.0.0.1 -P"$PORT" -u"$DB_USER" -p"$DB_PASS" -v --base64-output=DECODE-ROWS \
      "${files[@]}" >binlog.txt
    s=$(secs binlog_time.txt)
    if [[ -z "$base_a" ]] || awk -v a="$s" -v b="$base_a" 'BEGIN {exit !(a < b)}'; then base_a=$s; fi
  done
  echo "   ${files[*]}: $(grep -c '^### ' binlog.txt) decoded row lines, $(du -h binlog.txt | cut -f1) of text"
fi

echo "== baseline (b): batch sluice run copying the final rows"
/usr/bin/time -v -o batch_time.txt "$SLUICE" run batch.yaml --progress none >batch.log 2>&1 || {
  cat batch.log >&2
  exit 1
}
base_b=$(secs batch_time.txt)
check_target public.t_batch "the batch copy"
final_rows=$(pg -c "SELECT COUNT(*) FROM public.t_batch")

echo
echo "Sustained throughput: $changes changes ($((20 * txns)) inserts, $((10 * (txns - 1))) updates," \
  "$((5 * (txns - 2))) deletes; 35 per transaction), $final_rows rows at the end"
awk -v n="$changes" -v s="$catch_s" -v rss="$(rss_mb catchup_time.txt)" -v cpu="$(cpu_s catchup_time.txt)" \
  'BEGIN {printf "  sluice --catch-up          %7.2f s %9.0f changes/s   CPU %6.2f s  peak RSS %s MB\n", s, n / s, cpu, rss}'
if [[ -n "$base_a" ]]; then
  awk -v n="$changes" -v s="$base_a" -v c="$catch_s" -v cpu="$(cpu_s binlog_time.txt)" \
    'BEGIN {printf "  mariadb-binlog (read only) %7.2f s %9.0f changes/s   CPU %6.2f s  sluice / mariadb-binlog time x%.2f\n", s, n / s, cpu, c / s}'
fi
awk -v n="$final_rows" -v s="$base_b" -v c="$catch_s" -v cpu="$(cpu_s batch_time.txt)" \
  'BEGIN {printf "  sluice batch copy          %7.2f s %9.0f rows/s      CPU %6.2f s  catch-up / batch copy time x%.2f\n", s, n / s, cpu, c / s}'
grep -iE "bottleneck|waited" catchup.log | sed 's/^/  (catch-up summary) /' | head -5 || true
echo

# ---- 2. Lag at a steady rate -------------------------------------------------------------
first_id=$(pg -c "SELECT COALESCE(MAX(id), 0) FROM public.t")
echo "== lag: sluice run (checkpoint $CHECKPOINT) while writing $RATE changes/s for $DURATION s"
/usr/bin/time -v -o stream_time.txt "$SLUICE" run job.yaml --progress none >stream.log 2>&1 &
time_pid=$!
sleep 2
sluice_pid=$(pgrep -P "$time_pid")
printf 'SELECT (extract(epoch from clock_timestamp()) * 1000000)::bigint, COALESCE(max(id), 0) FROM public.t \\watch %s\n' \
  "$POLL" >poll.sql
PGPASSWORD=$DB_PASS psql -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d sluice_test -qAt -f poll.sql \
  >polls.txt 2>poller.err &
poller_pid=$!
python3 "$here/cdc_writer.py" "$SOURCE" "$src_table" "$first_id" "$RATE" "$DURATION" 2>writer.log |
  src_client >/dev/null
cat writer.log
want_max=$(if [[ $SOURCE == mysql ]]; then my -e "SELECT MAX(id) FROM src.t"; else pgsrc -c "SELECT MAX(id) FROM public.t"; fi)
for _ in $(seq 1 300); do  # up to 30 s for the target to catch up
  [[ "$(pg -c "SELECT COALESCE(MAX(id), 0) FROM public.t")" -ge "$want_max" ]] && break
  sleep 0.1
done
sleep 1
kill "$poller_pid" 2>/dev/null || true
kill -INT "$sluice_pid"
wait "$time_pid" || {
  cat stream.log >&2
  exit 1
}
check_target public.t "the steady run"
if [[ $SOURCE == mysql ]]; then
  my -e "SELECT id, t_us FROM src.t WHERE id > $first_id" >written.txt
else
  pgsrc -c "SELECT id, t_us FROM public.t WHERE id > $first_id" >written.txt
fi
achieved=$(if [[ $SOURCE == mysql ]]; then
  my -e "SELECT (MAX(t_us) - MIN(t_us)) / 1e6 FROM src.t WHERE id > $first_id"
else
  pgsrc -c "SELECT (MAX(t_us) - MIN(t_us)) / 1e6 FROM public.t WHERE id > $first_id"
fi)
echo
echo "Lag at a steady rate (checkpoint $CHECKPOINT, poll every $POLL s; rows inserted by the" \
  "writer, still in the source; writes spanned $achieved s)"
echo "  $(python3 "$here/cdc_lag.py" written.txt polls.txt)"
echo "  sluice: peak RSS $(rss_mb stream_time.txt) MB, CPU $(cpu_s stream_time.txt) s over $(secs stream_time.txt) s"
