"""SaveMultiContact, 500-contact JSON requests through the WSGI app, against parse + bulk upsert of the same rows.

Run: .venv/bin/python -m bench.icomm_import [--requests 20] [--size 500]
"""
from __future__ import annotations

import argparse
import time

import orjson

from .common import bench_app, import_passes, report

PROFILE = "MTIzNDU20"


def bodies(requests: int, size: int, prefix: str) -> list[bytes]:
    result = []
    for r in range(requests):
        contacts = []
        for i in range(size):
            n = r * size + i
            contacts.append({"Email": f"{prefix}{n}@example.com", "CustomFields": [
                {"Key": "nombre", "Value": f"Nombre {n}"},
                {"Key": "fecha_abandono", "Value": f"{n % 28 + 1:02d}/12/2023"}]})
        result.append(orjson.dumps({"ProfileKey": PROFILE, "ContactList": contacts}))
    return result


def parse_rows(batch: list[bytes]) -> tuple[float, list[list[tuple]]]:
    """Seconds to parse the JSON bodies with orjson, and the rows a RawStore takes
    (email, phone, fields JSON, list id): these contacts have no phone and join no list."""
    start = time.perf_counter()
    result = []
    for body in batch:
        rows = []
        for contact in orjson.loads(body)["ContactList"]:
            values = {str(i + 1): f["Value"] for i, f in enumerate(contact["CustomFields"])}
            rows.append((contact["Email"], None, orjson.dumps(values).decode(), None))
        result.append(rows)
    return time.perf_counter() - start, result


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--requests", type=int, default=20, help="requests per pass")
    args.add_argument("--size", type=int, default=500, help="contacts per request (the gateway allows 5000)")
    opts = args.parse_args(argv)

    url, call, account_id, key = bench_app(dialect="icomm")
    from core import catalog

    catalog.create_database(account_id, "Carritos", number=2, attrs={"profile_key": PROFILE})
    catalog.create_field(account_id, "nombre", database_number=2)
    catalog.create_field(account_id, "fecha_abandono", type="date", database_number=2)
    ok = b'"MessageDetail":"%d saved, 0 failed"' % opts.size

    def send(batch):
        for body in batch:
            status, data = call("POST", "/Contacts/SaveMultiContact.Json/", body, "application/json",
                                {"Authorization": key})
            assert status.startswith("200") and ok in data, data[:300]

    inserts, updates, raw_inserts, raw_updates = import_passes(
        url, send, bodies(2, opts.size, "warm"), bodies(opts.requests, opts.size, "c"), parse_rows)
    count = opts.requests * opts.size
    report(f"Icomm SaveMultiContact, {opts.size}-contact JSON requests through the WSGI app, one process",
           [("new contacts", count, inserts, raw_inserts),
            ("same contacts again (updates)", count, updates, raw_updates)])


if __name__ == "__main__":
    main()
