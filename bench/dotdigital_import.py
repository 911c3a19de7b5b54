"""Dotdigital v3 import: PUT /contacts/v3/import through the WSGI app until GET says Finished, against
parse + bulk upsert of the same rows.

The time runs from the PUT (body read, JSON decoded, every contact checked, the job stored) to the
GET that reads the finished report: the job itself (chunks of 1,000 contacts through the core, the
per-contact report) runs in between, in this process, as the embedded queue runs it.

Run: .venv/bin/python -m bench.dotdigital_import [--requests 10] [--contacts 5000]
"""
from __future__ import annotations

import argparse
import base64
import time

import orjson

from .common import bench_app, import_passes, report

USER = "apiuser-1@apiconnector.com"
PASSWORD = "bench-password-1"


def bodies(requests: int, contacts: int, prefix: str, operator: int) -> list[bytes]:
    result = []
    for r in range(requests):
        items = []
        for i in range(contacts):
            n = r * contacts + i
            items.append({"matchIdentifier": "email",
                          "identifiers": {"email": f"{prefix}{n}@example.com", "mobileNumber": f"+44{operator}{n:08d}"},
                          "dataFields": {"FIRSTNAME": f"First {n}", "LASTNAME": f"Last {n}"},
                          "channelProperties": {"email": {"emailType": "Html", "optInType": "Single"}},
                          "lists": [1]})
        result.append(orjson.dumps({"mergeOption": "overwrite", "contacts": items}))
    return result


def parse_rows(raw: list[bytes], chunk: int) -> tuple[float, list[list[tuple]]]:
    """Seconds to decode the bodies with orjson, and their (email, phone, fields JSON, list id) rows in
    chunks of the job's size."""
    start = time.perf_counter()
    result = []
    for body in raw:
        rows = [(c["identifiers"]["email"], c["identifiers"]["mobileNumber"],
                 orjson.dumps({"1": c["dataFields"]["FIRSTNAME"], "2": c["dataFields"]["LASTNAME"]}).decode(),
                 c["lists"][0])
                for c in orjson.loads(body)["contacts"]]
        result += [rows[i:i + chunk] for i in range(0, len(rows), chunk)]
    return time.perf_counter() - start, result


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--requests", type=int, default=10, help="import requests per pass")
    args.add_argument("--contacts", type=int, default=5000, help="contacts per import request")
    opts = args.parse_args(argv)

    url, call, account_id, _ = bench_app(PASSWORD, dialect="dotdigital", username=USER)
    from adapters.dotdigital import import_v3
    from core import catalog

    catalog.create_list(account_id, "One", number=1, kind="address_book")
    catalog.create_field(account_id, "FIRSTNAME")
    catalog.create_field(account_id, "LASTNAME")
    auth = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}

    def send(batch):
        for body in batch:
            status, data = call("PUT", "/contacts/v3/import", body, "application/json", auth)
            assert status.startswith("202"), data[:300]
            import_id = orjson.loads(data)["importId"]
            status, data = call("GET", f"/contacts/v3/import/{import_id}", b"", "", auth)
            answer = orjson.loads(data)
            assert answer["status"] == "Finished" and not answer["failures"], data[:300]

    inserts, updates, raw_inserts, raw_updates = import_passes(
        url, send, bodies(1, 1000, "warm", 78), bodies(opts.requests, opts.contacts, "c", 77),
        lambda batch: parse_rows(batch, import_v3.CHUNK))
    count = opts.requests * opts.contacts
    report(f"Dotdigital PUT /contacts/v3/import, {opts.contacts}-contact requests until Finished, "
           "one process", [("new contacts", count, inserts, raw_inserts),
                           ("same contacts again (updates)", count, updates, raw_updates)])


if __name__ == "__main__":
    main()
