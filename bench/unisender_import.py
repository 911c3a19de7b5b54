"""importContacts, 500-row requests through the WSGI app, against parse + bulk upsert of the same rows.

Run: .venv/bin/python -m bench.unisender_import [--requests 20]
"""
from __future__ import annotations

import argparse
from urllib.parse import urlencode

from .common import bench_account, import_passes, parse_rows, raw_sqlite_limit, report

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

    url, call, key = bench_account()

    def send(batch):
        for body in batch:
            status, data = call("POST", "/en/api/importContacts?format=json", body,
                                "application/x-www-form-urlencoded")
            assert status.startswith("200") and b'"invalid":0' in data, data[:300]

    fresh = bodies(key, opts.requests, "c", 26)
    inserts, updates, raw_inserts, raw_updates = import_passes(url, send, bodies(key, 2, "warm", 25), fresh,
                                                               parse_rows)
    bare_inserts = None
    if url.startswith("sqlite"):
        folder = url.split("///", 1)[1].rsplit("/", 1)[0]
        bare_inserts = raw_sqlite_limit(f"{folder}/bare.db", fresh, ["email", "name", "phone", "list_ids"])
    # The gateway remembers decoded form names across requests; the raw limit parses with the
    # standard library. What the raw limit would be with the gateway's own parser, for reference:
    from gateway.codecs.form import pairs_from_query

    standard, _ = parse_rows(fresh)
    own, _ = parse_rows(fresh, pairs_from_query)
    own_parser_inserts = raw_inserts - standard + own
    count = opts.requests * 500
    report("Unisender importContacts, 500-row form requests through the WSGI app, one process",
           [("new contacts", count, inserts, raw_inserts), ("same rows again (updates)", count, updates, raw_updates)])
    if bare_inserts:
        print(f"(reference: parse + upsert into a bare 4-column table: {count / bare_inserts:,.0f} contacts/s)")
    print(f"(reference: the raw limit parsing with the gateway's own form parser: {count / own_parser_inserts:,.0f}"
          f" contacts/s for new contacts, ratio {own_parser_inserts / inserts:.2f})")

if __name__ == "__main__":
    main()
