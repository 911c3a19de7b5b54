"""Running the app under gunicorn (several workers) beside a job worker process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from gunicorn.app.base import BaseApplication

from core import db as store


class GatewayServer(BaseApplication):
    def __init__(self, bind: str, workers: int, timeout: int = 60):
        self.options = {"bind": bind, "workers": workers, "timeout": timeout, "accesslog": "-",
                        "worker_class": "sync", "graceful_timeout": 10}
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .app import wsgi

        return wsgi()


def start_worker(threads: int = 2) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gateway.cli", "worker", "--threads", str(threads)],
                            env=os.environ.copy())


def serve(bind: str, workers: int, with_worker: bool = True) -> None:
    # The master must not hand its store connection to forked workers.
    store.database().close()
    worker = start_worker() if with_worker else None
    try:
        GatewayServer(bind, workers).run()
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
