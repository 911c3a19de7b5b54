"""Fetching a file a client names by URL (imports from a link): streamed under a byte cap, guarded.

Credentials may sit in the URL (`https://user:password@host/file.csv`, as eSputnik documents) and
are sent as HTTP Basic to that host only, never to a host a redirect leads to. With
OUTBOUND_BLOCK_PRIVATE=1 (the same setting as gateway/outbound.py on main) loopback, private,
link-local and other non-public addresses are refused; the check runs on the connected socket, so
a name that resolves differently the second time gains nothing.
"""
from __future__ import annotations

import base64
import http.client
import ipaddress
import socket
from urllib.parse import unquote, urljoin, urlsplit

MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class FetchError(Exception):
    """The file could not be fetched; the text says why, fit to show the client."""


def _check_peer(sock: socket.socket, block_private: bool) -> None:
    if not block_private:
        return
    address = ipaddress.ip_address(sock.getpeername()[0])
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if not address.is_global:
        sock.close()
        raise FetchError(f"The link points to a non-public address ({address})")


class _HTTP(http.client.HTTPConnection):
    block_private = False

    def connect(self):
        super().connect()
        _check_peer(self.sock, self.block_private)


class _HTTPS(http.client.HTTPSConnection):
    block_private = False

    def connect(self):
        # Check before the TLS handshake: nothing is sent to a refused address.
        self.sock = socket.create_connection((self.host, self.port), self.timeout, self.source_address)
        _check_peer(self.sock, self.block_private)
        if self._tunnel_host:
            self._tunnel()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._tunnel_host or self.host)


def download(url: str, limit: int, timeout: float = 30.0, block_private: bool = False, on_progress=None) -> bytes:
    """The body behind `url` (http or https, redirects followed); raises FetchError.

    `on_progress(bytes_so_far)` is called after every chunk read (a long download keeps its job alive).
    """
    origin = urlsplit(url).hostname
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("The link is not an http or https URL")
        headers = {"User-Agent": "contact-gateway", "Accept": "*/*"}
        if parts.username is not None and parts.hostname == origin:
            secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(secret).decode()
        connection_class = _HTTPS if parts.scheme == "https" else _HTTP
        try:
            port = parts.port
        except ValueError:
            raise FetchError("The link has an invalid port") from None
        connection = connection_class(parts.hostname, port, timeout=timeout)
        connection.block_private = block_private
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise FetchError(f"The link answered HTTP {response.status} {response.reason}".rstrip())
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(f"The file is larger than {limit} bytes")
            data = bytearray()
            while chunk := response.read(CHUNK):
                data += chunk
                if len(data) > limit:
                    raise FetchError(f"The file is larger than {limit} bytes")
                if on_progress is not None:
                    on_progress(len(data))
            return bytes(data)
        except FetchError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"The file could not be downloaded from {parts.hostname}: {exc}") from None
        finally:
            connection.close()
    raise FetchError("Too many redirects")
