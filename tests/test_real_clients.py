"""Real client libraries named in the vendor notes, run against the gateway with only the base URL changed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

CLIENTS = Path(__file__).resolve().parent / "clients"
REQUIRE = os.environ.get("REQUIRE_CLIENTS") == "1"


def _unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"real client required (REQUIRE_CLIENTS=1) but {reason}")
    pytest.skip(reason)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def live_url(store_url):
    """The gateway's WSGI app on a real socket, for clients that speak HTTP."""
    from gateway.app import create_app
    from gateway.config import Settings

    server = make_server("127.0.0.1", 0, create_app(Settings(database_url=store_url)), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def npm_install(folder: Path) -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        _unavailable("node/npm are not installed")
    if (folder / "node_modules").exists():
        return
    result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        _unavailable(f"npm could not install the client: {result.stderr[-500:]}")


def test_npm_unisender_client(live_url, account):
    folder = CLIENTS / "unisender-npm"
    npm_install(folder)
    result = subprocess.run(["node", "run.js"], cwd=folder, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "GATEWAY_URL": live_url, "GATEWAY_KEY": account.key})
    assert result.returncode == 0, result.stderr
    calls = {line["call"]: line for line in map(json.loads, result.stdout.splitlines())}
    assert calls["createList"]["res"] == {"result": {"id": 1}}
    assert calls["getLists"]["res"] == {"result": [{"id": 1, "title": "From npm"}]}
    assert calls["importContacts"]["res"]["result"] == {
        "total": 3, "inserted": 2, "updated": 0, "deleted": 0, "new_emails": 2, "invalid": 1,
        "log": [{"index": 2, "code": "e_email_invalid", "message": "Invalid email format"}]}
    assert isinstance(calls["subscribe"]["res"]["result"]["person_id"], int)
    # The client resolves only truthy results: an empty object is one.
    for name in ("exclude", "unsubscribe"):
        assert calls[name] == {"call": name, "ok": True, "res": {"result": {}}}
    assert calls["exportContacts"]["res"]["result"] == {
        "field_names": ["email", "Name"],
        "data": [["test1@example.com", "Иван Тест"], ["a+b@example.com", "x&y=z"], ["sub@example.com", "Sub"]]}
    assert [f["name"] for f in calls["getFields"]["res"]["result"]] == ["Name"]
    assert calls["getTags"]["res"] == {"result": []}
    assert calls["wrongKey"]["ok"] is False
    assert calls["wrongKey"]["err"]["code"] == "invalid_api_key"


def python2() -> str:
    for candidate in sorted(Path(os.path.expanduser("~/.pyenv/versions")).glob("2.7*/bin/python")):
        return str(candidate)
    found = shutil.which("python2.7") or shutil.which("python2")
    if found and subprocess.run([found, "-c", "1"], capture_output=True).returncode == 0:
        return found
    _unavailable("no Python 2.7 interpreter (py-unisender and pyunisend are Python 2 only)")


def pip2_install(folder: Path, tmp: Path) -> Path:
    target = tmp / "py2-packages"
    result = subprocess.run([python2(), "-m", "pip", "install", "-q", "--target", str(target), "-r",
                             str(folder / "requirements.txt")], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        _unavailable(f"pip (Python 2) could not install the clients: {result.stderr[-500:]}")
    return target


def test_python2_unisender_clients(live_url, account, tmp_path):
    from core import catalog

    for number in (1, 2):
        catalog.create_list(account.id, f"L{number}", number=number)
    catalog.create_field(account.id, "Name")
    folder = CLIENTS / "unisender-py2"
    packages = pip2_install(folder, tmp_path)
    result = subprocess.run([python2(), "run.py"], cwd=folder, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "GATEWAY_URL": live_url, "GATEWAY_KEY": account.key,
                                 "PYTHONPATH": str(packages)})
    assert result.returncode == 0, result.stderr
    calls = {line["call"]: line["res"] for line in map(json.loads, result.stdout.splitlines())}
    assert calls["py-unisender importContacts"]["result"] == {
        "total": 2, "inserted": 2, "updated": 0, "deleted": 0, "new_emails": 2, "invalid": 0, "log": []}
    assert calls["py-unisender getLists"]["result"] == [{"id": 1, "title": "L1"}, {"id": 2, "title": "L2"}]
    assert isinstance(calls["pyunisend subscribe"]["result"]["person_id"], int)
    contact = calls["pyunisend getContact"]["result"]
    assert contact["fields"] == {"Name": "N"} and [m["id"] for m in contact["lists"]] == [1, 2]
    assert isinstance(calls["pyunisend dry subscribe"]["result"]["person_id"], int)
    assert calls["pyunisend dry getContact"]["code"] == "unspecified"  # test_mode wrote nothing
    assert calls["pyunisend wrong key"]["code"] == "invalid_api_key"
