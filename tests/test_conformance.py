"""Every conformance case (one documented example per file) replayed in-process on each backend."""
from __future__ import annotations

import pytest

from conformance.runner import InProcess, load_cases, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, store_url):
    if case.skip:
        pytest.skip(f"not replayable: {case.skip}")
    from gateway.app import create_app
    from gateway.config import Settings

    outcome = run_case(case, InProcess(create_app(Settings(database_url=store_url))))
    assert outcome.ok, "\n".join(outcome.failures)
