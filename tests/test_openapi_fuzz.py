"""schemathesis driven by the vendors' own OpenAPI documents (tests/openapi/, see its README):
Dotdigital v2 and the v3 contacts service, eSputnik's yespo.json. Valid and invalid requests for
every operation they describe, sent with working credentials, each answer held to the fuzz suite's
invariants (tests/fuzzing.py). FUZZ_OPENAPI_EXAMPLES (else FUZZ_EXAMPLES) sets the requests per document (default 150)."""
from __future__ import annotations

import base64
import json
import logging
import os
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
import webtest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import fuzzing
from core import accounts
from core import db as store

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.core import NotSet  # noqa: E402

SPECS = Path(__file__).with_name("openapi")
EXAMPLES = int(os.environ.get("FUZZ_OPENAPI_EXAMPLES", os.environ.get("FUZZ_EXAMPLES", "150")))
SUMMARY = os.environ.get("FUZZ_SUMMARY")
DOCUMENTS = {"dotdigital-v2.json": "dotdigital", "dotdigital-v3-contacts.json": "dotdigital",
             "esputnik.json": "esputnik"}
USER = "apiuser-fuzz@apiconnector.com"


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    from core import migrate
    from gateway.app import create_app
    from gateway.config import Settings

    url = f"sqlite:///{tmp_path}/openapi.db"
    store.open_database(url)
    migrate.migrate(url)
    monkeypatch.setenv("OUTBOUND_BLOCK_PRIVATE", "1")
    yield webtest.TestApp(create_app(Settings(database_url=url, fetch_timeout=1)))
    store.database().close()


def _request(case, auth: str):
    """A schemathesis case as the bytes the gateway receives (percent-encoding as the case made it)."""
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    headers = {str(k): str(v) for k, v in (case.headers or {}).items()}
    headers.setdefault("Authorization", auth)
    body = case.body
    if isinstance(body, NotSet) or body is None:
        raw = b""
    elif isinstance(body, (bytes, bytearray)):
        raw = bytes(body)
    else:
        raw = json.dumps(body, default=str).encode()
    if raw and case.media_type:
        headers.setdefault("Content-Type", case.media_type)
    return fuzzing.Request(case.method.upper(), path, headers, raw, [f"openapi {case.method} {case.path}"])


@pytest.mark.parametrize("document", sorted(DOCUMENTS))
def test_the_vendors_openapi_documents_keep_every_invariant(sqlite_app, document, monkeypatch):
    import socket

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
    dialect = DOCUMENTS[document]
    account = accounts.create_account(f"openapi-{uuid.uuid4().hex[:8]}")
    key = "Fuzz-" + uuid.uuid4().hex
    if dialect == "dotdigital":
        accounts.add_key(account.id, key, dialect="dotdigital", username=USER)
        token = base64.b64encode(f"{USER}:{key}".encode()).decode()
    else:
        accounts.add_key(account.id, key, dialect="esputnik")
        token = base64.b64encode(f"user:{key}".encode()).decode()
    secrets = {key, token}
    schema = schemathesis.openapi.from_path(SPECS / document)
    operations = [result.ok() for result in schema.get_all_operations() if hasattr(result, "ok")]
    assert operations, document
    cases = st.sampled_from(operations).flatmap(
        lambda op: op.as_strategy(GenerationMode.POSITIVE) | op.as_strategy(GenerationMode.NEGATIVE))
    records = fuzzing.Records()
    root = logging.getLogger()
    root.addHandler(records)
    level = root.level
    root.setLevel(logging.INFO)
    problems: list[str] = []
    sent = [0]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def one(case):
        request = _request(case, "Basic " + token)
        sent[0] += 1
        before, lines = fuzzing.changes(), len(records.lines)
        try:
            response = sqlite_app.request(request.path, method=request.method, headers=request.headers,
                                          body=request.body, expect_errors=True)
            status, body = response.status_int, response.body
        except Exception as exc:  # noqa: BLE001 - a request the WSGI stack could not even answer
            status, body = 599, repr(exc).encode()
        problems.extend(fuzzing.findings(dialect, request, status, body, fuzzing.changes() - before,
                                         records.lines[lines:], secrets))

    started = time.monotonic()
    try:
        one()
    finally:
        root.removeHandler(records)
        root.setLevel(level)
    assert sqlite_app.get("/healthz").status_int == 200
    line = (f"{document} ({dialect}, {len(operations)} operations): {sent[0]} requests, "
            f"{time.monotonic() - started:.0f} s, {len(problems)} findings")
    print(line)
    if SUMMARY:
        with open(SUMMARY, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    assert not problems, "\n".join(problems[:20])
