"""Core, dialect-free: databases named by an attribute, account-wide unsubscribes and their bulk cost."""
from __future__ import annotations

import pytest

from core import accounts, catalog, consent, contacts, deletion, errors
from core.errors import CoreError
from core.model import ContactChange, DatabaseRef, UpsertCommand
from core.schema import Contact
from core.upsert import upsert
from querycount import count_queries


def save(account, emails, database=1, **options):
    items = [ContactChange(identities={"email": e}) for e in emails]
    return upsert(account.id, UpsertCommand(items=items, database=database, **options))


def test_a_database_named_by_attribute_is_found_in_its_own_account_only(account):
    catalog.create_database(account.id, "Profile", number=5, attrs={"profile_key": "K5"})
    other = accounts.create_account("other")
    catalog.create_database(other.id, "Theirs", number=6, attrs={"profile_key": "K6"})
    assert catalog.database(account.id, DatabaseRef("profile_key", "K5")).number == 5
    assert catalog.database_by_attr(other.id, "profile_key", "K6").number == 6
    for value in ("K6", "", None, "k5"):
        with pytest.raises(CoreError) as caught:
            catalog.database(account.id, DatabaseRef("profile_key", value))
        assert caught.value.code == errors.UNKNOWN_DATABASE
    result = save(account, ["a@example.com"], database=DatabaseRef("profile_key", "K5"))
    assert result.items[0].outcome == "created"
    assert contacts.find(account.id, "email", "a@example.com", database=5).database == 5


def test_new_contacts_inherit_an_unsubscribe_from_any_database_only_when_asked(account):
    catalog.create_database(account.id, "Second", number=2)
    save(account, ["gone@example.com"], database=2)
    consent.unsubscribe_everywhere(account.id, ["gone@example.com"], database=2)
    plain = save(account, ["gone@example.com"])
    assert plain.items[0].email_status == "active"
    deletion.delete(account.id, "email", ["gone@example.com"])  # … and the database-1 contact is removed
    kept = save(account, ["gone@example.com", "fresh@example.com"], keep_account_unsubscribes=True)
    assert [i.email_status for i in kept.items] == ["unsubscribed", "active"]
    assert kept.items[0].warnings == [(errors.STATUS_LOCKED, "Address is unsubscribed in this account; kept so")]


def test_the_account_wide_check_is_one_query_per_batch(account):
    catalog.create_database(account.id, "Second", number=2)
    counts = []
    for size in (5, 400):
        emails = [f"u{size}-{i}@example.com" for i in range(size)]
        consent.unsubscribe_everywhere(account.id, emails[::3], database=2)
        with count_queries() as seen:
            result = save(account, emails, keep_account_unsubscribes=True)
        counts.append(len(seen))
        assert [i.email_status for i in result.items] == [
            "unsubscribed" if n % 3 == 0 else "active" for n in range(size)]
    assert counts[0] == counts[1]


def test_unsubscribe_everywhere_reaches_removed_contacts_and_remembers_unknown_addresses(account):
    catalog.create_database(account.id, "Second", number=2)
    save(account, ["a@example.com"])
    save(account, ["a@example.com"], database=2)
    save(account, ["b@example.com"])
    deletion.delete(account.id, "email", ["b@example.com"])
    results = consent.unsubscribe_everywhere(account.id, ["A@example.com", "b@example.com", "c@example.com"])
    assert [(r.outcome, r.email, r.email_status) for r in results] == [
        ("updated", "a@example.com", "unsubscribed"), ("updated", "b@example.com", "unsubscribed"),
        ("created", "c@example.com", "unsubscribed")]
    assert results[1].contact_id is None  # b is held only by a removed contact
    statuses = {(c.email, c.database_id, c.deleted_at is None): c.email_status for c in Contact.select()}
    assert set(statuses.values()) == {"unsubscribed"} and len(statuses) == 4
    skipped = consent.unsubscribe_everywhere(account.id, ["d@example.com"], remember_unknown=False)
    assert skipped[0].outcome == "skipped" and Contact.select().where(Contact.email == "d@example.com").count() == 0


def test_unsubscribe_into_an_unknown_database_changes_nothing(account):
    save(account, ["a@example.com"])
    with pytest.raises(CoreError):
        consent.unsubscribe_everywhere(account.id, ["a@example.com"], database=DatabaseRef("profile_key", "nope"))
    assert Contact.get().email_status == "active"


def test_unsubscribes_of_another_account_do_not_count(account):
    other = accounts.create_account("other")
    upsert(other.id, UpsertCommand(items=[ContactChange(identities={"email": "a@example.com"})]))
    consent.unsubscribe_everywhere(other.id, ["a@example.com"])
    assert save(account, ["a@example.com"], keep_account_unsubscribes=True).items[0].email_status == "active"
