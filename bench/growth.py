"""Growth: the per-contact cost of imports into an account that holds 1M contacts, beside an empty one.

Two accounts in one store (DATABASE_URL's backend): one empty, one seeded with --contacts
contacts straight through SQL. The same 500-row Unisender importContacts requests go to each, in
turn (one to the empty account, one to the big one), first as new contacts, then again as
updates; then the same with a contact_limit on both accounts (the limit check once counted every
live contact of the account on each request). The ratio is the big account's cost per contact
over the empty one's: 1.0 means the size of the account costs nothing.

Run: .venv/bin/python -m bench.growth [--contacts 1000000] [--requests 10]
"""
from __future__ import annotations

import argparse
import io
import time

from .common import backend_label, bench_app, load
from .unisender_import import bodies

STAMP = "2026-01-01 00:00:00"


def seed(account_id: int, database_id: int, count: int) -> float:
    """`count` contacts written straight into the store; seconds it took."""
    from core import db as store

    start = time.perf_counter()
    database = store.database()
    step = 100_000
    if store.is_sqlite():
        top = store.allocate_ids("contact", count)[0]
        with database.atomic():
            cursor = database.cursor()
            for first in range(0, count, step):
                cursor.executemany(
                    "INSERT INTO contact (id, account_id, database_id, email, email_status, confirmed, attrs, fields, "
                    "channels, source, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', 1, '{}', ?, '{}', "
                    "'seed', ?, ?)",
                    [(top + n, account_id, database_id, f"seed{n}@example.org", '{"1":"Seed"}', STAMP, STAMP)
                     for n in range(first, min(first + step, count))])
    else:
        connection = database.connection()
        with database.atomic():
            cursor = connection.cursor()
            for first in range(0, count, step):
                text = io.StringIO("".join(
                    f"{account_id}\t{database_id}\tseed{n}@example.org\tactive\tt\t{{}}\t{{\"1\":\"Seed\"}}\t{{}}\t"
                    f"seed\t{STAMP}\t{STAMP}\n" for n in range(first, min(first + step, count))))
                cursor.copy_expert("COPY contact (account_id, database_id, email, email_status, confirmed, attrs, "
                                   "fields, channels, source, created_at, updated_at) FROM STDIN", text)
        database.execute_sql("ANALYZE contact")
    return time.perf_counter() - start


def main(argv=None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--contacts", type=int, default=1_000_000, help="contacts the big account holds")
    args.add_argument("--requests", type=int, default=10, help="500-row requests per account and pass")
    opts = args.parse_args(argv)

    from core import accounts, catalog, contact_limit
    from core import db as store
    from core.schema import Account

    url, call, empty_id, empty_key = bench_app()
    keys = {}
    for account_id, key in ((empty_id, empty_key), (None, None)):
        if account_id is None:
            account_id = accounts.create_account("big").id
            _, key = accounts.add_key(account_id)
        catalog.create_list(account_id, "One", number=1)
        catalog.create_field(account_id, "Name")
        keys[account_id] = key
    big_id = max(keys)
    seconds = seed(big_id, catalog.database(big_id, 1).id, opts.contacts)
    print(f"seeded {opts.contacts:,} contacts into the big account in {seconds:.0f} s")

    def send(key: str, body: bytes) -> float:
        start = time.perf_counter()
        status, data = call("POST", "/en/api/importContacts?format=json", body, "application/x-www-form-urlencoded")
        elapsed = time.perf_counter() - start
        assert status.startswith("200") and b'"invalid":0' in data, data[:300]
        return elapsed

    rows = []
    for limited in (False, True):
        if limited:
            with store.write_transaction("accounts"):
                Account.update(contact_limit=10 * opts.contacts).where(Account.id.in_(list(keys))).execute()
                for account_id in keys:
                    contact_limit.track(account_id)
        prefix = "lim" if limited else "c"
        batches = {account_id: bodies(key, opts.requests, f"{prefix}{account_id}-", 26 + account_id + (20 if limited else 0))
                   for account_id, key in keys.items()}
        for case in ("new", "updates"):
            spent = {account_id: 0.0 for account_id in keys}
            for n in range(opts.requests):
                for account_id, key in keys.items():  # in turn: empty, big, empty, big, …
                    spent[account_id] += send(key, batches[account_id][n])
            count = opts.requests * 500
            label = f"{case}{', contact_limit set' if limited else ''}"
            rows.append((label, count, spent[empty_id], spent[big_id], load()))
    print(f"\nGrowth: Unisender importContacts, 500-row requests, an empty account beside one holding "
          f"{opts.contacts:,} contacts, {backend_label()}")
    print(f"{'case':<32}{'contacts':>9}{'empty c/s':>11}{'big c/s':>10}{'big ÷ empty cost':>18}  load")
    for label, count, empty, big, when in rows:
        print(f"{label:<32}{count:>9,}{count / empty:>11,.0f}{count / big:>10,.0f}{big / empty:>18.2f}  {when}")


if __name__ == "__main__":
    main()
