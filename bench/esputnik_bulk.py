"""eSputnik POST /v1/contacts, 3,000-contact requests through the WSGI app, from request to importstatus FINISHED,
against JSON parsing + bulk upsert of the same rows into the same store.

Run: .venv/bin/python -m bench.esputnik_bulk [--requests 5]

The request is answered after validation and saving the job; the job (chunks of IMPORT_CHUNK_SIZE,
each committed with its report) runs right after in the same process, as the worker would run it,
so the figures split "answer" and "import" and add them up to "request to FINISHED".
"""
from __future__ import annotations

import argparse
import base64
import time

import orjson

from .common import bench_account, import_passes, report

PER_REQUEST = 3000


def bodies(requests: int, prefix: str, operator: int) -> list[bytes]:
    result = []
    for r in range(requests):
        contacts = []
        for i in range(PER_REQUEST):
            n = r * PER_REQUEST + i
            contacts.append({"channels": [{"type": "email", "value": f"{prefix}{n}@example.com"},
                                          {"type": "sms", "value": f"+79{operator}{n:07d}"}],
                             "firstName": f"Name {n}", "fields": [{"id": 1, "value": f"v{n}"}]})
        result.append(orjson.dumps({"contacts": contacts, "dedupeOn": "email", "customFieldsIDs": [1],
                                    "groupNames": ["One"]}))
    return result


def parse_json_rows(payloads: list[bytes]) -> tuple[float, list[list[tuple]]]:
    """Seconds to read the JSON bodies with orjson, and the (email, phone, fields JSON, list id) rows."""
    start = time.perf_counter()
    result = []
    for body in payloads:
        rows = []
        for contact in orjson.loads(body)["contacts"]:
            channels = {c["type"]: c["value"] for c in contact["channels"]}
            fields = orjson.dumps({"1": contact["fields"][0]["value"]}).decode()
            rows.append((channels["email"], channels["sms"], fields, 1))  # every contact joins one segment
        result.append(rows)
    return time.perf_counter() - start, result


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--requests", type=int, default=5, help="3,000-contact requests per pass")
    opts = args.parse_args(argv)

    from gateway import worker

    url, call, key = bench_account("segment")  # segment 1 "One" and field 1 "Name"
    auth = {"Authorization": "Basic " + base64.b64encode(f":{key}".encode()).decode()}
    queued: list[str] = []
    worker.enqueue = queued.append  # the bench runs the job itself, to time answer and import apart

    split = {"answer": 0.0, "import": 0.0}

    def send(batch) -> None:
        for body in batch:
            start = time.perf_counter()
            status, data = call("POST", "/api/v1/contacts", body, "application/json", auth)
            split["answer"] += time.perf_counter() - start
            assert status.startswith("200") and b"failedContacts" not in data, data[:300]
            start = time.perf_counter()
            worker.execute(queued.pop())
            status, data = call("GET", f"/api/v1/importstatus/{orjson.loads(data)['asyncSessionId']}", b"", "",
                                auth)
            split["import"] += time.perf_counter() - start
            assert b'"FINISHED"' in data, data[:300]

    inserts, updates, raw_inserts, raw_updates = import_passes(url, send, bodies(1, "warm", 25),
                                                               bodies(opts.requests, "c", 26), parse_json_rows)
    count = opts.requests * PER_REQUEST
    report(f"eSputnik POST /v1/contacts, {PER_REQUEST:,}-contact JSON requests, request to FINISHED, "
           "one process", [("new contacts", count, inserts, raw_inserts),
                           ("same contacts again (updates)", count, updates, raw_updates)])
    passes = 2 * opts.requests + 1
    print(f"(per request, both passes: answer with asyncSessionId {split['answer'] / passes * 1000:,.0f} ms, "
          f"import and status {split['import'] / passes * 1000:,.0f} ms)")


if __name__ == "__main__":
    main()
