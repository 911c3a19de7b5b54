"""The contact limit: over-limit warnings from a counter kept by every write, never a count per batch."""
from __future__ import annotations

import threading

from core import accounts, deletion, errors, setup
from core.model import ContactChange, UpsertCommand
from core.schema import Account, Contact
from core.upsert import upsert
from querycount import count_queries


def items(*emails, **options):
    return [ContactChange(identities={"email": e}, **options) for e in emails]


def live(account_id: int) -> int:
    return Contact.select().where((Contact.account == account_id) & Contact.deleted_at.is_null()).count()


def counter(account_id: int) -> int | None:
    return Account.get_by_id(account_id).live_contacts


def limited(limit: int = 3):
    return accounts.create_account("limited", contact_limit=limit)


def test_contacts_over_the_limit_warn_and_are_still_stored(store_url):
    account = limited(3)
    result = upsert(account.id, UpsertCommand(items=items(*(f"c{i}@example.com" for i in range(5)))))
    assert [bool(r.warnings) for r in result.items] == [False, False, False, True, True]
    assert result.items[3].warnings[0][0] == errors.OVER_LIMIT
    assert counter(account.id) == live(account.id) == 5
    again = upsert(account.id, UpsertCommand(items=items("c0@example.com", "new@example.com")))
    assert [r.outcome for r in again.items] == ["updated", "created"]
    assert [bool(r.warnings) for r in again.items] == [False, True]


def test_a_batch_does_not_count_the_accounts_contacts(store_url):
    account = limited(1000)
    upsert(account.id, UpsertCommand(items=items("a@example.com")))
    with count_queries() as seen:
        upsert(account.id, UpsertCommand(items=items("a@example.com", "b@example.com")))
    assert not [sql for sql in seen if "COUNT(" in sql.upper()]
    assert counter(account.id) == 2


def test_the_counter_follows_every_change_of_liveness(store_url):
    account = limited(10)

    def check():
        assert counter(account.id) == live(account.id)

    upsert(account.id, UpsertCommand(items=items("a@example.com", "b@example.com", "c@example.com", "d@example.com")))
    check()
    upsert(account.id, UpsertCommand(items=items("a@example.com", delete=True)))  # soft delete in a batch
    check()
    upsert(account.id, UpsertCommand(items=items("a@example.com"), on_deleted="restore"))  # brought back
    check()
    deletion.delete(account.id, "email", ["b@example.com", "nobody@example.com"])  # soft
    check()
    upsert(account.id, UpsertCommand(items=items("b@example.com")))  # a deleted contact recreated
    check()
    deletion.delete(account.id, "email", ["c@example.com"])
    deletion.delete(account.id, "email", ["c@example.com", "d@example.com"], erase=True)  # one deleted, one live
    check()
    # A contact created and deleted in one batch leaves the count as it was.
    upsert(account.id, UpsertCommand(items=[*items("e@example.com"), *items("e@example.com", delete=True)]))
    check()
    assert counter(account.id) == 2


def test_an_unlimited_account_keeps_no_counter(account):
    upsert(account.id, UpsertCommand(items=items("a@example.com")))
    assert counter(account.id) is None


def test_a_limit_set_later_counts_the_contacts_once(store_url):
    setup.apply({"version": 1, "accounts": [{"name": "later"}]})
    account = accounts.find_account("later")
    upsert(account.id, UpsertCommand(items=items("a@example.com", "b@example.com")))
    assert counter(account.id) is None
    setup.apply({"version": 1, "accounts": [{"name": "later", "contact_limit": 2}]})
    assert counter(account.id) == 2
    result = upsert(account.id, UpsertCommand(items=items("c@example.com")))
    assert result.items[0].warnings[0][0] == errors.OVER_LIMIT
    setup.apply({"version": 1, "accounts": [{"name": "later"}]})
    assert counter(account.id) is None


def test_a_store_without_the_counter_counts_once_then_keeps_it(store_url):
    account = limited(10)
    upsert(account.id, UpsertCommand(items=items("a@example.com", "b@example.com")))
    Account.update(live_contacts=None).where(Account.id == account.id).execute()  # as before migration 4
    upsert(account.id, UpsertCommand(items=items("c@example.com")))
    assert counter(account.id) == live(account.id) == 3


def test_concurrent_batches_of_one_account_keep_the_counter_exact(store_url):
    account = limited(10_000)
    failures = []

    def worker(prefix: str):
        try:
            for n in range(12):
                # Overlapping addresses across the two writers: each contact is created once.
                emails = [f"{prefix}{n}@example.com", f"shared{n}@example.com", f"shared{n + 1}@example.com"]
                upsert(account.id, UpsertCommand(items=items(*emails)))
                if n % 4 == 3:
                    deletion.delete(account.id, "email", [f"shared{n - 1}@example.com"])
        except Exception as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(p,)) for p in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert counter(account.id) == live(account.id)
