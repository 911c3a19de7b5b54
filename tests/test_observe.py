"""Request ids, the request log line, tracebacks for 500s, and bounded metric labels (in-process)."""
from __future__ import annotations

import io
import logging
import re

import orjson
import pytest

from gateway import logs, metrics


@pytest.fixture
def log_lines():
    """Every log record of the test, formatted as the JSON lines `serve` writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [orjson.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def _import(app, key, rows, headers=None):
    form = {"api_key": key, "field_names[0]": "email"}
    form.update({f"data[{i}][0]": value for i, value in enumerate(rows)})
    return app.post("/en/api/importContacts", form, headers=headers or {})


def test_a_well_formed_request_id_comes_back(app, account):
    answer = _import(app, account.key, ["a@example.com"], {"X-Request-Id": "trace-0af7651916cd43dd"})
    assert answer.headers["X-Request-Id"] == "trace-0af7651916cd43dd"


@pytest.mark.parametrize("given", [None, "", "has spaces in it", "x" * 200, "<script>", "id\u00e9"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(app, account, given):
    headers = {"X-Request-Id": given} if given is not None else {}
    first = app.get("/healthz", headers=headers).headers["X-Request-Id"]
    second = app.get("/healthz", headers=headers).headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_refusals_and_unknown_paths_carry_a_request_id_too(app, account):
    refused = app.get("/api/v1/contacts", expect_errors=True)  # eSputnik without credentials: 401
    assert refused.status_int == 401 and refused.headers["X-Request-Id"]
    missing = app.get("/no/such/thing", headers={"X-Request-Id": "abc"}, expect_errors=True)
    assert missing.status_int == 404 and missing.headers["X-Request-Id"] == "abc"


def test_one_log_line_per_request_with_its_fields(app, account, log_lines):
    _import(app, account.key, ["a@example.com", "b@example.com", "not an address"], {"X-Request-Id": "req-1"})
    line = next(entry for entry in log_lines() if entry.get("request_id") == "req-1")
    assert line["logger"] == "contact_gateway.request" and line["level"] == "info"
    assert {k: line[k] for k in ("dialect", "method", "account_id", "status", "http_method", "path")} == {
        "dialect": "unisender", "method": "importContacts", "account_id": account.id, "status": 200,
        "http_method": "POST", "path": "/en/api/importContacts"}
    assert line["items"] == {"created": 2, "failed": 1}
    assert isinstance(line["duration_ms"], float) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", line["time"])


def test_a_refusal_is_logged_with_its_code_and_no_key(app, account, log_lines):
    app.post("/en/api/getLists", {"api_key": "wrong-" + account.key}, headers={"X-Request-Id": "req-2"})
    line = next(entry for entry in log_lines() if entry.get("request_id") == "req-2")
    assert line["error"] == "unauthorized" and line["account_id"] is None
    assert account.key not in orjson.dumps(log_lines()).decode()


def test_a_500_is_logged_with_its_traceback_and_request_id(app, account, log_lines, monkeypatch):
    from core import service

    def broken(*args, **kwargs):
        raise RuntimeError("the store caught fire")

    monkeypatch.setattr(service, "execute", broken)
    answer = app.post("/api/v1.1/profiles/import", orjson.dumps({"token": account.key, "db_id": 1,
                                                                 "data": {"email": "a@example.com"}}),
                      headers={"Content-Type": "application/json", "X-Request-Id": "req-500"}, expect_errors=True)
    assert answer.status_int == 500 and answer.headers["X-Request-Id"] == "req-500"
    errors = [e for e in log_lines() if e.get("request_id") == "req-500" and e["level"] == "error"]
    assert errors and "RuntimeError: the store caught fire" in errors[0]["traceback"]
    assert "Traceback (most recent call last)" in errors[0]["traceback"]
    request_line = next(e for e in log_lines() if e.get("request_id") == "req-500" and e["message"] == "request")
    assert request_line["status"] == 500 and request_line["level"] == "warning"


def test_credential_shaped_text_is_scrubbed_from_any_line():
    text = ("calling /en/api/getLists?api_key=0123456789abcdef&format=json with Authorization: Basic "
            "dXNlcjpzZWNyZXQtcGFzc3dvcmQ= and {\"password\": \"hunter2-long\"} token=abc")
    scrubbed = logs.scrub(text)
    for secret in ("0123456789abcdef", "dXNlcjpzZWNyZXQtcGFzc3dvcmQ=", "hunter2-long", "=abc"):
        assert secret not in scrubbed
    assert "format=json" in scrubbed


def test_text_format_reads_as_one_line_per_event():
    record = logging.LogRecord("contact_gateway.request", logging.INFO, __file__, 1, "request", None, None)
    record.status = 200
    record.request_id = "r-9"
    line = logs.TextFormatter().format(record)
    assert re.fullmatch(r"\S+ INFO contact_gateway.request \[r-9\] request status=200", line)


def _series(name: str) -> set:
    families = {f.name: f for f in metrics.registry().collect()}
    return {tuple(sorted(s.labels.items())) for s in families[name].samples if s.name == name + "_total"}


@pytest.mark.filterwarnings("ignore:Unknown REQUEST_METHOD")
def test_a_thousand_made_up_paths_add_a_bounded_number_of_series(app, account):
    before = _series("contact_gateway_requests")  # the process's counters outlive a test
    for i in range(1000):
        prefix = ["", "/en/api", "/api/v1.1", "/api/v1", "/contacts/v3", "/v2", "/Contacts"][i % 7]
        app.request(f"{prefix}/garbage-{i}/x{i}", method=["GET", "POST", "DELETE", "BREW"][i % 4],
                    expect_errors=True)
    series = _series("contact_gateway_requests") - before
    methods = {dict(s)["method"] for s in series}
    assert len(series) <= 40, sorted(series)  # a few route templates and sinks x verbs x statuses
    assert not any("garbage" in m for m in methods), methods
