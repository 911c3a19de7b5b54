"""`python -m conformance [--base-url URL] [--dialect NAME]`: replay the cases, print a report.

In-process (default) the cases run against a fresh SQLite store in a temporary folder. Against
a live gateway (--base-url) each case's setup is applied to the store the gateway uses, so
DATABASE_URL must name that same store.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile


def main(argv=None) -> int:
    args = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    args.add_argument("--base-url", help="a running gateway, e.g. http://127.0.0.1:8080")
    args.add_argument("--dialect", help="only this dialect's cases")
    args.add_argument("-v", "--verbose", action="store_true")
    opts = args.parse_args(argv)
    if not opts.base_url and not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/conformance.db"
    os.environ.setdefault("QUEUE_URL", "memory://")

    from core import db as store, migrate

    from .runner import InProcess, Live, load_cases, run_case

    if opts.base_url:
        store.open_database()
        migrate.migrate()
        transport = Live(opts.base_url)
    else:
        from gateway.app import create_app

        transport = InProcess(create_app())
    failed = skipped = 0
    cases = load_cases(opts.dialect)
    for case in cases:
        if case.skip:
            skipped += 1
            if opts.verbose:
                print(f"SKIP {case.name}: {case.skip}")
            continue
        outcome = run_case(case, transport)
        if outcome.ok:
            if opts.verbose:
                print(f"ok   {case.name}")
        else:
            failed += 1
            print(f"FAIL {case.name}")
            for failure in outcome.failures:
                print(f"     {failure}")
    print(f"{len(cases) - failed - skipped} passed, {failed} failed, {skipped} not replayable, of {len(cases)} cases")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
