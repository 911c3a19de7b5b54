"""The real PyPI django-tasker-unisender 0.0.1 integration (Python 3.7, Django 2.2, requests) against the gateway.

The driver (tests/clients/unisender-django-tasker/run.py) calls its Unisender class as its own tests
do, saves and deletes its README's EmailModel subclass, and creates and deletes users for its User
signals, on a bare fresh account; only the vendor host in its URLs is changed. What it exposed is
in docs/dialects/unisender.md, "Real clients exercised".
"""
from __future__ import annotations

import pytest

from core import catalog, contacts
from core.errors import CoreError
from real_clients import CLIENTS, interpreter, live_url, pip_install, run_driver  # noqa: F401 - live_url: fixture


@pytest.fixture(scope="session")
def django_tasker(tmp_path_factory):
    python = interpreter("3.7", "django-tasker-unisender's Pillow 6.0 pin has wheels up to Python 3.7")
    return python, pip_install(python, CLIENTS / "unisender-django-tasker", tmp_path_factory.mktemp("django-tasker"))


def test_django_tasker_unisender_integration(live_url, fresh_account, django_tasker):
    python, packages = django_tasker
    account = fresh_account("unisender")
    lines = run_driver([python, "run.py"], CLIENTS / "unisender-django-tasker",
                       {"GATEWAY_URL": live_url, "GATEWAY_KEY": account.key, "PYTHONPATH": str(packages)})
    res = {line["call"]: line.get("res") for line in lines}
    failed = {line["call"]: line["err"] for line in lines if not line["ok"]}
    assert failed == {
        # Its User signal sends fields[first_name] and fields[last_name], which a fresh account lacks: refused
        # whole, as every Unisender path refuses an unknown field (the user row stays: the signal runs after it).
        "user save, fields missing": "HTTPError: Unisender error: Unknown field: first_name, last_name",
        "delete missing list": "HTTPError: Unisender error: List 999999 not found",
        "wrong key": "HTTPError: Unisender error: Указан неправильный ключ доступа к API",  # its /ru/ path
    }
    assert res["create_list"] == 1 and res["get_lists"] == [{"id": 1, "title": "Newsletter"}]
    # getFields carries public_name, which its own tests (run against the vendor) read back: given, or the name.
    fields = {f["name"]: f for f in res["get_fields"]}
    assert fields["firstname"]["public_name"] == "First name" and fields["lastname"]["public_name"] == "lastname"
    assert fields["Name"] == {"id": 1, "name": "Name", "type": "string", "is_visible": 1, "view_pos": 0,
                              "public_name": "Name"}
    assert {f["name"]: f["public_name"] for f in res["get_fields after update"]}["firstname"] == "Given name"

    assert isinstance(res["subscribe"], int)
    # The model's save subscribes with its UnisenderMeta fields and takes the person_id as its pk; delete excludes.
    ann = contacts.find(account.id, "email", "ann@example.com")
    assert res["model save"] == ann.id and ann.fields == {"lastname": "Lee"}  # firstname: deleted at the end
    assert [(m.list, m.status) for m in ann.memberships] == []  # its list was deleted at the end
    cat = contacts.find(account.id, "email", "cat@example.com")
    assert cat.fields == {"first_name": "Cat", "last_name": "Stone"}
    with pytest.raises(CoreError):
        contacts.find(account.id, "email", "bob@example.com")  # the refused subscribe wrote nothing
    assert res["get_lists after"] == [] and catalog.lists(account.id) == []
    assert [f.name for f in catalog.fields(account.id)] == ["Name", "lastname", "first_name", "last_name"]
