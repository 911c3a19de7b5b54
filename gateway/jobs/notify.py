"""Calling a client's notify URL when its job is done: best effort, never failing the job."""
from __future__ import annotations

import logging
import urllib.request

import orjson

log = logging.getLogger("contact_gateway.notify")


def post_json(url: str, payload: dict, timeout: float = 10.0) -> bool:
    if not url.startswith(("http://", "https://")):
        log.warning("not calling notify URL with unsupported scheme: %s", url)
        return False
    request = urllib.request.Request(url, data=orjson.dumps(payload), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= response.status < 300
    except Exception as exc:  # noqa: BLE001 - the export is done; a failed callback is only logged
        log.warning("notify URL %s failed: %s", url, exc)
        return False
