"""The real PyPI django-unisender 0.1.6 integration (Python 2.7, Django 1.6, pyunisend) against the gateway.

The driver (tests/clients/unisender-django/run.py) runs what its admin runs on save, add and delete
on a bare fresh account; only pyunisend's base URL is changed. What it exposed is in
docs/dialects/unisender.md, "Real clients exercised".
"""
from __future__ import annotations

import pytest

from core import catalog, contacts
from real_clients import CLIENTS, interpreter, live_url, pip_install, run_driver  # noqa: F401 - live_url: fixture


@pytest.fixture(scope="session")
def django_unisender(tmp_path_factory):
    python = interpreter("2.7", "django-unisender 0.1.6 and its Django 1.6 are Python 2 only")
    return python, pip_install(python, CLIENTS / "unisender-django", tmp_path_factory.mktemp("django-unisender"),
                               no_deps=True)


def test_django_unisender_integration(live_url, fresh_account, django_unisender):
    python, packages = django_unisender
    account = fresh_account("unisender")
    lines = run_driver([python, "run.py"], CLIENTS / "unisender-django",
                       {"GATEWAY_URL": live_url, "GATEWAY_KEY": account.key, "PYTHONPATH": str(packages)})
    answers = [(line["call"], line["res"]) for line in lines if "call" in line]
    rows = {line["step"]: line["rows"] for line in lines if "step" in line}
    refused = [(call, res) for call, res in answers if "error" in res]
    assert refused == [
        ("subscribe", {"error": "Unknown field: ghost", "code": "invalid_arg", "result": ""}),
        ("createList", {"error": "Указан неправильный ключ доступа к API", "code": "invalid_api_key", "result": ""}),
    ]

    # Fields: the fresh account's Name pulled into the admin; the admin's own saved with its attributes,
    # and updateField's is_visible/view_pos kept (it used to ignore them, so the next pull undid the change).
    assert rows["fields pulled"] == [{"name": "Name", "unisender_id": "1", "type": "string", "visible": True, "sort": 0,
                                      "sync": True, "last_error": None}]
    assert [(r["name"], r["unisender_id"], r["sync"]) for r in rows["fields saved"]] == [
        ("Name", "1", True), ("city", "2", True), ("score", "3", True)]
    pulled_last = [res for call, res in answers if call == "getFields"][-1]["result"]
    assert pulled_last == [{"id": 1, "name": "Name", "type": "string", "is_visible": 1, "view_pos": 0, "public_name": "Name"},
                           {"id": 2, "name": "city", "type": "string", "is_visible": 0, "view_pos": 3, "public_name": "city"}]
    assert [(f.name, f.attrs) for f in catalog.fields(account.id)] == [
        ("Name", {}), ("city", {"is_visible": 0, "view_pos": 3})]

    # Lists: a Cyrillic title sent as UTF-8 bytes, a rename, a delete.
    assert [(r["title"], r["unisender_id"], r["sync"]) for r in rows["lists saved"]] == [
        ("Новости", "1", True), ("Offers (renamed)", "2", True)]
    assert [(lst.number, lst.title) for lst in catalog.lists(account.id)] == [(1, "Новости")]
    assert catalog.get_list(account.id, 1).attrs["after_subscribe_url"] == "https://example.com/thanks"

    # Subscribers: every m2m add and every field value saved re-sends subscribe with overwrite=1.
    assert rows["ann subscribed"]["unisender_id"] == "1" and rows["ann subscribed"]["last_error"] is None
    ann = contacts.find(account.id, "email", "ann@example.com")
    assert ann.fields == {"Name": "Анна", "city": "Kyiv"} and ann.tags == ["vip"]
    assert {(m.list, m.status) for m in ann.memberships} == {(1, "unsubscribed")}  # list 2 deleted afterwards
    assert ann.email_status == "new"  # unsubscribe leaves the address status, as the vendor's does
    phone = contacts.find(account.id, "phone", "+79261232323")
    assert [(m.list, m.channel, m.status) for m in phone.memberships] == [(1, "phone", "excluded")]
    # bob: his first subscribe (lists added) stored him; the one naming the unknown field was refused whole.
    bob = contacts.find(account.id, "email", "bob@example.com")
    assert bob.fields == {}
    assert rows["tags pulled"] == ["vip"]

    # A wrong key, on the integration's /ru/ path: the vendor's Russian text, which its own error table
    # (copied from the vendor's Russian code list) opens with the same words.
    assert rows["wrong key"]["last_error"] == "Указан неправильный ключ доступа к API"
