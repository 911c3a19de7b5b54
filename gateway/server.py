"""Running the app under gunicorn (several workers) beside a job worker process, and stopping both gracefully.

SIGTERM: gunicorn stops accepting, lets each web worker finish its request (GRACEFUL_TIMEOUT),
and the job worker ends after the chunk it is committing, hands its job back and exits.
SIGHUP: gunicorn starts new web workers and retires the old ones once their request is done
(the listening socket stays open throughout), and the job worker restarts the same way.
"""
from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gunicorn import arbiter, glogging
from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker

from core import db as store

from . import logs

log = logging.getLogger("contact_gateway.server")


class GunicornLogger(glogging.Logger):
    """gunicorn's own messages through the gateway's handler and format; its access log is replaced by
    the gateway's request line (gateway.observe), which has the request id and leaves out the query string."""

    def setup(self, cfg):
        super().setup(cfg)
        logs.configure("json")

    def access(self, resp, req, environ, request_time):
        pass


class Arbiter(arbiter.Arbiter):
    """gunicorn's master, which on SIGTERM lets no connection the kernel accepted go unanswered.

    Closing a listening socket resets every connection still waiting in its accept queue, and
    gunicorn closes it while workers are busy. So first the socket takes no new connection (a
    socket filter drops incoming handshakes: a client retries, then finds it refused, having sent
    nothing), the workers answer what is queued, and only then is it shut down, for every process
    at once, before they are told to finish their last requests and exit.
    """

    def stop(self, graceful=True):
        self.app.stop_job_worker()  # it ends its chunk while the web workers drain
        if graceful:
            _drain(self.LISTENERS, time.monotonic() + 10)
        for listener in self.LISTENERS:
            try:
                listener.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        super().stop(graceful)


_DROP_ALL = struct.pack("HBBI", 0x06, 0, 0, 0)  # classic BPF "ret #0": accept no packet
SO_ATTACH_FILTER = 26


def _drain(listeners, deadline: float) -> None:
    """Stop new handshakes on the listening sockets and wait until their accept queues are empty."""
    program = ctypes.create_string_buffer(_DROP_ALL)
    for listener in listeners:
        if listener.sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                listener.sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER,
                                         struct.pack("HL", 1, ctypes.addressof(program)))
            except OSError:
                return  # no socket filters here: fall back to gunicorn's own way
    while time.monotonic() < deadline and any(_queued(listener.sock) for listener in listeners):
        time.sleep(0.01)


def _queued(sock) -> int:
    """Connections waiting in a listening TCP socket's accept queue (tcp_info.tcpi_unacked)."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return 0
    return struct.unpack_from("I", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104), 24)[0]


class Worker(SyncWorker):
    """gunicorn's sync worker, for whom a socket shut down by the master means "stop", not a crash."""

    def accept(self, listener):
        try:
            super().accept(listener)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            self.alive = False
            raise BlockingIOError(errno.EAGAIN, "the listening socket was shut down") from None


# Request line and header limits: 8,190 bytes, gunicorn's largest bounded line and the 8 KB buffer
# of the nginx the vendors answer behind, so a form-array GET a vendor took is taken here too
# (gunicorn's default line limit, 4,094, cut Unisender GETs of ~8 KB). Beyond them gunicorn
# itself answers 414 (line) or 431 (a header), in its own short text: no dialect code runs yet.
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELD_SIZE = 8190


class GatewayServer(BaseApplication):
    def __init__(self, bind: str, workers: int, worker=None, timeout: int = 60):
        self.job_worker = worker
        self.options = {"bind": bind, "workers": workers, "timeout": timeout, "accesslog": None,
                        "logger_class": GunicornLogger, "worker_class": "gateway.server.Worker",
                        "graceful_timeout": int(os.environ.get("GRACEFUL_TIMEOUT") or 30),
                        "child_exit": _web_worker_exited, "on_reload": self._reload_job_worker,
                        "limit_request_line": LIMIT_REQUEST_LINE,
                        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE}
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)  # one fixed path per user; several servers would clash

    def run(self):
        Arbiter(self).run()

    def load(self):
        from .app import wsgi

        return wsgi()

    def stop_job_worker(self) -> None:
        if self.job_worker is not None and self.job_worker.poll() is None:
            self.job_worker.send_signal(signal.SIGTERM)

    def _reload_job_worker(self, server):
        if self.job_worker is not None and self.job_worker.poll() is None:
            self.job_worker.send_signal(signal.SIGHUP)  # huey restarts after its running tasks end


def _web_worker_exited(server, worker):
    _process_died(worker.pid)


def _process_died(pid: int) -> None:
    """prometheus_client's bookkeeping for a process that exited: its live gauges stop counting, its
    counters stay in the sums. (The master only reads the folder; it never records samples itself.)"""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)


def start_worker(threads: int = 2) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gateway.cli", "worker", "--threads", str(threads)],
                            env=os.environ.copy())


def prepare_metrics_dir() -> Path | None:
    """PROMETHEUS_MULTIPROC_DIR for every process of this server, emptied of an earlier run's files;
    a temporary folder (removed on exit) when the operator named none. Returns the folder to remove.

    Runs before any process of the server imports prometheus_client, which reads it on import.
    """
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="contact-gateway-metrics-"))
    if given and folder.exists():
        for stale in folder.glob("*.db"):
            stale.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder.resolve())
    return None if given else folder


def serve(bind: str, workers: int, with_worker: bool = True) -> None:
    temporary = prepare_metrics_dir()
    # The master must not hand its store connection to forked workers.
    store.database().close()
    worker = start_worker() if with_worker else None
    master = os.getpid()
    try:
        GatewayServer(bind, workers, worker).run()
    finally:
        # Web workers are forked inside run() and leave through this block too: only the master cleans up.
        if os.getpid() == master:
            _stop(worker, temporary)


def _stop(worker: subprocess.Popen | None, temporary: Path | None) -> None:
    if worker is not None:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=int(os.environ.get("GRACEFUL_TIMEOUT") or 30))
        except subprocess.TimeoutExpired:
            log.warning("the job worker did not stop in time; killing it (its job resumes after its lease)")
            worker.kill()
            worker.wait()
        _process_died(worker.pid)
    if temporary is not None:
        shutil.rmtree(temporary, ignore_errors=True)
