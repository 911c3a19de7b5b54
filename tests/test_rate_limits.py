"""Vendor rate limits: off by default, switched on per account by a setup file, answered as each vendor does."""
from __future__ import annotations

import threading
import urllib.parse
import urllib.request

import orjson
import pytest

from adapters.altcraft import limits as altcraft_limits
from adapters.dotdigital import limits as dotdigital_limits
from adapters.esputnik import limits as esputnik_limits
from adapters.icomm import limits as icomm_limits
from adapters.unisender import limits as unisender_limits
from altcraft_client import BASE as ALTCRAFT
from core import rate_limits, setup
from core.schema import RateWindow
from gateway import dialects
from dotdigital_client import dd  # noqa: F401 - the fixture
from esputnik_http import call as esputnik_call
from querycount import count_queries

NOW = 1_800_000_030.0  # 30 s into a minute: every window of a test is the same one


@pytest.fixture
def frozen(monkeypatch):
    """Time stands still, so which window a call falls in never depends on the machine's speed."""
    clock = {"now": NOW}
    monkeypatch.setattr(rate_limits.time, "time", lambda: clock["now"])
    return clock


def limit(account, limits: dict) -> None:
    """Switch an account's limits on the way operators do: a setup file naming the account."""
    doc = setup.export(account.id)
    doc["accounts"][0]["limits"] = limits
    setup.apply(doc)


def unisender(app, key, method: str = "getLists", **params):
    return app.post(f"/en/api/{method}", {"format": "json", "api_key": key, **params}).json


def test_off_by_default_nothing_is_counted_and_no_statement_added(app, account, frozen):
    for _ in range(3):
        unisender(app, account.key)
    assert RateWindow.select().count() == 0
    with count_queries() as off:
        unisender(app, account.key)
    limit(account, {"unisender": True})
    unisender(app, account.key)  # the change of limits made the worker read the key (and its switches) again
    with count_queries() as on:
        unisender(app, account.key)
    assert len(on) == len(off) + 1  # one upsert; the switches are remembered with the key
    assert RateWindow.get().count == 2


def test_setup_file_round_trip_and_validation(store_url, account):
    limits = {"unisender": True, "dotdigital": {"low": 10, "medium": False, "high": {"limit": 5, "seconds": 1}}}
    limit(account, limits)
    assert setup.export(account.id)["accounts"][0]["limits"] == limits
    again = setup.apply(setup.export(account.id), dialects.NAMES, dialects.LIMIT_RULES)
    assert not again.created and not again.updated  # applying what export wrote changes nothing
    bad = setup.export(account.id)
    bad["accounts"][0]["limits"] = {"unisender": {"sendEmail": 5}, "nobody": True}
    problems = [str(p) for p in setup.validate(bad, dialects.NAMES, dialects.LIMIT_RULES)]
    assert len(problems) == 2 and "sendEmail" in problems[0] + problems[1], problems
    bad["accounts"][0]["limits"] = {"icomm": {"calls": 0}}
    assert setup.validate(bad, dialects.NAMES, dialects.LIMIT_RULES)  # the schema: at least one call


def test_every_dialect_names_its_rules():
    assert set(dialects.LIMIT_RULES) == set(dialects.NAMES)
    for module in (unisender_limits, esputnik_limits, dotdigital_limits, altcraft_limits, icomm_limits):
        assert len({rule.name for rule in module.RULES}) == len(module.RULES)


def test_unisender_answers_api_call_limit_exceeded_with_http_200(app, account, frozen):
    limit(account, {"unisender": {"calls": 3, "exportContacts": 1}})
    assert "result" in unisender(app, account.key, "exportContacts")
    refused = app.post("/en/api/exportContacts", {"format": "json", "api_key": account.key})
    assert refused.status_int == 200
    assert refused.json == {"error": unisender_limits_text(), "code": "api_call_limit_exceeded_for_api_key",
                            "result": ""}
    assert "result" in unisender(app, account.key)  # the third call of the minute: exportContacts' own limit only
    assert unisender(app, account.key)["code"] == "api_call_limit_exceeded_for_api_key"
    frozen["now"] += 60  # the next minute
    assert "result" in unisender(app, account.key, "exportContacts")


def unisender_limits_text() -> str:
    from adapters.unisender.errors import code_text

    return code_text("api_call_limit_exceeded_for_api_key", "en")


def test_esputnik_answers_429_with_its_text_and_search_has_its_own_limit(app, account, frozen):
    limit(account, {"esputnik": {"calls": 2, "contacts_search": 1}})
    for _ in range(2):
        assert esputnik_call(app, account.key, "GET", "account/info").status_int == 200
    refused = esputnik_call(app, account.key, "GET", "account/info")
    assert refused.status_int == 429
    assert refused.text == "Too many requests: More than 2 requests per 1 second."
    assert refused.headers["Retry-After"] == "1"
    assert refused.content_type == "text/plain"
    assert esputnik_call(app, account.key, "GET", "contacts").status_int == 200  # its own counter
    assert esputnik_call(app, account.key, "GET", "contacts").status_int == 429
    frozen["now"] += 1
    assert esputnik_call(app, account.key, "GET", "account/info").status_int == 200


def test_esputnik_documented_numbers_apply_when_switched_on_whole(app, account, frozen):
    limit(account, {"esputnik": True})
    for _ in range(50):
        assert esputnik_call(app, account.key, "GET", "contacts").status_int == 200
    assert esputnik_call(app, account.key, "GET", "contacts").status_int == 429


