"""The real server killed (SIGKILL, whole process group) in the middle of a 3,000-contact import, then started again."""
from __future__ import annotations

import time

import pytest

from core.schema import Contact, Job, JobItem
from esputnik_http import await_import, live
from processes import Gateway, server_env

pytestmark = pytest.mark.slow


def done(job_id: str) -> int:
    row = Job.get_or_none(Job.id == job_id)
    return int((row.progress or {}).get("done", 0)) if row else 0


def test_a_killed_import_resumes_and_stores_every_contact_once(store_url, account, tmp_path):
    env = server_env(store_url, tmp_path, JOB_LEASE_SECONDS="2", IMPORT_CHUNK_SIZE="50")
    contacts = [{"channels": [{"type": "email", "value": f"crash{i}@example.com"}], "firstName": f"N{i}"}
                for i in range(3000)]
    gateway = Gateway(env).start()
    try:
        started = time.monotonic()
        answer = live(gateway, account.key, "POST", "contacts", {"dedupeOn": "email", "contacts": contacts})
        assert time.monotonic() - started < 10  # answered at once; the import runs in the worker
        session = answer["asyncSessionId"]
        deadline = time.monotonic() + 60
        while done(session) == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        gateway.kill()  # master, web workers and the job worker, mid-import
    finally:
        gateway.kill()
    interrupted_at = done(session)
    print(f"interrupted after {interrupted_at} contacts")
    assert 0 < interrupted_at < 3000, f"not interrupted mid-import ({interrupted_at}):\n{gateway.output()}"
    assert Contact.select().count() == interrupted_at  # committed chunks only, nothing half-written

    gateway = Gateway(env).start()
    try:
        status = await_import(gateway, account.key, session, 90)
        assert status["status"] == "FINISHED", (status, gateway.output())
    finally:
        gateway.stop()
    emails = [c.email for c in Contact.select(Contact.email)]
    assert len(emails) == 3000 and len(set(emails)) == 3000
    positions = [i.position for i in JobItem.select(JobItem.position).where(JobItem.job == session)]
    assert sorted(positions) == list(range(3000))
    mapping = status["mapping"]
    assert len(mapping) == 3000 and len({m["contactId"] for m in mapping}) == 3000
    assert {m["dedupeValue"] for m in mapping} == set(emails)
    assert Job.get_by_id(session).attempts >= 2
    assert not gateway.tracebacks(), gateway.tracebacks()
