"""The Falcon application: every dialect's routes over one store."""
from __future__ import annotations

import gc
import re

import falcon

from core import db as store
from core import events, migrate

from . import admin, downloads, funnel, health, metrics
from .config import Settings
from .dialects import altcraft, dotdigital, esputnik, icomm, native, unisender
from .observe import Observe


def create_app(settings: Settings | None = None, migrate_schema: bool = True) -> falcon.App:
    settings = settings or Settings()
    tune_gc()
    store.open_database(settings.database_url)
    if migrate_schema:
        migrate.migrate(settings.database_url)
    app = falcon.App(middleware=[Observe(), CollapseSlashes(), ConnectionPerRequest()])
    # Clients of several vendors add or drop a trailing slash; both forms must reach the same route.
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_form_urlencoded = False
    funnel.install(app)
    app.add_route("/healthz", health.Health())
    app.add_route("/readyz", health.Ready())
    app.add_route("/metrics", metrics.Metrics())
    admin.add_routes(app)
    app.add_route(downloads.PATH, downloads.Downloads())
    altcraft.add_routes(app, settings)
    esputnik.add_routes(app, settings)
    unisender.add_routes(app, settings)
    icomm.add_routes(app, settings)
    dotdigital.add_routes(app, settings)
    native.add_routes(app, settings)
    return app


def tune_gc() -> None:
    """Fewer, cheaper cyclic collections: a 500-row batch allocates tens of thousands of objects
    that are all gone when the request ends, and the default young-generation threshold (700)
    would scan them over and over. Objects alive at start-up are frozen out of every scan."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20000, 20, 20)


class CollapseSlashes:
    """`//api//v1/x` routes as `/api/v1/x`: clients that join a base URL ending in "/" with a path
    starting with one send doubled slashes, and the vendors' front servers (nginx) merge them."""

    def process_request(self, req, resp):
        if "//" in req.path:
            req.path = re.sub("/{2,}", "/", req.path)


class ConnectionPerRequest:
    """Open the store connection for a request if needed; a worker keeps it between requests."""

    def process_request(self, req, resp):
        store.database().connect(reuse_if_open=True)
        events.set_origin("")  # a worker thread serves request after request; authentication sets it anew


def wsgi():
    """Entry point for gunicorn: `gunicorn 'gateway.app:wsgi()'`."""
    return create_app(migrate_schema=False)
