"""Pull benchmark: N contacts pulled from a loopback gateway playing Unisender, beside that gateway's own export.

    .venv/bin/python -m bench.pull --contacts 100000

The old vendor is `contact-gateway serve` (one worker) on its own SQLite file, filled through
importContacts. The reference is its own exportContacts read over HTTP, page by page, exactly the
reads a pull makes; the pull then makes them again and writes every page into a fresh store here
(a second pull, with nothing changed, is timed too).
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-pull-unisender-key-0123456789abcdef"
SETUP = f"""version: 1
accounts:
  - name: old
    keys: [{{key: {KEY}, dialect: unisender}}]
    lists: [{{id: 134, title: Newsletter}}, {{id: 778899, title: Customers}}]
    fields: [{{id: 1092207, name: Name, type: string}}, {{id: 1092208, name: City, type: string}}]
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "gateway.cli", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def start_vendor(folder: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/vendor.db", "QUEUE_URL": f"sqlite:///{folder}/q.db"}
    Path(folder, "setup.yaml").write_text(SETUP)
    _cli(env, "migrate")
    _cli(env, "setup", "apply", f"{folder}/setup.yaml")
    port = _port()
    process = subprocess.Popen([sys.executable, "-m", "gateway.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                "--workers", "1", "--no-worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/readyz", timeout=2)
            return process, url
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the old-vendor gateway did not start")


def fill(url: str, count: int) -> None:
    with httpx.Client(base_url=url, timeout=300) as http:
        for start in range(0, count, 500):
            body = {"format": "json", "api_key": KEY, "field_names[0]": "email", "field_names[1]": "Name",
                    "field_names[2]": "City", "field_names[3]": "email_list_ids", "field_names[4]": "email_status"}
            for i in range(start, min(start + 500, count)):
                body.update({f"data[{i}][0]": f"p{i:07d}@example.com", f"data[{i}][1]": f"Person {i}",
                             f"data[{i}][2]": "Riga", f"data[{i}][3]": "134,778899" if i % 3 else "134",
                             f"data[{i}][4]": "unsubscribed" if i % 50 == 0 else "active"})
            answer = http.post("/en/api/importContacts", data=body).json()
            assert "error" not in answer, answer


def export_seconds(url: str, count: int) -> float:
    """The vendor's own exportContacts of every contact, 1,000 a page, as a pull reads them."""
    from adapters.unisender.pull import columns

    names = {f"field_names[{i}]": n for i, n in enumerate(columns(["Name", "City"]))}
    start = time.perf_counter()
    seen = 0
    with httpx.Client(base_url=url, timeout=300) as http:
        for offset in range(0, count, 1000):
            answer = http.post("/en/api/exportContacts", data={"format": "json", "api_key": KEY, "offset": offset,
                                                                "limit": 1000, **names}).json()
            seen += len(answer["result"]["data"])
    assert seen == count, seen
    return time.perf_counter() - start


def pull_seconds(url: str) -> tuple[float, dict]:
    from gateway.pull import run as pull

    reader = pull.reader_for("unisender", url, key=KEY)
    start = time.perf_counter()
    try:
        summary = pull.run(reader, "here", url)
    finally:
        reader.close()
    return time.perf_counter() - start, summary.contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="cg-bench-pull-")
    os.environ["QUEUE_URL"] = "memory://"
    from core import accounts, db as store, migrate

    here = f"sqlite:///{folder}/here.db"
    store.open_database(here)
    migrate.migrate(here)
    accounts.create_account("here")
    process, url = start_vendor(folder)
    try:
        began = time.perf_counter()
        fill(url, args.contacts)
        print(f"filled the old vendor with {args.contacts:,} contacts in {time.perf_counter() - began:.1f} s")
        export = export_seconds(url, args.contacts)
        first, counts = pull_seconds(url)
        again, counts_again = pull_seconds(url)
    finally:
        os.killpg(process.pid, 15)
    n = args.contacts
    print(f"| old vendor's own exportContacts (1,000 a page, HTTP) | {n:,} | {n / export:,.0f} c/s | {export:.1f} s |")
    print(f"| pull, fresh account ({counts}) | {n:,} | {n / first:,.0f} c/s | {first:.1f} s |")
    print(f"| pull again, nothing changed ({counts_again}) | {n:,} | {n / again:,.0f} c/s | {again:.1f} s |")
    print(f"pull ÷ export: {export / first:.2f} (fresh), {export / again:.2f} (again)")


if __name__ == "__main__":
    main()
