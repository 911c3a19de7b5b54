"""Real Dotdigital client libraries named in the vendor notes, against the gateway with only the endpoint changed.

PyPI `dotmailer` 0.4.2 ([PYPI]) is Python 2 only; it runs under Python 2.7 like the Unisender ones.
npm `dotmailer` ([NODE], confuser/node-dotmailer) is not on the npm registry (it answers 404), so it is
not run here; see docs/dialects/dotdigital.md, "Real clients exercised".
"""
from __future__ import annotations

import uuid

import pytest

from core import accounts, catalog, contacts, setup
from real_clients import CLIENTS, interpreter, live_url, pip_install, run_driver  # noqa: F401 - live_url: fixture

USER = "apiuser-908709770324@apiconnector.com"


def dotdigital_account(name: str, password: str):
    """A migrating client's API user (name and password), as a setup file registers it."""
    setup.apply({"version": 1, "accounts": [{"name": name, "keys": [
        {"key": password, "username": USER, "dialect": "dotdigital"}]}]})
    return accounts.find_account(name)


@pytest.fixture(scope="session")
def pypi_dotmailer(tmp_path_factory):
    """(Python 2.7, its packages folder): dotmailer 0.4.2 and the libraries of its time."""
    python = interpreter("2.7", "PyPI dotmailer 0.4.2 is Python 2 only")
    return python, pip_install(python, CLIENTS / "dotdigital-python", tmp_path_factory.mktemp("dotmailer"))


def test_pypi_dotmailer_client(live_url, pypi_dotmailer, tmp_path):
    python, packages = pypi_dotmailer
    password = "Passw0rd-" + uuid.uuid4().hex[:12]
    account = dotdigital_account("pypi-dotmailer", password)
    lines = run_driver([python, "run.py"], CLIENTS / "dotdigital-python", {
        "GATEWAY_URL": live_url, "GATEWAY_USER": USER, "GATEWAY_PASSWORD": password, "PYTHONPATH": str(packages),
        "TMPDIR": str(tmp_path)})
    calls = {line["call"]: line for line in lines}
    res = {name: line.get("res") for name, line in calls.items()}
    failed = {name: line["err"] for name, line in calls.items() if not line["ok"]}
    # Errors come back as the library's exception classes, one per ERROR_* code (401: ErrorAccountInvalid).
    assert failed == {
        "wrong password": "ErrorAccountInvalid",
        "wrong user name": "ErrorAccountInvalid",
        "create field again": "ErrorNonUniqueDatafield",
        "create address book again": "ErrorAddressbookDuplicate",
        "get missing address book": "ErrorAddressbookNotFound",
        "create invalid contact": "ErrorContactInvalid",
        "create with unknown field": "ErrorDatafieldNotfound",
        "get deleted contact": "ErrorContactNotFound",
        # The library asks /v2/contacts/imports/{id} (sic), a path Dotdigital does not document; it cannot
        # read the 404 text as an ERROR_* code and fails with AttributeError. The driver polls the real path.
        "import status (library path)": "AttributeError",
    }
    # account-info names the gateway as the API endpoint, so clients that discover it stay here.
    assert {"type": "String", "name": "ApiEndpoint", "value": live_url} in res["account info"]["properties"]

    # Data fields: names stored upper-cased, typed, the deleted one gone.
    assert res["create numeric field"] == {"id": None, "name": "POINTS", "type": "Numeric", "visibility": "Public",
                                           "default_value": 0}
    assert [f["name"] for f in res["list fields"]] == ["FIRSTNAME", "POINTS"]
    assert res["delete field"] == {"dependencies": None, "result": True}
    assert [f.name for f in catalog.fields(account.id)] == ["FIRSTNAME", "POINTS"]

    # Address books: ids of the account, paging by the library's `Select`/`Skip`.
    assert res["create address book"] == {"id": 1, "name": "Newsletter", "visibility": "Private", "contacts": 0}
    assert res["get address book"]["name"] == "Newsletter"
    assert [b["name"] for b in res["all address books"]] == ["Newsletter", "Offers"]
    assert [b["name"] for b in res["address books page"]] == ["Offers"]

    # Single contacts: PascalCase bodies in, camelCase answers the library turns into its attributes.
    ann_id = res["create contact"]["id"]
    assert res["create contact"] == {"id": ann_id, "email": "ann@example.com", "opt_in_type": "Single",
                                     "email_type": "Html", "status": "Subscribed",
                                     "data_fields": {"FIRSTNAME": "Ann", "POINTS": 5}}
    assert res["update contact"]["data_fields"] == {"FIRSTNAME": "Änne", "POINTS": 5}
    assert res["get by email"] == res["get by id"] == res["update contact"]
    assert res["get by id"]["email_type"] == "PlainText"
    bob = res["add to address book"]
    assert bob["email"] == "bob+news@example.com" and bob["data_fields"] == {"FIRSTNAME": "Bob", "POINTS": None}
    assert res["get by email with a plus"] == res["address book contacts"][0] == bob
    assert [c["email"] for c in res["all contacts"]] == ["ann@example.com", "bob+news@example.com"]
    assert [c["email"] for c in res["contacts page"]] == ["bob+news@example.com"]
    assert res["unsubscribe"]["reason"] == "Unsubscribed"
    assert res["unsubscribe"]["suppressed_contact"]["status"] == "Unsubscribed"
    # No challenge mail is sent: the contact stays unsubscribed (docs: resubscribe).
    assert res["resubscribe"][1] == "ContactChallenged" and res["resubscribe"][0]["status"] == "Unsubscribed"
    assert res["delete contact"] is True

    # File imports (multipart, field `file`): status, report, faults, the address book's members.
    assert res["bulk create"]["status"] == "NotFinished"
    assert res["import status"] == {"id": res["bulk create"]["id"], "status": "Finished"}
    report = res["import report"]
    assert (report["new_contacts"], report["updated_contacts"], report["invalid_entries"],
            report["duplicate_emails"]) == (1, 0, 1, 1)
    assert res["import faults"] == ("Reason,email,firstname,points\r\nInvalidEmail,not-an-email,Two,2\r\n"
                                    "Duplicate,csv1@example.com,Again,3\r\n")
    assert res["import status in address book"]["status"] == "Finished"
    members = {c["email"]: c for c in res["address book contacts after import"]}
    assert members["csv2@example.com"]["data_fields"] == {"FIRSTNAME": "Zoë", "POINTS": None}
    assert set(members) == {"bob+news@example.com", "csv2@example.com", "csv3@example.com"}
    assert res["remove from address book"]["email"] == "csv3@example.com"
    assert [c["email"] for c in res["address book contacts after removal"]] == ["bob+news@example.com",
                                                                                 "csv2@example.com"]

    # What the store holds.
    def stored(email):
        return contacts.find(account.id, "email", email, include_deleted=True)

    assert stored("ann@example.com").deleted_at is not None
    assert stored("ann@example.com").fields == {"FIRSTNAME": "Änne", "POINTS": 5}
    assert stored("bob+news@example.com").email_status == "unsubscribed"
    assert stored("csv1@example.com").fields == {"FIRSTNAME": "One", "POINTS": 1}
    assert [(m.list, m.status) for m in stored("csv2@example.com").memberships] == [(1, "subscribed")]
    assert stored("csv3@example.com").memberships == [] and stored("csv3@example.com").email_status == "active"
    assert [(m.number, m.title) for m in catalog.lists(account.id)] == [(1, "Newsletter"), (2, "Offers")]
