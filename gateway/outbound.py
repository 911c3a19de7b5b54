"""Calls the gateway makes to the outside (notify URLs, files to import): schemes, time-outs, size caps.

Set OUTBOUND_BLOCK_PRIVATE=1 when the gateway serves clients it does not trust: then URLs whose
host resolves to a loopback, private, link-local or reserved address are refused, so a client
cannot make the gateway reach into the network it runs in.
"""
from __future__ import annotations

import base64
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
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise OutboundRefused(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise OutboundRefused(f"{url} could not be reached: {getattr(exc, 'reason', exc)}") from None


def post_json(url: str, payload: dict, timeout: float = 10.0) -> bool:
    """POST payload as JSON; True on a 2xx answer. Failures are logged, never raised."""
    try:
        with open_url(url, timeout, {"Content-Type": "application/json"}, orjson.dumps(payload), "POST") as response:
            return 200 <= response.status < 300
    except OutboundRefused as exc:
        log.warning("notify URL not called: %s", exc)
        return False
