"""schemathesis driven by the vendors' own OpenAPI documents (tests/openapi/, see its README):
Dotdigital v2 and the v3 contacts service, eSputnik's yespo.json. Valid and invalid requests for
every operation they describe, sent with working credentials, each answer held to the fuzz suite's
invariants (tests/fuzzing.py). FUZZ_OPENAPI_EXAMPLES (else FUZZ_EXAMPLES) sets the requests per document (default 100)."""
from __future__ import annotations

import base64
import json
import os
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuzzing
from core import accounts
from core import db as store

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.core import NotSet  # noqa: E402

SPECS = Path(__file__).with_name("openapi")
EXAMPLES = int(os.environ.get("FUZZ_OPENAPI_EXAMPLES", os.environ.get("FUZZ_EXAMPLES", "100")))
SUMMARY = os.environ.get("FUZZ_SUMMARY")
DOCUMENTS = {"dotdigital-v2.json": "dotdigital", "dotdigital-v3-contacts.json": "dotdigital",
             "esputnik.json": "esputnik"}
USER = "apiuser-fuzz@apiconnector.com"


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    yield fuzzing.sqlite_app(tmp_path / "openapi.db", monkeypatch)
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
def test_the_vendors_openapi_documents_keep_every_invariant(sqlite_app, document):
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

    @fuzzing.bounded(EXAMPLES)
    @given(case=cases)
    def one(case):
        checker.send(_request(case, "Basic " + token))

    started = time.monotonic()
    with fuzzing.Checker(sqlite_app, dialect, secrets) as checker:
        one()
    print(checker.report(f"{document} ({dialect}, {len(operations)} operations)", time.monotonic() - started,
                         SUMMARY))
    assert not checker.problems, "\n".join(checker.problems[:20])
