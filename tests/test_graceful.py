"""SIGTERM and SIGHUP on the real server, under a bulk import and a stream of single-contact requests."""
from __future__ import annotations

import http.client
import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import orjson
import pytest

from core.schema import Contact, Job
from esputnik_http import await_import, live
from processes import Gateway, HeldForm, server_env

pytestmark = pytest.mark.slow


def post_form(gateway, form: dict, timeout=60) -> dict:
    request = urllib.request.Request(gateway.base_url + "/en/api/importContacts?format=json",
                                     data=urllib.parse.urlencode(form).encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return orjson.loads(response.read())


class Stream:
    """Threads sending one-contact imports one after another, sorting every outcome."""

    def __init__(self, gateway, key, threads=2):
        self.gateway, self.key = gateway, key
        self.answered, self.refused, self.dropped = [], [], []
        self.running = True
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for thread in self.threads:
            thread.join()

    def _run(self, n):
        i = 0
        while self.running:
            email = f"stream{n}-{i}@example.com"
            i += 1
            try:
                answer = post_form(self.gateway, {"api_key": self.key, "field_names[0]": "email", "data[0][0]": email})
                assert answer["result"]["inserted"] == 1, answer
                self.answered.append(email)
            except urllib.error.URLError as exc:
                # Refused at connect: no server listens, nothing was sent, so nothing was lost.
                (self.refused if isinstance(exc.reason, ConnectionRefusedError) else self.dropped).append((email, exc))
                time.sleep(0.02)
            except (http.client.HTTPException, ConnectionError, TimeoutError) as exc:
                self.dropped.append((email, exc))  # accepted, then cut off: a request the client lost


def done(job_id: str) -> int:
    row = Job.get_or_none(Job.id == job_id)
    return int((row.progress or {}).get("done", 0)) if row else 0


def test_sigterm_drains_requests_and_hands_the_import_back(store_url, account, tmp_path):
    # A lease far longer than the test: the import can only resume quickly if it was handed back.
    env = server_env(store_url, tmp_path, JOB_LEASE_SECONDS="600", IMPORT_CHUNK_SIZE="20")
    gateway = Gateway(env).start()
    contacts = [{"channels": [{"type": "email", "value": f"bulk{i}@example.com"}]} for i in range(3000)]
    session = live(gateway, account.key, "POST", "contacts", {"dedupeOn": "email", "contacts": contacts})[
        "asyncSessionId"]

    # A 500-row request (Unisender's most) whose body is still arriving when SIGTERM does.
    rows = {f"data[{i}][0]": f"slow{i}@example.com" for i in range(500)}
    slow_body = urllib.parse.urlencode({"api_key": account.key, "field_names[0]": "email", **rows}).encode()
    slow = {}

    try:
        with Stream(gateway, account.key) as stream:
            deadline = time.monotonic() + 60
            while done(session) == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            held = HeldForm(gateway.port, "/en/api/importContacts?format=json", slow_body)
            time.sleep(0.05)
            answered_before = len(stream.answered)
            signalled_at = time.monotonic()
            os.kill(gateway.process.pid, signal.SIGTERM)  # the master, as systemd or Kubernetes would
            time.sleep(0.1)
            status, body = held.finish()
            slow["answered_at"] = time.monotonic()
            assert status.startswith(b"HTTP/1.1 200"), (status, body)
            slow["answer"] = orjson.loads(body)
            gateway.process.wait(timeout=90)
            time.sleep(0.3)
    finally:
        gateway.kill()
    output = gateway.output()
    interrupted_at = done(session)
    job = Job.get_by_id(session)
    print(f"stream: {len(stream.answered)} answered ({answered_before} before SIGTERM), {len(stream.refused)} "
          f"refused after the listener closed, {len(stream.dropped)} dropped; import stopped at {interrupted_at}")
    assert not stream.dropped, stream.dropped[:5]
    assert slow["answer"]["result"]["inserted"] == 500 and slow["answered_at"] > signalled_at, slow
    assert job.state == "queued" and job.lease_until is None, (job.state, output[-3000:])  # handed back
    assert 0 < interrupted_at < 3000
    assert '"result":"interrupted"' in output
    assert Contact.select().where(Contact.email.startswith("bulk")).count() == interrupted_at

    gateway = Gateway(env).start()
    try:
        status = await_import(gateway, account.key, session, 60)
        assert status["status"] == "FINISHED", (status, gateway.output()[-3000:])
    finally:
        gateway.stop()
    assert Contact.select().where(Contact.email.startswith("bulk")).count() == 3000
    stored = {c.email for c in Contact.select(Contact.email).where(Contact.email.startswith("stream"))}
    assert stored == set(stream.answered)  # every answered request stored, nothing else
    assert "Traceback" not in output


def test_sighup_replaces_the_workers_without_dropping_a_request(store_url, account, tmp_path):
    gateway = Gateway(server_env(store_url, tmp_path)).start()
    try:
        with Stream(gateway, account.key, threads=3) as stream:
            time.sleep(1)
            before = len(stream.answered)
            os.kill(gateway.process.pid, signal.SIGHUP)
            deadline = time.monotonic() + 30
            while gateway.output().count("Booting worker") < 4 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.5)  # the new workers answer
    finally:
        gateway.stop()
    output = gateway.output()
    print(f"stream: {len(stream.answered)} answered ({before} before SIGHUP), {len(stream.refused)} refused, "
          f"{len(stream.dropped)} dropped")
    assert output.count("Booting worker") >= 4, output[-3000:]  # two at start, two after the reload
    assert not stream.dropped and not stream.refused, (stream.dropped + stream.refused)[:5]
    assert len(stream.answered) > before
    stored = {c.email for c in Contact.select(Contact.email).where(Contact.email.startswith("stream"))}
    assert stored == set(stream.answered)
