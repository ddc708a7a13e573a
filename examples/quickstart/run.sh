#!/usr/bin/env bash
# Quickstart: builds a small shop database in SQLite, then runs two jobs on it:
#   1. orders_to_csv.yaml: a full export with a filter, computed and masked columns, to CSV;
#   2. orders_incremental.yaml: an incremental copy into another SQLite database, run twice
#      around an insert to show that the second run reads only the new rows.
set -euo pipefail
SLUICE=${1:-build/sluice}
SLUICE=$(realpath "$SLUICE")
here=$(cd "$(dirname "$0")" && pwd)
work=${QUICKSTART_DIR:-$(dirname "$(dirname "$here")")/out/quickstart}
rm -rf "$work" && mkdir -p "$work" && cd "$work"
export SLUICE_STATE="$work/state.db"

echo "== creating shop.db with 100,000 orders"
sqlite3 shop.db <<'SQL'
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  buyer_email TEXT NOT NULL,
  amount DECIMAL(12,2),
  status TEXT,
  gmt_modified DATETIME NOT NULL
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO orders
SELECT i, 'buyer' || (i % 977) || '@example.com',
       printf('%d.%02d', (i * 7919) % 5000, i % 100),
       CASE i % 10 WHEN 0 THEN 'test' WHEN 1 THEN 'refunded' ELSE 'paid' END,
       datetime('2024-03-01 00:00:00', '+' || (i / 10) || ' seconds')
FROM n;
SQL

echo "== job 1: export to CSV (filter, computed and masked columns)"
"$SLUICE" run "$here/orders_to_csv.yaml" --bizdate 2024-03-01
head -4 "out/orders_20240301.csv"

echo "== job 2: incremental copy into SQLite"
"$SLUICE" run "$here/orders_incremental.yaml"
sqlite3 shop.db "INSERT INTO orders VALUES (100001, 'new@example.com', 12.50, 'paid', '2024-03-05 00:00:00'), (100002, 'newer@example.com', 1.00, 'paid', '2024-03-06 00:00:00');"
echo "== job 2 again after two new orders: only rows from the stored watermark on are read"
"$SLUICE" run "$here/orders_incremental.yaml"
"$SLUICE" state show
echo "quickstart finished; files are in $work"
