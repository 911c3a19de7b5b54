"""A local webhook endpoint for tests: records every POST, checks its signature, can fail on purpose."""
from __future__ import annotations

import http.server
import threading
import time
from contextlib import contextmanager

import orjson

from gateway.delivery.signing import verify


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        with server.lock:
            server.calls += 1
            status = server.answer(server.calls)
        server.in_flight.set()
        time.sleep(server.delay)  # a slow endpoint: time for a test to kill the sender mid-request
        with server.lock:
            server.received.append({"delivery": self.headers.get("X-Contact-Gateway-Delivery"), "status": status,
                                    "signed": verify(server.secret, body, self.headers.get("X-Contact-Gateway-Signature")),
                                    "content_type": self.headers.get("Content-Type"), "body": orjson.loads(body)})
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Receiver:
    def __init__(self, server):
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/hook"

    def set_secret(self, secret: str) -> None:
        self.server.secret = secret

    @property
    def received(self) -> list[dict]:
        with self.server.lock:
            return list(self.server.received)

    def accepted(self) -> dict[str, dict]:
        """The deliveries answered 2xx, by delivery id (a repeat of an accepted one counts once)."""
        return {r["delivery"]: r for r in self.received if 200 <= r["status"] < 300}

    def accepted_events(self) -> list[dict]:
        """The events of accepted deliveries, de-duplicated by delivery id, in the order they were accepted."""
        return [e for r in self.accepted().values() for e in r["body"]["events"]]


@contextmanager
def receiving(answer=lambda n: 200, secret: str = "", delay: float = 0.0):
    """A Receiver on a free port; `answer(n)` gives the status of the n-th POST, sent after `delay` seconds."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.answer, server.secret, server.received, server.calls = answer, secret, [], 0
    server.delay, server.in_flight = delay, threading.Event()
    server.lock = threading.Lock()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Receiver(server)
    finally:
        server.shutdown()
        server.server_close()
