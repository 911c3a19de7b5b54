"""Outward HTTP (gateway/outbound.py): credentials never follow a redirect to another host, capped
downloads, and the connected address checked when private addresses are blocked."""
from __future__ import annotations

import socket

import pytest

from gateway import outbound
from local_http import redirect, serving


@pytest.fixture
def server():
    routes = {"/file": b"x" * 5000, "/hop/same": redirect("127.0.0.1", "/file"),
              "/hop/other": redirect("localhost", "/file")}
    with serving(routes) as (base, httpd):
        yield base.removeprefix("http://"), httpd


def test_credentials_go_to_their_host_only(server):
    host, httpd = server
    outbound.download(f"http://u:p@{host}/hop/same", 10_000)
    outbound.download(f"http://u:p@{host}/hop/other", 10_000)
    auth = [headers["Authorization"] for _, headers in httpd.seen]
    assert auth[0] and auth[1] == auth[0]  # the same host after the redirect: still sent
    assert auth[2] == auth[0] and auth[3] is None  # another host: dropped


def test_downloads_stop_at_the_cap(server):
    host, _ = server
    assert len(outbound.download(f"http://{host}/file", 5000)) == 5000
    with pytest.raises(outbound.OutboundRefused, match="larger than 4999 bytes"):
        outbound.download(f"http://{host}/file", 4999)


def test_the_connected_address_is_checked_when_blocking(server, monkeypatch):
    host, _ = server
    with socket.create_connection(tuple(host.split(":"))) as sock:
        outbound._check_peer(sock)  # not blocking: fine
        monkeypatch.setenv("OUTBOUND_BLOCK_PRIVATE", "1")
        with pytest.raises(outbound.OutboundRefused, match="non-public addresses"):
            outbound._check_peer(sock)
    with pytest.raises(outbound.OutboundRefused, match="not a public address"):
        outbound.download(f"http://{host}/file", 10_000)
