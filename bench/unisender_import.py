"""importContacts, 500-row requests through the WSGI app, against parse + bulk upsert of the same rows.

Run: .venv/bin/python -m bench.unisender_import [--requests 20]
"""
from __future__ import annotations

import argparse
from urllib.parse import urlencode

from .common import bench_gateway, parse_rows, raw_sqlite_limit, raw_store_limit, report, timed

COLUMNS = ["email", "Name", "phone", "email_list_ids"]


def bodies(key: str, requests: int, prefix: str, operator: int) -> list[bytes]:
    result = []
    for r in range(requests):
        pairs = [("api_key", key)] + [(f"field_names[{i}]", n) for i, n in enumerate(COLUMNS)]
        for i in range(500):
            n = r * 500 + i
            pairs += [(f"data[{i}][0]", f"{prefix}{n}@example.com"), (f"data[{i}][1]", f"Name {n}"),
                      (f"data[{i}][2]", f"+79{operator}{n:07d}"), (f"data[{i}][3]", "1")]
        result.append(urlencode(pairs).encode())
    return result


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--requests", type=int, default=20, help="500-row requests per pass")
    opts = args.parse_args(argv)

    folder, call, key = bench_gateway()

    def send(batch):
        for body in batch:
            status, data = call("POST", "/en/api/importContacts?format=json", body,
                                "application/x-www-form-urlencoded")
            assert status.startswith("200") and b'"invalid":0' in data, data[:300]

    send(bodies(key, 2, "warm", 25))
    fresh = bodies(key, opts.requests, "c", 26)
    inserts = timed(send, fresh)
    updates = timed(send, fresh)

    parse_seconds, parsed = parse_rows(fresh)
    raw_inserts = parse_seconds + raw_store_limit(f"{folder}/raw.db", parsed)
    raw_updates = parse_seconds + raw_store_limit(f"{folder}/raw.db", parsed)
    bare_inserts = raw_sqlite_limit(f"{folder}/bare.db", fresh, ["email", "name", "phone", "list_ids"])
    count = opts.requests * 500
    report("Unisender importContacts, 500-row form requests through the WSGI app, SQLite (WAL), one process",
           [("new contacts", count, inserts, raw_inserts), ("same rows again (updates)", count, updates, raw_updates)])
    print(f"(reference: parse + upsert into a bare 4-column table: {count / bare_inserts:,.0f} contacts/s)")

if __name__ == "__main__":
    main()
