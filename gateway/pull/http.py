"""The one connection to a client's old vendor during a pull: one request at a time, its limits honoured.

429 and 5xx answers and broken connections are retried with exponential backoff; a Retry-After
header (seconds or an HTTP date) is waited out instead when the vendor sends one. Every URL passes
the outbound guard (gateway/outbound.py) and every answer its size cap (FETCH_MAX_BYTES) and time
cap (FETCH_TIMEOUT). Credentials travel in headers or parameters the reader chooses; they are never
part of a log line or an error text (errors name the path, not the query).
"""
from __future__ import annotations

import email.utils
import logging
import time

import httpx
import orjson
import tenacity

from ..config import settings
from ..outbound import OutboundRefused, check_url

log = logging.getLogger("contact_gateway.pull")
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 8
MAX_WAIT = 60.0


class VendorError(Exception):
    """The old vendor refused a call for good (or could not be reached); the message says which."""


class _Retry(Exception):
    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), capped; None when absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_WAIT)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(moment.timestamp() - time.time(), MAX_WAIT))


def _wait(state: tenacity.RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, _Retry) and exc.wait is not None:
        return exc.wait
    return tenacity.wait_exponential(multiplier=0.5, max=MAX_WAIT)(state)


class VendorClient:
    """GET/POST against one base URL; answers decoded from JSON (or given back as bytes)."""

    def __init__(self, base_url: str, auth: tuple[str, str] | None = None, headers: dict | None = None,
                 max_bytes: int | None = None, timeout: float | None = None, attempts: int = MAX_ATTEMPTS):
        check_url(base_url)
        config = settings()
        self.base_url = base_url.rstrip("/")
        self.max_bytes = max_bytes or config.fetch_max_bytes
        self.requests = 0
        self.client = httpx.Client(auth=auth, headers=headers or {}, timeout=timeout or config.fetch_timeout,
                                   follow_redirects=False)
        self._retrying = tenacity.Retrying(retry=tenacity.retry_if_exception_type(_Retry), wait=_wait,
                                           stop=tenacity.stop_after_attempt(attempts), reraise=True)

    def close(self) -> None:
        self.client.close()

    def json(self, method: str, path: str, **kwargs):
        body = self.call(method, path, **kwargs)
        try:
            return orjson.loads(body) if body else None
        except orjson.JSONDecodeError:
            raise VendorError(f"{method} {path}: the answer is not JSON") from None

    def call(self, method: str, path: str, params=None, data=None, json=None, headers=None) -> bytes:
        url = self.base_url + path
        try:
            return self._retrying(self._once, method, url, path, params, data, json, headers)
        except _Retry as exc:
            raise VendorError(f"{method} {path}: {exc} (gave up after {MAX_ATTEMPTS} attempts)") from None

    def _once(self, method, url, path, params, data, json, headers) -> bytes:
        check_url(url)
        self.requests += 1
        try:
            with self.client.stream(method, url, params=params, data=data, json=json, headers=headers) as response:
                if response.status_code in RETRIED_STATUSES:
                    wait = retry_after(response.headers.get("Retry-After"))
                    log.info("pull: %s %s answered %s, retrying", method, path, response.status_code)
                    raise _Retry(f"HTTP {response.status_code}", wait)
                body = self._read(response)
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise VendorError(f"{method} {path} answered HTTP {response.status_code}: {body[:300].decode(errors='replace')}")
        return body

    def _read(self, response: httpx.Response) -> bytes:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise OutboundRefused(f"An answer is larger than {self.max_bytes} bytes")
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > self.max_bytes:
                raise OutboundRefused(f"An answer is larger than {self.max_bytes} bytes")
        return bytes(data)
