"""The fuzz suite: hostile requests per dialect grown from the conformance cases (tests/fuzzing.py),
with a fixed seed and a bounded count, every answer checked against the invariants.

FUZZ_EXAMPLES sets the requests per dialect (default 600: about a minute and a half for all five
on 2 shared cores); scripts/fuzz runs the long version (20,000 per dialect) and prints the
figures bench/README.md keeps. The suite runs on SQLite only: "an error answer writes nothing" is
read from SQLite's own change counter of the connection, which sees every write of the request,
whatever table it touched.
"""
from __future__ import annotations

import os
import time

import pytest
from hypothesis import given

import fuzzing
from core import db as store

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "600"))
SUMMARY = os.environ.get("FUZZ_SUMMARY")  # a file the long run appends its per-dialect figures to


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    yield fuzzing.sqlite_app(tmp_path / "fuzz.db", monkeypatch)
    store.database().close()


@pytest.mark.parametrize("dialect", fuzzing.DIALECTS)
def test_hostile_requests_keep_every_invariant(sqlite_app, dialect):
    corpus = fuzzing.corpus(dialect)
    assert corpus.seeds, f"no conformance cases for {dialect}"

    @fuzzing.bounded(EXAMPLES)
    @given(request=fuzzing.hostile_request(corpus))
    def one(request):
        checker.send(request)

    started = time.monotonic()
    with fuzzing.Checker(sqlite_app, dialect, corpus.secrets) as checker:
        one()
    print(checker.report(dialect, time.monotonic() - started, SUMMARY))
    # The dialect's first seed, as it is, is still answered.
    first = corpus.seeds[0]
    assert sqlite_app.request(first.path, method=first.method, headers=first.headers, body=first.body,
                              expect_errors=True).status_int < 500
    assert checker.sent >= EXAMPLES * 0.9, checker.sent
    assert not checker.problems, "\n".join(checker.problems[:20])


def test_the_invariants_catch_what_they_are_for():
    request = fuzzing.Request("POST", "/x", {}, b"")
    secret = {"0123456789abcdef"}
    assert fuzzing.findings("esputnik", request, 500, b"", 0, [], secret)
    assert fuzzing.findings("unisender", request, 200, b'{"error":"x","code":"retry_later"}', 0,
                            ["contact_gateway ERROR unexpected error in POST /x"], secret)
    assert fuzzing.findings("unisender", request, 200, b'{"error":"x","code":"invalid_arg","result":""}', 3, [], secret)
    assert fuzzing.findings("altcraft", request, 200, b"<xml><error>400</error></xml>", 1, [], secret)
    assert fuzzing.findings("icomm", request, 200, b'{"ListContactsJsonResult":{"StatusCode":111}}', 1, [], secret)
    assert fuzzing.findings("dotdigital", request, 200, b"{}", 0, ["gunicorn INFO GET /x?key=0123456789abcdef"], secret)
    assert not fuzzing.findings("altcraft", request, 200, b'{"error":0}', 5, ["INFO fine"], secret)
    assert not fuzzing.findings("icomm", request, 200, b'{"SaveMultiContactJsonResult":{"StatusCode":1}}', 2, [],
                                secret)
