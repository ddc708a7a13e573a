#!/usr/bin/env python3
"""Lag per row for bench/cdc_mariadb_to_pg.sh.

    cdc_lag.py SOURCE_ROWS POLLS

SOURCE_ROWS: lines "id<TAB or |>t_us" (the rows the steady writer inserted that the source
still holds; t_us = the source's clock at the write, microseconds). POLLS: lines
"seen_us|max_id" from a poller on the target (psql \\watch). A row is visible at the first poll
whose max(id) reaches its id: the writer inserts ids in increasing order and the target
applies the source's transactions in order, so max(id) >= id means the row is there (the
bench checks the target against the source at the end). The poll interval bounds the
overestimate. Prints count, p50, p95, p99, max in milliseconds; rows never seen are counted.
"""
import re
import sys


def read_pairs(path):
    out = []
    with open(path) as f:
        for line in f:
            parts = re.split(r"[|\t]", line.strip())
            if len(parts) == 2 and parts[0].lstrip("-").isdigit() and parts[1].lstrip("-").isdigit():
                out.append((int(parts[0]), int(parts[1])))
    return out


def pct(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main():
    rows = sorted(read_pairs(sys.argv[1]))          # (id, t_us)
    polls = sorted(read_pairs(sys.argv[2]))         # (seen_us, max_id)
    lags, unseen, p = [], 0, 0
    best = 0
    # max_id can only grow (ids only go up, deletes hit old ids): walk both in order.
    for row_id, t_us in rows:
        while p < len(polls) and max(best, polls[p][1]) < row_id:
            best = max(best, polls[p][1])
            p += 1
        if p == len(polls):
            unseen += 1
            continue
        lags.append((polls[p][0] - t_us) / 1000.0)
    lags.sort()
    print(f"rows {len(lags)} unseen {unseen} p50 {pct(lags, 50):.0f} ms p95 {pct(lags, 95):.0f} ms "
          f"p99 {pct(lags, 99):.0f} ms max {lags[-1] if lags else float('nan'):.0f} ms "
          f"(polls {len(polls)})")


if __name__ == "__main__":
    main()
