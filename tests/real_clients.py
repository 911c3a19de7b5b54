"""Shared by the real-client tests: the gateway on a real socket, and installing and running clients.

Clients are installed at test time into a temporary or gitignored folder; `REQUIRE_CLIENTS=1`
(set by .ci/run) turns "cannot install or run" into a failure instead of a skip.
"""
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


def unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"real client required (REQUIRE_CLIENTS=1) but {reason}")
    pytest.skip(reason)


class _Handler(WSGIRequestHandler):
    def parse_request(self):
        # http.server turns a leading '//' into '/'; gunicorn, which serves the gateway, passes the
        # request target on as sent, and so does this test server.
        parsed = super().parse_request()
        if parsed and len(words := self.requestline.split()) >= 2:
            self.path = words[1]
        return parsed

    def log_message(self, *args):
        pass


@pytest.fixture
def live_url(store_url):
    """The gateway's WSGI app on a real socket, for clients that speak HTTP."""
    from gateway.app import create_app
    from gateway.config import Settings

    server = make_server("127.0.0.1", 0, create_app(Settings(database_url=store_url)), handler_class=_Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def npm_install(folder: Path) -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node/npm are not installed")
    if (folder / "node_modules").exists():
        return
    result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        unavailable(f"npm could not install the client: {result.stderr[-500:]}")


def interpreter(version: str, why: str) -> str:
    """A Python `version` (e.g. "2.7", "3.9") from pyenv or the PATH, else skip (fail when required)."""
    for candidate in sorted(Path(os.path.expanduser("~/.pyenv/versions")).glob(f"{version}.*/bin/python")):
        return str(candidate)
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", "1"], capture_output=True).returncode == 0:
        return found
    unavailable(f"no Python {version} interpreter ({why})")


def pip_install(python: str, folder: Path, target: Path, no_deps: bool = False) -> Path:
    """Install folder/requirements.txt with `python`'s pip into `target` (for PYTHONPATH).

    no_deps: the file pins every package itself, for clients whose declared requirements cannot be
    met together (pip would pull in versions the client never ran with).
    """
    result = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target",
                             str(target), *(["--no-deps"] if no_deps else []), "-r", str(folder / "requirements.txt")],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        unavailable(f"pip could not install the clients: {result.stderr[-500:]}")
    return target


def run_driver(command: list[str], folder: Path, env: dict) -> list[dict]:
    """Run a driver script; its stdout is one JSON object per line."""
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]
