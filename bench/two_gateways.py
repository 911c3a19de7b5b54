"""Two gateway processes on one PostgreSQL, importing at once: for two accounts, and for one account.

Two `contact-gateway serve --workers 1` processes share one store (a fresh schema of
DATABASE_URL's PostgreSQL). A client per gateway sends 500-row Unisender importContacts requests
of new contacts, both at once: first each for its own account, then both for the same account
(whose batches the per-account advisory lock serialises). Beside each, the raw limit the same way:
two processes that parse the same bodies and write them with COPY + INSERT … ON CONFLICT (for two
accounts into two stores, for one account into one). Phases alternate gateway / raw limit.

Run: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.two_gateways [--requests 8]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from .common import PgRawStore, bench_app, fresh_schema, load, parse_rows, postgres_base
from .single_contact import free_port, wait_ready
from .unisender_import import bodies

ROOT = Path(__file__).resolve().parent.parent


def _post(base_url: str, body: bytes) -> None:
    request = urllib.request.Request(base_url + "/en/api/importContacts?format=json", data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=300) as response:
        answer = response.read()
    assert b'"inserted":500' in answer, answer[:300]


def gateway_phase(urls: list[str], batches: list[list[bytes]]) -> float:
    """Seconds until both clients have sent all their bodies, each to its own gateway, at once."""
    failures = []

    def client(url, bodies_):
        try:
            for body in bodies_:
                _post(url, body)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=client, args=pair) for pair in zip(urls, batches)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - start


def _raw_writer(url: str, bodies_: list[bytes], ready, go) -> None:
    store = PgRawStore(url, create=False)
    ready.set()
    go.wait()
    for body in bodies_:
        _, chunks = parse_rows([body])
        for rows in chunks:
            store.write(rows)
    store.close()


def raw_phase(urls: list[str], batches: list[list[bytes]]) -> float:
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    readies = [context.Event() for _ in urls]
    workers = [context.Process(target=_raw_writer, args=(url, b, r, go)) for url, b, r in zip(urls, batches, readies)]
    for worker in workers:
        worker.start()
    for ready in readies:
        ready.wait(120)
    start = time.perf_counter()
    go.set()
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0
    return time.perf_counter() - start


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--requests", type=int, default=8, help="500-row requests per client and phase")
    args.add_argument("--runs", type=int, default=2)
    opts = args.parse_args(argv)
    if not postgres_base():
        raise SystemExit("set DATABASE_URL=postgresql://… (this bench is about one PostgreSQL under two gateways)")

    from core import accounts, catalog
    from core import db as store

    url, _, first_id, first_key = bench_app()
    second_id = accounts.create_account("second").id
    _, second_key = accounts.add_key(second_id)
    for account_id in (first_id, second_id):
        catalog.create_list(account_id, "One", number=1)
        catalog.create_field(account_id, "Name")
    store.database().close()
    raw_urls = [fresh_schema("cg_raw2a"), fresh_schema("cg_raw2b")]
    for raw_url in raw_urls:
        PgRawStore(raw_url).close()

    folder = Path(tempfile.mkdtemp(prefix="cg-two-"))
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("QUEUE_URL", None)
    servers, base_urls = [], []
    bin_dir = Path(sys.executable).parent
    try:
        for n in range(2):
            port = free_port()
            log = folder / f"gateway-{n}.log"
            servers.append((subprocess.Popen(
                [str(bin_dir / "contact-gateway"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                 "--no-worker"], cwd=folder, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                start_new_session=True), log))
            base_urls.append(f"http://127.0.0.1:{port}")
        for (process, log), base in zip(servers, base_urls):
            wait_ready(base + "/readyz", process, log)
        rows = []
        count = 2 * opts.requests * 500
        for run in range(opts.runs):
            for case in ("two accounts", "one account"):
                keys = [first_key, second_key] if case == "two accounts" else [first_key, first_key]
                tag = f"r{run}{case[0]}"
                batches = [bodies(key, opts.requests, f"{tag}{n}-", 30 + 10 * run + n + (5 if case[0] == "o" else 0))
                           for n, key in enumerate(keys)]
                gateway = gateway_phase(base_urls, batches)
                raw_targets = raw_urls if case == "two accounts" else [raw_urls[0], raw_urls[0]]
                raw = raw_phase(raw_targets, batches)
                rows.append((case, count, gateway, raw, load()))
        print(f"\nTwo gateway processes (1 worker each) on one PostgreSQL, a client each, 500-row Unisender "
              f"importContacts of new contacts, both at once; raw limit: two processes, COPY + ON CONFLICT")
        print(f"{'case':<16}{'contacts':>9}{'gateway c/s':>13}{'raw c/s':>10}{'ratio':>7}  load")
        totals = {}
        for case, n, gateway, raw, when in rows:
            totals.setdefault(case, []).append(n / gateway)
            print(f"{case:<16}{n:>9,}{n / gateway:>13,.0f}{n / raw:>10,.0f}{raw / gateway:>7.2f}  {when}")
        two, one = (sum(totals[c]) / len(totals[c]) for c in ("two accounts", "one account"))
        print(f"(one account's total ÷ two accounts' total: {one / two:.2f}; the per-account lock's cost)")
    finally:
        for process, _ in servers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)


if __name__ == "__main__":
    main()
