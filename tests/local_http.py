"""A local HTTP server for tests in which the gateway fetches something: answers by path, a request log."""
from __future__ import annotations

import http.server
import threading
from contextlib import contextmanager


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.seen.append((self.path, self.headers))
        answer = self.server.routes.get(self.path)
        if callable(answer):
            answer(self)
            return
        self.send_response(404 if answer is None else 200)
        body = answer or b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def redirect(host: str, path: str):
    """An answer that sends the client to the same port on `host`."""
    def answer(handler):
        handler.send_response(302)
        handler.send_header("Location", f"http://{host}:{handler.server.server_address[1]}{path}")
        handler.end_headers()
    return answer


@contextmanager
def serving(routes: dict):
    """(base URL, server) of a threaded server answering `routes` (path -> bytes or answer(handler));
    `server.seen` lists (path, headers) of every request."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.routes, server.seen = routes, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()
