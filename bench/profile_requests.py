"""Where a one-contact request and a JSON bulk request spend their time: cProfile, grouped by layer.

Runs, through the WSGI app in this process (DATABASE_URL's backend), --single eSputnik
`POST /api/v1/contact` calls (new and existing contacts in turn) and --bulk Icomm
SaveMultiContact requests of 500 contacts, each under cProfile, and prints the share of own time
per layer (the gateway, the adapters, the core, peewee, the database driver, falcon, the JSON
codec, the rest of the standard library) and the functions that cost most.

Run: .venv/bin/python -m bench.profile_requests [--single 400] [--bulk 10] [--top 15]
"""
from __future__ import annotations

import argparse
import base64
import cProfile
import pstats
from collections import defaultdict

import orjson

from .common import backend_label, bench_app, load
from .icomm_import import PROFILE, bodies

LAYERS = (("/gateway/", "gateway"), ("/adapters/", "adapters"), ("/core/", "core"), ("peewee", "peewee"),
          ("psycopg2", "driver"), ("sqlite3", "driver"), ("falcon", "falcon"), ("orjson", "json codec"),
          ("phonenumbers", "phone/email libraries"), ("email_validator", "phone/email libraries"),
          ("gunicorn", "gunicorn (accept, access log)"))
# peewee's own frames that only wait for the database (py-spy sees the Python frame around the C call)
ROUND_TRIPS = frozenset({"_execute_cursor", "execute_sql", "commit", "begin", "rollback", "_close", "connect"})


def layer(filename: str, name: str) -> str:
    if filename == "~":  # C functions: name them by what they are
        if "sqlite3" in name or "psycopg2" in name or "execute" in name or "commit" in name or "fetch" in name:
            return "driver"
        if "orjson" in name:
            return "json codec"
        return "builtins"
    if "peewee" in filename and name in ROUND_TRIPS:
        return "driver"
    for needle, label in LAYERS:
        if needle in filename:
            return label
    return "standard library / other"


def breakdown(profile: cProfile.Profile, title: str, top: int) -> None:
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())  # own time of every function
    shares = defaultdict(float)
    for (filename, _, name), row in stats.stats.items():
        shares[layer(filename, name)] += row[2]
    print(f"\n{title} — own time by layer ({total * 1000:,.0f} ms profiled)")
    for label, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<28}{seconds / total:>6.0%}")
    print(f"  functions by own time:")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]
    for (filename, line, name), row in rows:
        where = filename.split("/site-packages/")[-1].split("/issue-14/")[-1].split("/main/")[-1]
        print(f"    {row[2] / total:>5.1%}  {row[1]:>7} calls  {name}  ({where}:{line})")


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--single", type=int, default=400)
    args.add_argument("--bulk", type=int, default=10)
    args.add_argument("--top", type=int, default=15)
    opts = args.parse_args(argv)
    url, call, account_id, key = bench_app()
    from core import catalog

    catalog.create_database(account_id, "Carritos", number=2, attrs={"profile_key": PROFILE})
    catalog.create_field(account_id, "nombre", database_number=2)
    catalog.create_field(account_id, "fecha_abandono", type="date", database_number=2)
    auth = {"Authorization": "Basic " + base64.b64encode(f"u:{key}".encode()).decode()}
    print(f"{backend_label()}; {load()}")

    def single(n: int):
        email = f"old{n % 50}@example.com" if n % 2 else f"new{n}@example.com"
        status, data = call("POST", "/api/v1/contact", orjson.dumps(
            {"firstName": f"N{n}", "channels": [{"type": "email", "value": email}]}), "application/json", auth)
        assert status.startswith("200"), data

    for n in range(100):
        single(n)  # the old ones exist, the code paths are warm
    profile = cProfile.Profile()
    profile.enable()
    for n in range(100, 100 + opts.single):
        single(n)
    profile.disable()
    breakdown(profile, f"eSputnik POST /api/v1/contact × {opts.single}, half new, half existing", opts.top)

    batches = bodies(opts.bulk + 1, 500, "p")

    def bulk(body: bytes):
        status, data = call("POST", "/Contacts/SaveMultiContact.Json/", body, "application/json",
                            {"Authorization": key})
        assert status.startswith("200") and b"500 saved" in data, data[:300]

    bulk(batches[0])
    profile = cProfile.Profile()
    profile.enable()
    for body in batches[1:]:
        bulk(body)
    profile.disable()
    breakdown(profile, f"Icomm SaveMultiContact × {opts.bulk}, 500 new contacts each", opts.top)


if __name__ == "__main__":
    main()
