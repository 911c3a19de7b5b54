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

from .common import fresh_store, raw_store_limit, report, timed, wsgi_caller

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
    """Seconds to decode the bodies with orjson, and their (email, phone, fields JSON) rows in chunks."""
    start = time.perf_counter()
    result = []
    for body in raw:
        rows = [(c["identifiers"]["email"], c["identifiers"]["mobileNumber"],
                 orjson.dumps({"1": c["dataFields"]["FIRSTNAME"], "2": c["dataFields"]["LASTNAME"]}).decode())
                for c in orjson.loads(body)["contacts"]]
        result += [rows[i:i + chunk] for i in range(0, len(rows), chunk)]
    return time.perf_counter() - start, result


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--requests", type=int, default=10, help="import requests per pass")
    args.add_argument("--contacts", type=int, default=5000, help="contacts per import request")
    opts = args.parse_args(argv)

    url = fresh_store()
    from adapters.dotdigital import import_v3
    from core import accounts, catalog
    from gateway.app import create_app
    from gateway.config import Settings

    app = create_app(Settings(database_url=url))
    account = accounts.create_account("bench")
    accounts.add_key(account.id, PASSWORD, dialect="dotdigital", username=USER)
    catalog.create_list(account.id, "One", number=1, kind="address_book")
    catalog.create_field(account.id, "FIRSTNAME")
    catalog.create_field(account.id, "LASTNAME")
    call = wsgi_caller(app)
    auth = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}

    def send(batch):
        for body in batch:
            status, data = call("PUT", "/contacts/v3/import", body, "application/json", auth)
            assert status.startswith("202"), data[:300]
            import_id = orjson.loads(data)["importId"]
            status, data = call("GET", f"/contacts/v3/import/{import_id}", b"", "", auth)
            answer = orjson.loads(data)
            assert answer["status"] == "Finished" and not answer["failures"], data[:300]

    send(bodies(1, 1000, "warm", 78))
    fresh = bodies(opts.requests, opts.contacts, "c", 77)
    inserts = timed(send, fresh)
    updates = timed(send, fresh)

    folder = url.split("///", 1)[1].rsplit("/", 1)[0]
    parse_seconds, parsed = parse_rows(fresh, import_v3.CHUNK)
    raw_inserts = parse_seconds + raw_store_limit(f"{folder}/raw.db", parsed)
    raw_updates = parse_seconds + raw_store_limit(f"{folder}/raw.db", parsed)
    count = opts.requests * opts.contacts
    report(f"Dotdigital PUT /contacts/v3/import, {opts.contacts}-contact requests until Finished, SQLite (WAL), "
           "one process", [("new contacts", count, inserts, raw_inserts),
                           ("same contacts again (updates)", count, updates, raw_updates)])


if __name__ == "__main__":
    main()
