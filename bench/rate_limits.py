"""What a rate limit costs a call: Unisender getLists with the account's limits off, then on, in turn.

    .venv/bin/python -m bench.rate_limits --calls 2000 [--database-url postgresql://…]
"""
from __future__ import annotations

import argparse
import time

from .common import bench_app, wsgi_caller


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--database-url", help="another store than a fresh SQLite file (it must be empty)")
    args = parser.parse_args()
    url, call, account_id, key = bench_app()
    if args.database_url:
        from core import accounts, migrate
        from gateway.app import create_app
        from gateway.config import Settings

        migrate.migrate(args.database_url)
        call = wsgi_caller(create_app(Settings(database_url=args.database_url)))
        account = accounts.create_account(f"bench-{time.time_ns()}")
        account_id, key = account.id, accounts.add_key(account.id)[1]
    from core.schema import Account

    body = f"api_key={key}".encode()
    # Numbers high enough never to refuse: what is measured is the counting.
    switches = {"off": None, "on": {"unisender": {"calls": 10**9, "exportContacts": 10**9}}}
    spent = {"off": 0.0, "on": 0.0}
    rounds = 10
    for _ in range(rounds):
        for name, limits in switches.items():
            Account.update(limits=limits).where(Account.id == account_id).execute()
            start = time.perf_counter()
            for _ in range(args.calls // rounds):
                status, data = call("POST", "/en/api/getLists", body, "application/x-www-form-urlencoded")
                assert b'"result"' in data, data
            spent[name] += time.perf_counter() - start
    per_call = {name: seconds / args.calls * 1e6 for name, seconds in spent.items()}
    print(f"store: {args.database_url or url}")
    print(f"getLists, {args.calls} calls each, in turns: limits off {per_call['off']:.0f} µs/call, "
          f"on {per_call['on']:.0f} µs/call (+{per_call['on'] - per_call['off']:.0f} µs, "
          f"x{per_call['on'] / per_call['off']:.2f})")


if __name__ == "__main__":
    main()
