#!/usr/bin/env python3
"""Steady change writer for bench/cdc_mariadb_to_pg.sh: prints SQL on stdout at a steady rate,
for a client (mariadb or psql) reading its stdin.

    cdc_writer.py DIALECT FIRST_ID RATE SECONDS | mariadb ...

DIALECT is mysql or pg. Each transaction holds 20 changes: 12 inserts of new ids (FIRST_ID + 1
and up), 4 updates of ids inserted 100 transactions earlier, 4 deletes of ids inserted 200
transactions earlier (so the updated and the kept rows stay, with their insert time in t_us).
t_us is the server's clock at the statement (NOW(6) / clock_timestamp()), in microseconds:
the source write time the lag is measured from. The pace is kept per 10 ms tick; when the
client cannot keep up the pipe blocks, and the rate actually reached is printed on stderr (the
bench also computes it from the rows' t_us).
"""
import sys
import time

PER_TXN_INSERTS = 12
CHANGES_PER_TXN = 20

T_US = {
    "mysql": "CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED)",
    "pg": "(extract(epoch from clock_timestamp()) * 1000000)::bigint",
}
CONCAT = {"mysql": "CONCAT(v, 'u')", "pg": "v || 'u'"}


def row(dialect, i):
    note = "NULL" if i % 3 == 0 else "'" + "n" * (i % 40) + "'"
    return (f"({i}, {i * 7 % 100003}, 'name-{i}', {i % 100000 / 100:.2f}, {i / 7.0!r}, "
            f"{T_US[dialect]}, {note})")


def txn(dialect, table, first, j):
    base = first + PER_TXN_INSERTS * j
    ids = range(base + 1, base + PER_TXN_INSERTS + 1)
    out = ["BEGIN;",
           f"INSERT INTO {table} (id, k, v, amount, score, t_us, note) VALUES "
           + ", ".join(row(dialect, i) for i in ids) + ";"]
    changes = PER_TXN_INSERTS
    if j >= 100:
        u = first + PER_TXN_INSERTS * (j - 100)
        out.append(f"UPDATE {table} SET amount = amount + 1, v = {CONCAT[dialect]} "
                   f"WHERE id IN ({u + 1}, {u + 2}, {u + 3}, {u + 4});")
        changes += 4
    if j >= 200:
        d = first + PER_TXN_INSERTS * (j - 200)
        out.append(f"DELETE FROM {table} WHERE id IN ({d + 5}, {d + 6}, {d + 7}, {d + 8});")
        changes += 4
    out.append("COMMIT;")
    return "\n".join(out) + "\n", changes


def main():
    dialect, table, first, rate, seconds = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                                            float(sys.argv[4]), float(sys.argv[5]))
    txn_rate = rate / CHANGES_PER_TXN
    start = time.monotonic()
    j = changes = 0
    while True:
        now = time.monotonic() - start
        if now >= seconds:
            break
        due = int(now * txn_rate) + 1
        chunk = []
        while j < due:
            text, n = txn(dialect, table, first, j)
            chunk.append(text)
            changes += n
            j += 1
        if chunk:
            sys.stdout.write("".join(chunk))
            sys.stdout.flush()
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    print(f"writer: {j} transactions, {changes} changes, {j * PER_TXN_INSERTS} inserts in "
          f"{elapsed:.1f} s of pacing (last id {first + j * PER_TXN_INSERTS})", file=sys.stderr)


if __name__ == "__main__":
    main()
