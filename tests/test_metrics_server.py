"""/metrics of the real server sums every process: two gunicorn workers and the job worker."""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

import helpers
from core import setup
from processes import Gateway, HeldForm, server_env

pytestmark = pytest.mark.slow


def call(gateway, method, path, body=None, headers=None, form=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else (orjson.dumps(body) if body is not None
                                                                           else None)
    headers = dict(headers or {})
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(gateway.base_url + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read()


def scrape(gateway, token=None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    _, text = call(gateway, "GET", "/metrics", headers=headers)
    samples = {}
    for family in text_string_to_metric_families(text.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(samples: dict, name: str, **labels) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


def per_process(folder: Path, name: str, **labels) -> dict[int, float]:
    """One metric's total in each process's own sample files (pid -> value)."""
    from prometheus_client.multiprocess import MultiProcessCollector

    result = {}
    for file in folder.glob("counter_*.db"):
        pid = int(file.stem.split("_")[-1])
        value = 0.0
        for family in MultiProcessCollector.merge([str(file)]):
            for sample in family.samples:
                if sample.name == name and set(labels.items()) <= set(sample.labels.items()):
                    value += sample.value
        result[pid] = value
    return result


def test_metrics_add_up_over_two_web_workers_and_the_job_worker(store_url, tmp_path):
    key = uuid.uuid4().hex
    setup.apply({"version": 1, "accounts": [{"name": f"metrics-{key[:8]}", "keys": [{"key": key}],
                                              "databases": [{"id": 1, "name": "Main", "attrs": {"profile_key": "PK1"}}]}]})
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left over from an earlier run")
    env = server_env(store_url, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(folder), METRICS_TOKEN="scrape-secret")
    basic = {"Authorization": helpers.basic("apiuser@example.com", key)}
    gateway = Gateway(env, workers=2).start()
    try:
        assert not (folder / "counter_1.db").exists()  # emptied on start
        with pytest.raises(urllib.error.HTTPError) as refused:
            call(gateway, "GET", "/metrics")
        assert refused.value.code == 401

        sent = 0

        def unisender(offset):
            rows = {f"data[{i}][0]": f"u{offset}-{i}@example.com" for i in range(100)}
            call(gateway, "POST", "/en/api/importContacts?format=json",
                 form={"api_key": key, "field_names[0]": "email", **rows})

        # The kernel, not the test, decides which worker accepts a connection, and on a loaded
        # machine one worker can take every request. So one import's body is held back: the worker
        # that accepted it is busy reading it, and the next imports can only reach the other one.
        rows = {f"data[{i}][0]": f"uheld-{i}@example.com" for i in range(100)}
        held = HeldForm(gateway.port, "/en/api/importContacts?format=json",
                        urllib.parse.urlencode({"api_key": key, "field_names[0]": "email", **rows}).encode())
        time.sleep(1)
        for n in range(4):
            unisender(sent + n)
        sent += 4
        assert held.finish()[0].startswith(b"HTTP/1.1 200")
        sent += 1
        # Rounds of concurrent imports in case the held one was accepted late.
        for _ in range(30):
            if sum(1 for value in per_process(folder, "contact_gateway_requests_total",
                                              dialect="unisender").values() if value) >= 2:
                break
            threads = [threading.Thread(target=unisender, args=(sent + n,)) for n in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            sent += len(threads)
        call(gateway, "POST", "/api/v1.1/profiles/import", {"token": key, "db_id": 1, "data": {"email": "a@example.com"}})
        call(gateway, "POST", "/api/v1/contact", {"channels": [{"type": "email", "value": "e@example.com"}]}, basic)
        call(gateway, "POST", "/v2/contacts", {"email": "d@example.com"}, basic)
        call(gateway, "POST", "/Contacts/SaveContact.Json/", {"ProfileKey": "PK1", "Contact": {"Email": "i@example.com"}},
             {"Authorization": key})
        contacts = [{"channels": [{"type": "email", "value": f"job{i}@example.com"}]} for i in range(120)]
        _, answer = call(gateway, "POST", "/api/v1/contacts", {"dedupeOn": "email", "contacts": contacts}, basic)
        session = orjson.loads(answer)["asyncSessionId"]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            _, status = call(gateway, "GET", f"/api/v1/importstatus/{session}", headers=basic)
            if orjson.loads(status)["status"] == "FINISHED":
                break
            time.sleep(0.3)
        samples = scrape(gateway, "scrape-secret")
    finally:
        gateway.stop()

    assert total(samples, "contact_gateway_requests_total", dialect="unisender", method="importContacts",
                 status="200") == sent
    for dialect, method in (("altcraft", "profiles/import"), ("esputnik", "POST contact"),
                            ("dotdigital", "POST /v2/contacts"), ("icomm", "SaveContact")):
        assert total(samples, "contact_gateway_requests_total", dialect=dialect, method=method) == 1, (dialect, samples)
    assert total(samples, "contact_gateway_items_total", dialect="unisender", outcome="created") == sent * 100
    assert total(samples, "contact_gateway_items_total", outcome="created") == sent * 100 + 4
    assert total(samples, "contact_gateway_request_duration_seconds_count", dialect="unisender") == sent
    assert total(samples, "contact_gateway_job_items_total", dialect="esputnik", outcome="created") == 120
    assert total(samples, "contact_gateway_jobs", dialect="esputnik", state="finished") == 1

    # Which process counted what: the scrape's figures are the sums of three processes' own files.
    requests = per_process(folder, "contact_gateway_requests_total", dialect="unisender")
    job_items = per_process(folder, "contact_gateway_job_items_total")
    web = {pid for pid, value in requests.items() if value > 0}
    worker = {pid for pid, value in job_items.items() if value > 0}
    print(f"unisender requests per web worker {sorted(requests.values())}, job items per process {job_items}")
    assert len(web) == 2 and sum(requests.values()) == sent
    assert len(worker) == 1 and not worker & web and sum(job_items.values()) == 120
