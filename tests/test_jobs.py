"""Job machinery: leases, recovery of forgotten or orphaned jobs, chunked imports that resume."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core import jobs
from core.model import ContactChange, UpsertCommand
from core.normalize import now
from core.schema import Contact, Job


def chunks(start: int = 0):
    for index in range(5):
        items = [ContactChange(identities={"email": f"j{index * 100 + k}@example.com"}) for k in range(100)]
        yield index * 100, UpsertCommand(items=items)


def test_a_crashed_import_resumes_after_its_last_committed_chunk(account):
    job = jobs.create(account.id, "test.import", {})
    claimed = jobs.claim(job.id)
    assert jobs.claim(job.id) is None  # a live lease keeps other workers off

    def crashing():
        for number, chunk in enumerate(chunks()):
            if number == 3:
                raise RuntimeError("worker killed")
            yield chunk

    with pytest.raises(RuntimeError):
        jobs.run_chunks(claimed, crashing())
    assert Contact.select().count() == 300
    assert job.id not in jobs.stale()  # the lease is still running
    Job.update(lease_until=now() - timedelta(seconds=1)).where(Job.id == job.id).execute()
    assert job.id in jobs.stale()
    again = jobs.claim(job.id)
    assert again.attempts == 2 and again.progress["done"] == 300
    jobs.run_chunks(again, chunks())
    jobs.finish(job.id, {"ok": True})
    assert Contact.select().count() == 500
    items = jobs.items(job.id)
    assert [i.position for i in items] == list(range(500))
    assert {i.outcome for i in items} == {"created"}
    assert jobs.get(account.id, job.id).state == "finished"


def test_queued_jobs_the_queue_forgot_are_found(account):
    job = jobs.create(account.id, "test.import", {})
    assert job.id not in jobs.stale()
    Job.update(updated_at=now() - timedelta(minutes=1)).where(Job.id == job.id).execute()
    assert job.id in jobs.stale()
    jobs.fail(job.id, "no")
    assert job.id not in jobs.stale()


def test_another_accounts_job_is_not_found(account):
    from core import accounts
    from core.errors import CoreError

    job = jobs.create(account.id, "test.import", {})
    other = accounts.create_account("other")
    with pytest.raises(CoreError):
        jobs.get(other.id, job.id)
