"""Liveness (/healthz) and readiness (/readyz: the store answers)."""
from __future__ import annotations

import falcon
import orjson

from core import db as store


class Health:
    def on_get(self, req, resp):
        resp.content_type = "application/json"
        resp.data = orjson.dumps({"status": "ok"})


class Ready:
    def on_get(self, req, resp):
        resp.content_type = "application/json"
        try:
            store.database().execute_sql("SELECT 1").fetchone()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            store.database().close()
            resp.status = falcon.HTTP_503
            resp.data = orjson.dumps({"status": "unavailable", "error": str(exc)})
            return
        resp.data = orjson.dumps({"status": "ready", "store": "sqlite" if store.is_sqlite() else "postgresql"})