def test_dotdigital_answers_429_with_the_headers_its_sdk_reads(dd, frozen):
    limit(dd.account, {"dotdigital": {"high": 1, "medium": 1}})
    assert dd.get("/v2/account-info").status_int == 200
    refused = dd.get("/v2/account-info")
    assert refused.status_int == 429
    assert refused.json == {"message": "Too Many Requests"}
    assert refused.headers["X-RateLimit-Scope"] == "highCallRate"
    assert refused.headers["X-RateLimit-Limit"] == "1"
    assert refused.headers["X-RateLimit-Reset"] == refused.headers["Retry-After"] == "30"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    v3 = dd.get("/contacts/v3/email/nobody@example.com")
    assert v3.status_int == 429
    assert v3.json == {"errorCode": "contacts:tooManyRequests", "description": "Too Many Requests"}
    created = dd.post("/v2/contacts", {"email": "a@example.com"})  # a write: the medium tier
    assert created.status_int == 201, created.body
    assert dd.post("/v2/contacts", {"email": "b@example.com"}).headers["X-RateLimit-Scope"] == "mediumCallRate"


def test_dotdigital_imports_count_against_the_low_tier(dd, frozen):
    limit(dd.account, {"dotdigital": {"low": 1}})
    contacts = {"contacts": [{"matchIdentifier": "email", "identifiers": {"email": "a@example.com"}}]}
    assert dd.put("/contacts/v3/import", contacts).status_int == 202
    refused = dd.put("/contacts/v3/import", contacts)
    assert refused.status_int == 429
    assert refused.headers["X-RateLimit-Scope"] == "lowCallRate"
    assert dd.get("/v2/account-info").status_int == 200  # reads are not limited: no number for High


def test_altcraft_answers_error_429_in_its_envelope(app, account, frozen):
    limit(account, {"altcraft": {"calls": 1}})
    body = {"token": account.key, "db_id": 1, "email": "x@example.com"}
    first = app.post(ALTCRAFT + "profiles/get", orjson.dumps(body), content_type="application/json").json
    assert first["error"] != 429
    refused = app.post(ALTCRAFT + "profiles/get", orjson.dumps(body), content_type="application/json")
    assert refused.status_int == 200
    assert refused.json == {"error": 429, "error_text": "Too many requests: more than 1 in 60 seconds; retry in 30 "
                                                        "seconds"}


def test_altcraft_and_icomm_have_no_documented_number(app, account, frozen):
    limit(account, {"altcraft": True, "icomm": True})
    for _ in range(3):
        app.post(ALTCRAFT + "profiles/get", orjson.dumps({"token": account.key, "db_id": 1, "email": "x@example.com"}),
                 content_type="application/json")
    assert RateWindow.select().count() == 0


def test_icomm_answers_429_with_its_status_code_body(app, account, frozen):
    limit(account, {"icomm": {"calls": {"limit": 1, "seconds": 10}}})
    body = {"ProfileKey": "1", "Contact": {"Email": "a@example.com"}}
    headers = {"Authorization": account.key}
    app.post_json("/Contacts/SaveContact.Json/", body, headers=headers, expect_errors=True)
    refused = app.post_json("/Contacts/SaveContact.Json/", body, headers=headers, expect_errors=True)
    assert refused.status_int == 429
    assert refused.headers["Retry-After"] == "10"
    result = refused.json["SaveContactJsonResult"]
    assert (result["StatusCode"], result["Message"]) == (125, "Too many requests")
    assert refused.json["code"] == 125


def test_a_limit_holds_across_gunicorn_workers_sharing_the_store(store_url, account, tmp_path):
    from processes import Gateway

    limit(account, {"unisender": {"calls": {"limit": 10, "seconds": 86400}}})
    gateway = Gateway({"DATABASE_URL": store_url, "LOG_DIR": str(tmp_path)}, workers=3).start()
    answers = []

    def run():
        data = urllib.parse.urlencode({"format": "json", "api_key": account.key}).encode()
        with urllib.request.urlopen(gateway.base_url + "/en/api/getLists", data=data, timeout=60) as response:
            answers.append(orjson.loads(response.read()))

    try:
        threads = [threading.Thread(target=run) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gateway.stop()
    assert len(answers) == 16
    assert sum("result" in a and "code" not in a for a in answers) == 10
    assert sum(a.get("code") == "api_call_limit_exceeded_for_api_key" for a in answers) == 6
    assert not gateway.tracebacks(), gateway.tracebacks()


def test_counters_write_no_wal_on_postgresql(store_url):
    from core import db as store

    if store.is_sqlite():
        pytest.skip("SQLite's WAL mode with synchronous=normal does not flush on commit anyway")
    persistence = store.database().execute_sql(
        "SELECT relpersistence FROM pg_class WHERE oid = 'rate_window'::regclass").fetchone()[0]
    assert persistence == "u"


def test_dotdigitals_low_tier_names_routes_that_exist():
    from adapters.dotdigital.methods import V2_ROUTES, V3_ROUTES

    routes = {**V3_ROUTES, **V2_ROUTES}
    assert all(verb in routes.get(template, {}) for verb, template in dotdigital_limits.LOW_CALLS)


def test_setup_apply_names_a_rule_the_dialect_does_not_have(tmp_path):
    from processes import cli

    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    doc = tmp_path / "limits.yaml"
    doc.write_text("version: 1\naccounts:\n  - name: x\n    limits: {unisender: {sendEmail: 60}, dotdigital: true}\n")
    refused = cli("setup", "apply", str(doc), env=env, check=False)
    assert refused.returncode == 2
    assert "accounts[0].limits.unisender.sendEmail: 'sendEmail' is not a rule of unisender" in refused.stderr
    doc.write_text("version: 1\naccounts:\n  - name: x\n    limits: {unisender: {exportContacts: 5}, dotdigital: true}\n")
    cli("setup", "apply", str(doc), env=env)
    assert "exportContacts: 5" in cli("setup", "export", "x", env=env).stdout
