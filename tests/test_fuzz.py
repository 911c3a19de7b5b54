"""The fuzz suite: hostile requests per dialect grown from the conformance cases (tests/fuzzing.py),
with a fixed seed and a bounded count, every answer checked against the invariants.

FUZZ_EXAMPLES sets the requests per dialect (default 1,000: about two and a half minutes for all five on 2 shared cores);
scripts/fuzz runs the long version (20,000 per dialect) and prints the figures bench/README.md keeps.
The suite runs on SQLite only: "an error answer writes nothing" is read from SQLite's own change
counter of the connection, which sees every write of the request, whatever table it touched.
"""
from __future__ import annotations

import logging
import os
import time

import pytest
import webtest
from hypothesis import HealthCheck, Phase, given, settings

import fuzzing
from core import db as store

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
SUMMARY = os.environ.get("FUZZ_SUMMARY")  # a file the long run appends its per-dialect figures to


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    from core import migrate
    from gateway.app import create_app
    from gateway.config import Settings

    url = f"sqlite:///{tmp_path}/fuzz.db"
    store.open_database(url)
    migrate.migrate(url)
    # Links the fuzzer's requests name are never called: a notify URL or a file to import would
    # otherwise leave the machine (and time out) during a job.
    monkeypatch.setenv("OUTBOUND_BLOCK_PRIVATE", "1")
    yield webtest.TestApp(create_app(Settings(database_url=url, fetch_timeout=1)))
    store.database().close()


@pytest.mark.parametrize("dialect", fuzzing.DIALECTS)
def test_hostile_requests_keep_every_invariant(sqlite_app, dialect, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise OSError("the fuzz suite makes no outside connections")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    corpus = fuzzing.corpus(dialect)
    assert corpus.seeds, f"no conformance cases for {dialect}"
    records = fuzzing.Records()
    root = logging.getLogger()
    root.addHandler(records)
    level = root.level
    root.setLevel(logging.INFO)
    problems: list[str] = []
    sent = [0]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(request=fuzzing.hostile_request(corpus))
    def one(request):
        sent[0] += 1
        before, lines = fuzzing.changes(), len(records.lines)
        try:
            response = sqlite_app.request(request.path, method=request.method, headers=request.headers,
                                          body=request.body, expect_errors=True)
            status, body = response.status_int, response.body
        except Exception as exc:  # noqa: BLE001 - a request the WSGI stack could not even answer
            status, body = 599, repr(exc).encode()
        written = fuzzing.changes() - before
        problems.extend(fuzzing.findings(dialect, request, status, body, written, records.lines[lines:],
                                         corpus.secrets))

    started = time.monotonic()
    try:
        one()
    finally:
        root.removeHandler(records)
        root.setLevel(level)
    elapsed = time.monotonic() - started
    # The server answers after: a health probe and the dialect's first seed as it is.
    assert sqlite_app.get("/healthz").status_int == 200
    first = corpus.seeds[0]
    assert sqlite_app.request(first.path, method=first.method, headers=first.headers, body=first.body,
                              expect_errors=True).status_int < 500
    line = f"{dialect}: {sent[0]} requests, {elapsed:.0f} s, {len(problems)} findings"
    print(line)
    if SUMMARY:
        with open(SUMMARY, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    assert sent[0] >= EXAMPLES * 0.9, line
    assert not problems, "\n".join(problems[:20])
