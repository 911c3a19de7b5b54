"""The signature of a delivery: HMAC-SHA256 of the exact body bytes with the webhook's secret."""
from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Contact-Gateway-Signature"


def sign(secret: str, body: bytes) -> str:
    """The header value: `sha256=<hex digest>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does (docs/events.md): recompute and compare in constant time."""
    return header is not None and hmac.compare_digest(sign(secret, body), header.strip())
