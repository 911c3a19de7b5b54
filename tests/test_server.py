"""The real thing: `contact-gateway serve` with several gunicorn workers over one store."""
from __future__ import annotations

import re
import subprocess
import sys
import time
import threading
import urllib.parse
import urllib.request

import orjson
import pytest

from pathlib import Path

from processes import Gateway, server_env

pytestmark = pytest.mark.slow


def post(base_url: str, path: str, form: dict | str) -> dict:
    body = form if isinstance(form, str) else urllib.parse.urlencode(form)
    request = urllib.request.Request(base_url + path, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return orjson.loads(response.read())


def test_first_start_prints_a_key_and_a_curl_that_works(tmp_path):
    gateway = Gateway({"LOG_DIR": str(tmp_path)}, cwd=tmp_path).start()
    try:
        output = gateway.output()
        key = re.search(r"Its API key: ([0-9a-f]{32})", output).group(1)
        curl = re.search(r"curl -s '(\S+)' -d '(\S+)'", output)
        assert curl, output
        answer = post(gateway.base_url, curl.group(1).split(str(gateway.port), 1)[1], curl.group(2))
        # The demo account is a fresh account of every vendor: the printed import names Unisender's Name.
        assert "field_names[1]=Name" in curl.group(2)
        assert answer["result"]["inserted"] == 1 and answer["result"]["log"] == []
        assert (tmp_path / "var" / "contact-gateway.db").exists()
        assert key in curl.group(2)
    finally:
        gateway.stop()
    # A second start finds the account and creates no other.
    gateway = Gateway({"LOG_DIR": str(tmp_path)}, cwd=tmp_path).start()
    try:
        assert "Created the demo account" not in gateway.output()
    finally:
        gateway.stop()


def test_several_workers_share_one_store(store_url, account, tmp_path):
    gateway = Gateway(server_env(store_url, tmp_path), workers=3).start()
    failures, answers = [], []

    def run(offset: int):
        pairs = [("api_key", account.key), ("field_names[0]", "email")]
        pairs += [(f"data[{i}][0]", f"w{(offset + i) % 400}@example.com") for i in range(200)]
        try:
            answers.append(post(gateway.base_url, "/en/api/importContacts?format=json", urllib.parse.urlencode(pairs)))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    try:
        threads = [threading.Thread(target=run, args=(offset,)) for offset in (0, 100, 200, 300, 50, 150)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures, failures
        assert all("result" in a for a in answers), answers
        total = sum(a["result"]["inserted"] for a in answers)
        assert total == 400
        count = post(gateway.base_url, "/en/api/getTotalContactsCount", {"api_key": account.key, "login": "x"})
        assert count == {"result": {"total": 400}}
    finally:
        gateway.stop()
    assert not gateway.tracebacks(), gateway.tracebacks()


def test_async_export_runs_in_the_worker_process(store_url, account, tmp_path):
    env = server_env(store_url, tmp_path)
    gateway = Gateway(env).start()
    try:
        post(gateway.base_url, "/en/api/importContacts", {"api_key": account.key, "field_names[0]": "email",
                                                          "data[0][0]": "a@example.com"})
        task = post(gateway.base_url, "/en/api/async/exportContacts", {"api_key": account.key})["result"]
        for _ in range(150):
            result = post(gateway.base_url, "/en/api/async/getTaskResult",
                          {"api_key": account.key, "task_uuid": task["task_uuid"]})["result"]
            if result["status"] == "completed":
                break
            time.sleep(0.2)
        assert result["status"] == "completed", gateway.output()
        url = result["file_to_download"]
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read().decode().splitlines()[1].startswith("a@example.com,")
    finally:
        gateway.stop()


def test_serve_help_lists_the_commands():
    script = Path(sys.executable).with_name("contact-gateway")
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True).stdout
    for command in ("serve", "worker", "migrate", "accounts", "suppression", "setup"):
        assert command in out
