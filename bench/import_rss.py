"""Peak memory of a 50 MB Dotdigital v3 import: the web worker that takes it, the job worker that runs it.

Each side runs in a fresh process of its own and reports its peak RSS growth over what it held
just before the request (imports loaded, store open; for the web worker the request's bytes
already in memory, as a server's socket buffer would hold them), in multiples of the body. Beside
them, the same measure for `orjson.loads` of the body alone: what holding the decoded request
costs in Python objects, the reference any design that decodes it whole pays.

Run: .venv/bin/python -m bench.import_rss [--megabytes 50]
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import backend_label, bench_app, load

USER, PASSWORD = "rss@apiconnector.com", "rss-password-1"


def _status_kb(name: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(name))


def rss_kb() -> int:
    return _status_kb("VmRSS:")


def peak_kb() -> int:
    # The high-water mark of this process's own memory. Not getrusage's ru_maxrss: Linux carries
    # that over fork and exec, so a child reported at least the peak of the parent that built the body.
    return _status_kb("VmHWM:")


def body_of(megabytes: float) -> bytes:
    import orjson

    items, size, n = [], 0, 0
    while size < megabytes * 1_000_000:
        item = {"matchIdentifier": "email",
                "identifiers": {"email": f"rss{n}@example.com", "mobileNumber": f"+4479{n:08d}"},
                "dataFields": {"FIRSTNAME": f"First {n}", "LASTNAME": f"Last {n}"},
                "channelProperties": {"email": {"emailType": "Html", "optInType": "Single"}}, "lists": [1]}
        items.append(item)
        size += len(orjson.dumps(item)) + 1
        n += 1
    return orjson.dumps({"mergeOption": "overwrite", "contacts": items})


def side_web(body_path: str) -> dict:
    from gateway.app import create_app
    from gateway.config import Settings

    from .common import wsgi_caller

    call = wsgi_caller(create_app(Settings(), migrate_schema=False))
    body = Path(body_path).read_bytes()
    auth = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
    before = rss_kb()
    status, data = call("PUT", "/contacts/v3/import", body, "application/json", auth)
    assert status.startswith("202"), data[:300]
    return {"before_kb": before, "peak_kb": peak_kb(), "job": json.loads(data)["importId"]}


def side_job(job_id: str) -> dict:
    from core import db as store
    from gateway.worker import execute

    store.open_database()
    store.database().connect(reuse_if_open=True)
    before = rss_kb()
    execute(job_id)
    from core.schema import Job

    assert Job.get_by_id(job_id).state == "finished", Job.get_by_id(job_id).error
    return {"before_kb": before, "peak_kb": peak_kb()}


def side_loads(body_path: str) -> dict:
    import orjson

    body = Path(body_path).read_bytes()
    before = rss_kb()
    decoded = orjson.loads(body)
    assert decoded["contacts"]
    return {"before_kb": before, "peak_kb": peak_kb()}


def _child(side: str, arg: str, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.import_rss", "--side", side, arg], env=env,
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if out.returncode != 0:
        raise SystemExit(f"{side} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--megabytes", type=float, default=50)
    args.add_argument("--side", nargs=2, help=argparse.SUPPRESS)
    opts = args.parse_args(argv)
    if opts.side:
        side, arg = opts.side
        print(json.dumps({"web": side_web, "job": side_job, "loads": side_loads}[side](arg)))
        return

    url, _, account_id, _ = bench_app(PASSWORD, dialect="dotdigital", username=USER)
    from core import catalog
    from core import db as store

    catalog.create_list(account_id, "One", number=1, kind="address_book")
    catalog.create_field(account_id, "FIRSTNAME")
    catalog.create_field(account_id, "LASTNAME")
    store.database().close()
    folder = Path(tempfile.mkdtemp(prefix="cg-rss-"))
    body_path = folder / "body.json"
    body_path.write_bytes(body_of(opts.megabytes))
    size_kb = body_path.stat().st_size / 1024
    # A queue that only carries the job id (the embedded memory queue would run the job inside the
    # web worker's request).
    env = {**os.environ, "DATABASE_URL": url, "QUEUE_URL": f"sqlite:///{folder}/queue.db"}
    web = _child("web", str(body_path), env)
    job = _child("job", web["job"], env)
    loads = _child("loads", str(body_path), env)
    print(f"\nDotdigital PUT /contacts/v3/import of {size_kb / 1024:.1f} MiB ({backend_label()}; {load()}): "
          "peak RSS growth over the process before the request, in bodies")
    for label, side in (("web worker (PUT → 202)", web), ("job worker (chunks → report)", job),
                        ("reference: orjson.loads(body) alone", loads)):
        growth = (side["peak_kb"] - side["before_kb"]) / size_kb
        print(f"{label:<40}{growth:>6.1f}×   (peak {side['peak_kb'] / 1024:,.0f} MiB, "
              f"before {side['before_kb'] / 1024:,.0f} MiB)")


if __name__ == "__main__":
    main()
