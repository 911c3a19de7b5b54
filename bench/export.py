"""`contact-gateway export` of a large account: wall time, peak memory of the process, rows against the store.

    .venv/bin/python -m bench.export --contacts 200000 [--small 20000]

Seeds a fresh SQLite store through the core's bulk upsert (each contact with attributes, a custom
field, a list and a tag), then runs the real CLI as a child process for JSON lines and for CSV and
reads its peak RSS from the kernel (wait4). The same export of a tenth of the contacts shows that
memory does not grow with the account.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fresh_store

ROOT = Path(__file__).resolve().parent.parent


def seed(url: str, name: str, count: int) -> int:
    from core import accounts, catalog
    from core import db as store
    from core import migrate
    from core.model import ContactChange, ListChange, UpsertCommand
    from core.schema import Contact
    from core.upsert import upsert

    store.open_database(url)
    migrate.migrate(url)
    account = accounts.create_account(name)
    catalog.create_field(account.id, "City", "string")
    catalog.create_list(account.id, "News", number=7)
    for start in range(0, count, 2000):
        items = [ContactChange(identities={"email": f"c{i}@example.com"}, attrs={"first_name": f"N{i}"},
                               fields={"City": "Oslo"}, tags=["vip"], lists=[ListChange(7)])
                 for i in range(start, min(start + 2000, count))]
        upsert(account.id, UpsertCommand(items=items, source="bench:seed"))
    stored = Contact.select().where((Contact.account == account.id) & Contact.deleted_at.is_null()).count()
    store.database().close()
    return stored


def run_export(url: str, name: str, fmt: str, output: Path) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of the CLI exporting the account into `output`."""
    env = {**os.environ, "DATABASE_URL": url}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "gateway.cli", "export", name, "--format", fmt, "--output",
                              str(output)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"export failed: {child.stderr.read().decode()}")
    return seconds, usage.ru_maxrss


def rows_in(path: Path, fmt: str) -> int:
    with open(path, "rb") as handle:
        lines = sum(1 for _ in handle)
    return lines - 1 if fmt == "csv" else lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=20_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cg-export-"))
    print("| contacts | format | seconds | contacts/s | peak RSS MiB | rows written | contacts in store | file MiB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for count in (args.small, args.contacts):
        url = fresh_store()
        started = time.perf_counter()
        stored = seed(url, "bench", count)
        seeded = time.perf_counter() - started
        for fmt in ("jsonl", "csv"):
            output = folder / f"export-{count}.{fmt}"
            seconds, rss = run_export(url, "bench", fmt, output)
            rows = rows_in(output, fmt)
            assert rows == stored, (rows, stored)
            print(f"| {count:,} | {fmt} | {seconds:.1f} | {rows / seconds:,.0f} | {rss / 1024:.0f} | {rows:,} | "
                  f"{stored:,} | {output.stat().st_size / 2**20:.0f} |", flush=True)
        print(f"(seeding {count:,} contacts took {seeded:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
