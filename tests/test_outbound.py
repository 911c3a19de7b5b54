"""Outward HTTP (gateway/outbound.py): credentials never follow a redirect to another host, capped
downloads, and the connected address checked when private addresses are blocked."""
from __future__ import annotations

import http.server
import socket
import threading

import pytest

from gateway import outbound


class Server(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):
        Server.seen.append((self.headers.get("Host"), self.headers.get("Authorization")))
        if self.path.startswith("/hop"):
            port = self.server.server_address[1]
            self.send_response(302)
            self.send_header("Location", f"http://{self.path.split('/')[2]}:{port}/file")
            self.end_headers()
            return
        body = b"x" * 5000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def port():
    Server.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_credentials_go_to_their_host_only(port):
    outbound.download(f"http://u:p@127.0.0.1:{port}/hop/127.0.0.1", 10_000)
    outbound.download(f"http://u:p@127.0.0.1:{port}/hop/localhost", 10_000)
    auth = [a for _, a in Server.seen]
    assert auth[0] and auth[1] == auth[0]  # the same host after the redirect: still sent
    assert auth[2] == auth[0] and auth[3] is None  # another host: dropped


def test_downloads_stop_at_the_cap(port):
    assert len(outbound.download(f"http://127.0.0.1:{port}/file", 5000)) == 5000
    with pytest.raises(outbound.OutboundRefused, match="larger than 4999 bytes"):
        outbound.download(f"http://127.0.0.1:{port}/file", 4999)


def test_the_connected_address_is_checked_when_blocking(port, monkeypatch):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        outbound._check_peer(sock)  # not blocking: fine
        monkeypatch.setenv("OUTBOUND_BLOCK_PRIVATE", "1")
        with pytest.raises(outbound.OutboundRefused, match="non-public addresses"):
            outbound._check_peer(sock)
    with pytest.raises(outbound.OutboundRefused, match="not a public address"):
        outbound.download(f"http://127.0.0.1:{port}/file", 10_000)
