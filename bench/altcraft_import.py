"""profiles/import_batch, 1,000-profile requests in JSON and in XML through the WSGI app, against
parse + bulk upsert of the same rows.

Run: .venv/bin/python -m bench.altcraft_import [--requests 10]
"""
from __future__ import annotations

import argparse
import time
from xml.sax.saxutils import escape

import orjson
from lxml import etree

from .common import bench_account, import_passes, report

PROFILES = 1000


def batches(requests: int, prefix: str, operator: int) -> list[list[dict]]:
    """Profiles with an email, a name, a phone, a custom field and an email subscription."""
    result = []
    for r in range(requests):
        batch = []
        for i in range(PROFILES):
            n = r * PROFILES + i
            email = f"{prefix}{n}@example.com"
            batch.append({"email": email, "_fname": f"Name {n}", "phones": [f"+79{operator}{n:07d}"], "Name": f"N{n}",
                          "subscriptions": [{"channel": "email", "email": email, "resource_id": 1}]})
        result.append(batch)
    return result


def json_bodies(key: str, profiles: list[list[dict]]) -> list[bytes]:
    return [orjson.dumps({"token": key, "db_id": 1, "skip_triggers": True, "data": batch}) for batch in profiles]


def xml_bodies(key: str, profiles: list[list[dict]]) -> list[bytes]:
    bodies = []
    for batch in profiles:
        parts = [f"<xml><token>{key}</token><db_id>1</db_id><skip_triggers>true</skip_triggers>"]
        for p in batch:
            sub = p["subscriptions"][0]
            parts.append(f"<data><email>{escape(p['email'])}</email><_fname>{escape(p['_fname'])}</_fname>"
                         f"<phones>{p['phones'][0]}</phones><Name>{escape(p['Name'])}</Name>"
                         f"<subscriptions array='true'><channel>email</channel><email>{escape(sub['email'])}</email>"
                         f"<resource_id>1</resource_id></subscriptions></data>")
        parts.append("</xml>")
        bodies.append("".join(parts).encode())
    return bodies


def parse_json(bodies: list[bytes]) -> tuple[float, list[list[tuple]]]:
    """Seconds to decode the bodies with orjson, and the (email, phone, fields JSON, list id) rows."""
    start = time.perf_counter()
    rows = [[(p["email"], p["phones"][0], orjson.dumps({"1": p["Name"]}).decode(),
              p["subscriptions"][0]["resource_id"]) for p in orjson.loads(b)["data"]] for b in bodies]
    return time.perf_counter() - start, rows


def parse_xml(bodies: list[bytes]) -> tuple[float, list[list[tuple]]]:
    """Seconds to parse the bodies with lxml, and the same rows."""
    start = time.perf_counter()
    rows = []
    for body in bodies:
        root = etree.fromstring(body)
        rows.append([(d.findtext("email"), d.findtext("phones"), orjson.dumps({"1": d.findtext("Name")}).decode(),
                      int(d.findtext("subscriptions/resource_id"))) for d in root.iterfind("data")])
    return time.perf_counter() - start, rows


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--requests", type=int, default=10, help="1,000-profile requests per pass and format")
    opts = args.parse_args(argv)

    from core import db as store

    url, call, key = bench_account("resource", ["email"])

    def sender(content_type):
        def send(bodies):
            store.open_database(url)  # the raw limit of the format before rebinds the models to its own file
            for body in bodies:
                status, data = call("POST", "/api/v1.1/profiles/import_batch", body, content_type)
                assert status.startswith("200") and data.count(b"Successful operation") == PROFILES + 1, data[:300]
        return send

    count = opts.requests * PROFILES
    rows = []
    for label, prefix, operator, encode, parse, content_type in (
            ("JSON", "j", 26, json_bodies, parse_json, "application/json"),
            ("XML", "x", 27, xml_bodies, parse_xml, "application/xml")):
        warm = encode(key, batches(1, f"warm-{prefix}", 25))
        inserts, updates, raw_inserts, raw_updates = import_passes(
            url, sender(content_type), warm, encode(key, batches(opts.requests, prefix, operator)), parse)
        rows += [(f"{label} new profiles", count, inserts, raw_inserts),
                 (f"{label} same profiles again (updates)", count, updates, raw_updates)]
    report("Altcraft profiles/import_batch, 1,000-profile requests through the WSGI app, one process",
           rows)


if __name__ == "__main__":
    main()
