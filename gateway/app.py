"""The Falcon application: every dialect's routes over one store."""
from __future__ import annotations

import falcon

from core import db as store
from core import migrate

from . import downloads, funnel, health
from .config import Settings
from .dialects import dotdigital, unisender


def create_app(settings: Settings | None = None, migrate_schema: bool = True) -> falcon.App:
    settings = settings or Settings()
    store.open_database(settings.database_url)
    if migrate_schema:
        migrate.migrate(settings.database_url)
    app = falcon.App(middleware=[ConnectionPerRequest()])
    # Clients of several vendors add or drop a trailing slash; both forms must reach the same route.
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_form_urlencoded = False
    funnel.install(app)
    app.add_route("/healthz", health.Health())
    app.add_route("/readyz", health.Ready())
    app.add_route(downloads.PATH, downloads.Downloads())
    unisender.add_routes(app, settings)
    dotdigital.add_routes(app, settings)
    return app


class ConnectionPerRequest:
    """Open the store connection for a request if needed; a worker keeps it between requests."""

    def process_request(self, req, resp):
        store.database().connect(reuse_if_open=True)


def wsgi():
    """Entry point for gunicorn: `gunicorn 'gateway.app:wsgi()'`."""
    return create_app(migrate_schema=False)
