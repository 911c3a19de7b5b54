"""Calls the gateway makes to the outside (notify URLs, files to import): schemes, time-outs, size caps.

Set OUTBOUND_BLOCK_PRIVATE=1 when the gateway serves clients it does not trust: then URLs whose
host resolves to a loopback, private, link-local or reserved address are refused, so a client
cannot make the gateway reach into the network it runs in. The address actually connected to is
checked too (a name that resolves differently the second time gains nothing), and so is every
redirect, which never carries the URL's credentials to another host.
"""
from __future__ import annotations

import base64
import http.client
import ipaddress
import logging
import os
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import orjson

log = logging.getLogger("contact_gateway.outbound")


class OutboundRefused(Exception):
    """A URL the gateway will not call, or a call that failed; the message says which."""


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused(f"Only http(s) URLs with a host can be fetched: {url!r}")
    if os.environ.get("OUTBOUND_BLOCK_PRIVATE") == "1":
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
        except socket.gaierror as exc:
            raise OutboundRefused(f"Host {parts.hostname!r} does not resolve: {exc}") from None
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global:
                raise OutboundRefused(f"Host {parts.hostname!r} is not a public address")


def _blocking() -> bool:
    return os.environ.get("OUTBOUND_BLOCK_PRIVATE") == "1"


def _check_peer(sock) -> None:
    """The connected address itself, when private addresses are blocked."""
    if not _blocking():
        return
    ip = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if not ip.is_global:
        sock.close()
        raise OutboundRefused(f"The gateway does not connect to non-public addresses ({ip})")


class _HTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock)


class _HTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        super().connect()
        _check_peer(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            check_url(newurl)
            if urlsplit(newurl).hostname != urlsplit(req.full_url).hostname:
                new.remove_header("Authorization")
        return new


_opener = urllib.request.build_opener(_HTTPHandler, _HTTPSHandler, _Redirects)


def open_url(url: str, timeout: float = 30.0, headers: dict | None = None, data: bytes | None = None,
             method: str | None = None):
    """An open response (a file-like object) for url; credentials in the URL become Basic auth."""
    check_url(url)
    parts = urlsplit(url)
    request_headers = dict(headers or {})
    if parts.username is not None:
        # urllib does not turn user:password@ into an Authorization header on its own.
        credentials = f"{urllib.request.unquote(parts.username)}:{urllib.request.unquote(parts.password or '')}"
        request_headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        url = parts._replace(netloc=netloc).geturl()
    request = urllib.request.Request(url, data=data, headers=request_headers, method=method)
    try:
        return _opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise OutboundRefused(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise OutboundRefused(f"{url} could not be reached: {getattr(exc, 'reason', exc)}") from None


def download(url: str, limit: int, timeout: float = 30.0, on_progress=None) -> bytes:
    """The body behind url, read in chunks and refused past `limit` bytes (before it is all read).

    `on_progress(bytes_so_far)` runs after every chunk (a long download keeps its job's lease).
    """
    with open_url(url, timeout) as response:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            raise OutboundRefused(f"The file is larger than {limit} bytes")
        data = bytearray()
        try:
            while chunk := response.read(64 * 1024):
                data += chunk
                if len(data) > limit:
                    raise OutboundRefused(f"The file is larger than {limit} bytes")
                if on_progress is not None:
                    on_progress(len(data))
        except (OSError, http.client.HTTPException) as exc:
            raise OutboundRefused(f"The download from {urlsplit(url).hostname} broke off: {exc}") from None
    return bytes(data)


def post_json(url: str, payload: dict, timeout: float = 10.0) -> bool:
    """POST payload as JSON; True on a 2xx answer. Failures are logged, never raised."""
    try:
        with open_url(url, timeout, {"Content-Type": "application/json"}, orjson.dumps(payload), "POST") as response:
            return 200 <= response.status < 300
    except OutboundRefused as exc:
        log.warning("notify URL not called: %s", exc)
        return False
