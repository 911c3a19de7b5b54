"""Starting the real gateway (gunicorn + job worker) as a child process for end-to-end tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args, env: dict, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "gateway.cli", *args], cwd=ROOT, env={**os.environ, **env},
                            capture_output=True, text=True, input=input, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"contact-gateway {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


class HeldForm:
    """A form POST sent but for its last bytes: the worker that accepted it stays busy reading it."""

    def __init__(self, port: int, path: str, body: bytes):
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.sock.sendall(head + body[:-10])
        self.rest = body[-10:]

    def finish(self) -> tuple[bytes, bytes]:
        """Send the last bytes; (status line, body) of the whole answer."""
        self.sock.sendall(self.rest)
        answer = b""
        while chunk := self.sock.recv(65536):
            answer += chunk
        self.sock.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        return head.split(b"\r\n")[0], body


def server_env(store_url: str, tmp_path: Path, **extra: str) -> dict:
    """The environment of a gateway process on a test's store, logging into tmp_path; a SQLite store
    gets a queue file there (the tests' own in-memory queue lives in the test process only)."""
    env = {"DATABASE_URL": store_url, "LOG_DIR": str(tmp_path), **extra}
    if store_url.startswith("sqlite"):
        env["QUEUE_URL"] = f"sqlite:///{tmp_path}/queue.db"
    return env


class Gateway:
    """`contact-gateway serve` in its own process group, so a test can kill all of it at once."""

    def __init__(self, env: dict, workers: int = 2, cwd: Path = ROOT):
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.env.pop("QUEUE_URL", None) if env.get("QUEUE_URL") is None else None
        self.workers = workers
        self.cwd = cwd
        self.process: subprocess.Popen | None = None
        self.log = Path(env.get("LOG_DIR", "/tmp")) / f"gateway-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "Gateway":
        handle = open(self.log, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "serve", "--bind", f"127.0.0.1:{self.port}", "--workers",
             str(self.workers)], cwd=self.cwd, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base_url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gateway did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tracebacks(self) -> list[str]:
        """Each traceback in the output with the line before it, whole (an assertion shows what failed)."""
        text = self.output()
        found, start = [], text.find("Traceback")
        while start != -1:
            end = text.find("Traceback", start + 1)
            found.append(text[max(0, text.rfind("\n", 0, max(0, start - 1)) + 1):end if end != -1 else None][:6000])
            start = end
        return found

    def kill(self) -> None:
        """SIGKILL the whole process group: master, web workers and job worker, mid-whatever."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
