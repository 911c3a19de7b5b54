"""The admin view in a real browser: Debian's headless Chromium driven by Selenium, a screenshot of every page.

Chromium and chromedriver are installed by .ci/ensure-browser when missing; REQUIRE_BROWSER=1
(set by .ci/run) turns "cannot install or start it" into a failure instead of a skip.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from core import db, events, jobs, setup, webhooks
from core.normalize import now
from core.schema import Job
from processes import ROOT, cli

pytestmark = pytest.mark.slow
SCREENSHOTS = ROOT / "var" / "screenshots"
REQUIRE = os.environ.get("REQUIRE_BROWSER") == "1"


def _unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"the browser is required (REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture
def live_url(store_url):
    """The app on a real socket, one thread per connection (a browser keeps idle connections open)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from gateway.app import create_app
    from gateway.config import Settings

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, create_app(Settings(database_url=store_url)), server_class=Server,
                         handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        result = subprocess.run([str(ROOT / ".ci" / "ensure-browser")], capture_output=True, text=True)
        if result.returncode != 0:
            _unavailable(f"chromium could not be installed: {result.stderr[-500:]}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1360,1000"):
        options.add_argument(argument)
    try:
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported the same way
        _unavailable(f"chromium did not start: {exc}")
    yield driver
    driver.quit()


def wait_for(driver, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(lambda d: condition(d), message=what)


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"admin-{name}.png"))


def post(base, path, form=None, body=None, headers=None, method="POST"):
    data = urllib.parse.urlencode(form).encode() if form is not None else orjson.dumps(body)
    headers = {"Content-Type": "application/x-www-form-urlencoded" if form is not None else "application/json",
               **(headers or {})}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return orjson.loads(response.read())


