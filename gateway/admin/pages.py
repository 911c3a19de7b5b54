"""The admin view's pages: each one a caller of the core's read functions (the native API's), rendered with Jinja2."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import falcon
import jinja2

from core import accounts, contact_reads, events, imports, operators, webhooks
from core.errors import CoreError
from core.normalize import now

from . import chart, session

TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                               autoescape=True, undefined=jinja2.StrictUndefined)
TEMPLATES.filters["query"] = lambda values: urlencode({k: v for k, v in values.items() if v not in (None, "")})
DASHBOARD_HOURS = 72
# The outcomes an item leaves behind in the outbox, and how the dashboard names them.
OUTCOMES = {events.CONTACT_CREATED: "created", events.CONTACT_UPDATED: "updated", events.CONTACT_DELETED: "deleted",
            events.CONTACT_UNSUBSCRIBED: "unsubscribed"}


def render(req, resp, template: str, **context) -> None:
    resp.content_type = "text/html; charset=utf-8"
    resp.set_header("Cache-Control", "no-store")
    resp.set_header("X-Frame-Options", "DENY")
    resp.set_header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                               "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
    context.setdefault("live", False)  # a page of running jobs reloads itself
    resp.text = TEMPLATES.get_template(template).render(csrf=session.csrf_token(req), path=req.path, **context)


def redirect(resp, location: str) -> None:
    resp.status = falcon.HTTP_303
    resp.location = location


def form_of(req) -> dict:
    body = req.bounded_stream.read(64 * 1024).decode("utf-8", "replace")
    return dict(parse_qsl(body, keep_blank_values=True))


class Signed:
    """Pages for a signed-in operator: anyone else is sent to the login page."""

    def on_get(self, req, resp, **params):
        if not session.signed_in(req):
            redirect(resp, "/admin/login")
            return
        self.page(req, resp, **params)

    def account_choice(self, req) -> tuple[list, int | None]:
        listed = accounts.overview()
        wanted = req.get_param_as_int("account")
        known = {a.id for a in listed}
        chosen = wanted if wanted in known else (listed[0].id if listed else None)
        return listed, chosen


class Login:
    def on_get(self, req, resp):
        csrf = session.new_login_csrf(resp)
        resp.content_type = "text/html; charset=utf-8"
        resp.text = TEMPLATES.get_template("login.html").render(csrf=csrf, path=req.path, error=None)

    def on_post(self, req, resp):
        form = form_of(req)
        session.check_csrf(req, form)
        token = (form.get("token") or "").strip()
        if not operators.valid(token):
            resp.status = falcon.HTTP_401
            csrf = session.new_login_csrf(resp)
            resp.content_type = "text/html; charset=utf-8"
            resp.text = TEMPLATES.get_template("login.html").render(csrf=csrf, path=req.path,
                                                                    error="That token opens nothing.")
            return
        session.sign_in(resp, token)
        redirect(resp, "/admin/")


class Logout:
    def on_post(self, req, resp):
        session.check_csrf(req, form_of(req))
        session.sign_out(resp)
        redirect(resp, "/admin/login")


class Dashboard(Signed):
    def page(self, req, resp):
        start = now().replace(minute=0, second=0) - timedelta(hours=DASHBOARD_HOURS - 1)
        rows = events.per_hour(start, types=tuple(OUTCOMES))
        counts = [(at, f"{dialect or 'cli/setup'} {OUTCOMES[name]}", n) for at, dialect, name, n in rows]
        totals: dict = {}
        for _, series, n in counts:
            totals[series] = totals.get(series, 0) + n
        render(req, resp, "dashboard.html", svg=chart.hourly_bars(counts, start, DASHBOARD_HOURS),
               totals=sorted(totals.items()), hours=DASHBOARD_HOURS, accounts=accounts.overview())


class Accounts(Signed):
    def page(self, req, resp):
        render(req, resp, "accounts.html", accounts=accounts.overview())


class Contacts(Signed):
    def page(self, req, resp):
        listed, chosen = self.account_choice(req)
        query = {k: (req.get_param(k) or "").strip() or None for k in ("email", "phone", "external_id")}
        page = None
        if chosen is not None and any(query.values()):
            page = contact_reads.search(chosen, after=req.get_param_as_int("after") or 0, limit=50, **query)
        render(req, resp, "contacts.html", accounts=listed, account=chosen, query=query, page=page)


class Contact(Signed):
    def page(self, req, resp, account_id, contact_id):
        try:
            contact = contact_reads.detail(account_id, contact_id)
        except CoreError:
            raise falcon.HTTPNotFound(title="Not found", description=f"No contact {contact_id} in account {account_id}")
        render(req, resp, "contact.html", account=account_id, contact=contact,
               events=events.of_contact(account_id, contact.id))


class Imports(Signed):
    def page(self, req, resp):
        listed, chosen = self.account_choice(req)
        page = imports.page(chosen, limit=100) if chosen is not None else None
        live = page is not None and any(job.state in ("queued", "running") for job in page.items)
        render(req, resp, "imports.html", accounts=listed, account=chosen, page=page, live=live)


class Import(Signed):
    def page(self, req, resp, account_id, job_id):
        start = req.get_param_as_int("from") or 0
        try:
            job = imports.detail(account_id, job_id, items_from=start, items_limit=200)
        except CoreError:
            raise falcon.HTTPNotFound(title="Not found", description=f"No import {job_id} in account {account_id}")
        render(req, resp, "import.html", account=account_id, job=job, live=job.state in ("queued", "running"))


class Webhooks(Signed):
    def page(self, req, resp):
        listed, chosen = self.account_choice(req)
        hooks = webhooks.listing(chosen) if chosen is not None else []
        recent = {hook.number: webhooks.deliveries(chosen, hook.number, limit=10) for hook in hooks}
        render(req, resp, "webhooks.html", accounts=listed, account=chosen, hooks=hooks, recent=recent)


def add_routes(app: falcon.App) -> None:
    app.add_route("/admin", Dashboard())
    app.add_route("/admin/login", Login())
    app.add_route("/admin/logout", Logout())
    app.add_route("/admin/accounts", Accounts())
    app.add_route("/admin/contacts", Contacts())
    app.add_route("/admin/contacts/{account_id:int}/{contact_id:int}", Contact())
    app.add_route("/admin/imports", Imports())
    app.add_route("/admin/imports/{account_id:int}/{job_id}", Import())
    app.add_route("/admin/webhooks", Webhooks())