def test_every_admin_page_in_chromium(browser, live_url, store_url):  # noqa: F811 - the fixture
    from selenium.webdriver.common.by import By

    key = "admin-browser-key-0123456789"
    setup.apply({"version": 1, "accounts": [{"name": "acme-shop", "keys": [{"key": key}],
                                              "lists": [{"id": 7, "title": "Newsletter"}],
                                              "fields": [{"id": 1, "name": "Name"}]}]})
    basic = {"Authorization": "Basic " + base64.b64encode(f":{key}".encode()).decode()}
    imported = post(live_url, "/en/api/importContacts", {"api_key": key, "field_names[0]": "email", "field_names[1]": "Name",
                                              "field_names[2]": "email_list_ids", "data[0][0]": "anna@example.com",
                                              "data[0][1]": "Anna", "data[0][2]": "7", "data[1][0]": "bob@example.com",
                                              "data[1][1]": "Bob", "data[1][2]": "7"})
    assert imported["result"]["inserted"] == 2, imported
    bulk = post(live_url, "/api/v1/contacts", body={"dedupeOn": "email", "contacts": [
        {"channels": [{"type": "email", "value": "carol@example.com"}]}, {"channels": [{"type": "email", "value": "no"}]}]},
                headers=basic)
    account_id = Job.get_by_id(bulk["asyncSessionId"]).account_id
    dotdigital = {"Authorization": "Basic " + base64.b64encode(f"apiuser@example.com:{key}".encode()).decode()}
    report = post(live_url, "/contacts/v3/import", body={"contacts": [
        {"matchIdentifier": "email", "identifiers": {"email": "dave@example.com"}},
        {"matchIdentifier": "email", "identifiers": {"email": "bob@emailsim@io.com"}}]}, headers=dotdigital,
                  method="PUT")["importId"]
    running = jobs.create(account_id, "dotdigital.import.v3", {})
    Job.update(state="running", progress={"done": 40, "total": 100}, lease_until=now() + timedelta(minutes=5)).where(
        Job.id == running.id).execute()
    webhooks.add(account_id, "https://hooks.example.com/contact-gateway")
    # Earlier traffic for the chart: the outbox as the last two days of imports would have left it.
    history = {"unisender": ("contact.created", 0), "esputnik": ("contact.updated", 0), "altcraft": ("contact.created", 0)}
    hour = now().replace(minute=0, second=0)
    for dialect, (name, _) in list(history.items()):
        events.set_origin(dialect)
        rows = [events.row(account_id, None, name, {}, hour - timedelta(hours=h))
                for h in range(2, 48, 3) for _ in range((h + len(dialect)) % 6 + 1)]
        with db.write_transaction(f"account:{account_id}"):
            events.record(rows)
        history[dialect] = (name, len(rows))
    events.set_origin("")
    token = json.loads(cli("admin", "token", "create", "--json", env={"DATABASE_URL": store_url}).stdout)["token"]

    browser.get(live_url + "/admin/")
    assert browser.current_url.endswith("/admin/login")
    shot(browser, "0-login")
    browser.find_element(By.NAME, "token").send_keys("not-the-token")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(browser, lambda d: "That token opens nothing" in d.page_source, "the refusal of a wrong token")
    browser.find_element(By.NAME, "token").send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(browser, lambda d: d.current_url.endswith("/admin/"), "the dashboard after signing in")
    cookie = browser.get_cookie("cg_admin")
    assert cookie and cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"

    # Dashboard: one line per dialect and outcome, with the counts in the legend.
    assert browser.current_url.endswith("/admin/")
    legend = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "svg.chart text.legend")]
    assert f"unisender created ({2 + history['unisender'][1]})" in legend and "esputnik created (1)" in legend
    assert f"esputnik updated ({history['esputnik'][1]})" in legend and "dotdigital created (1)" in legend, legend
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.hour-bar")
    assert len(bars) == 16 * 3 + 3  # 16 earlier hours of three series, and this hour's three
    shot(browser, "1-dashboard")

    browser.find_element(By.LINK_TEXT, "Accounts").click()
    wait_for(browser, lambda d: d.current_url.endswith("/admin/accounts"), "the accounts page")
    row = browser.find_element(By.XPATH, "//tr[td/a[text()='acme-shop']]")
    # anna and bob (Unisender), carol (eSputnik), dave (Dotdigital): the contacts cell, not any "4" of the row
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert cells[2] == "4" and key[:6] + "…" in cells[3] and "any dialect" in cells[3], cells
    shot(browser, "2-accounts")

    browser.get(f"{live_url}/admin/contacts?account={account_id}&email=ANNA@example.com")
    results = browser.find_element(By.ID, "results")
    assert "anna@example.com" in results.text and "bob@example.com" not in results.text
    shot(browser, "3-contacts")
    results.find_element(By.TAG_NAME, "a").click()
    wait_for(browser, lambda d: "/admin/contacts/" in d.current_url, "the contact's page")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "anna@example.com" in page and "Anna" in browser.find_element(By.ID, "fields").text
    assert "Newsletter" in browser.find_element(By.ID, "lists").text
    assert "contact.created" in browser.find_element(By.ID, "events").text
    shot(browser, "4-contact")

    browser.get(f"{live_url}/admin/imports?account={account_id}")
    table = browser.find_element(By.ID, "jobs").text
    assert "esputnik" in table and "dotdigital" in table and "finished" in table and "running" in table and "40 / 100" in table
    assert browser.find_elements(By.CSS_SELECTOR, "meta[http-equiv=refresh]")  # live while a job runs
    shot(browser, "5-imports")
    browser.get(f"{live_url}/admin/imports/{account_id}/{report}")
    assert "finished" in browser.find_element(By.ID, "progress").text
    items = browser.find_element(By.ID, "items")
    failed = items.find_element(By.CSS_SELECTOR, "tr.failed").text
    assert "dave@example.com" in items.text and "bob@emailsim@io.com" in failed and "invalid" in failed.lower(), failed
    shot(browser, "6-import")

    browser.get(f"{live_url}/admin/webhooks?account={account_id}")
    assert "https://hooks.example.com/contact-gateway" in browser.find_element(By.CSS_SELECTOR, ".webhook").text
    shot(browser, "7-webhooks")

    # Sign out is a form with its CSRF token; the same request without it is refused.
    forged = urllib.request.Request(live_url + "/admin/logout", data=b"", method="POST",
                                    headers={"Cookie": f"cg_admin={cookie['value']}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 403
    browser.find_element(By.XPATH, "//button[text()='Sign out']").click()
    wait_for(browser, lambda d: d.current_url.endswith("/admin/login"), "the login page after signing out")
    assert browser.current_url.endswith("/admin/login") and browser.get_cookie("cg_admin") is None
    browser.get(live_url + "/admin/accounts")
    assert browser.current_url.endswith("/admin/login")
    assert sorted(p.name for p in SCREENSHOTS.glob("admin-*.png")) == [
        "admin-0-login.png", "admin-1-dashboard.png", "admin-2-accounts.png", "admin-3-contacts.png",
        "admin-4-contact.png", "admin-5-imports.png", "admin-6-import.png", "admin-7-webhooks.png"]
