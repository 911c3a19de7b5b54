"""Replays conformance cases (data files) in-process through WSGI or against a live base URL."""
from __future__ import annotations

import base64
import re
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import orjson
import yaml

from core import setup, suppression
from gateway import dialects
from gateway.fresh_accounts import PRESETS

CASES = Path(__file__).with_name("cases")
_MATCHER = re.compile(r"^\{\{(\w+)(?::([^}]*))?(?: as (\w+))?\}\}$")
_PLACEHOLDER = re.compile(r"\{(\w+)(?::([^{}]*))?\}")


@dataclass
class Case:
    path: Path
    data: dict

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    @property
    def skip(self) -> str | None:
        return self.data.get("not_replayable")


@dataclass
class Outcome:
    case: Case
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def load_cases(dialect: str | None = None) -> list[Case]:
    root = CASES / dialect if dialect else CASES
    return [Case(p, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(root.rglob("*.yaml"))]


def apply_setup(case: Case) -> dict:
    """Create the case's account (a fresh name each run) and return the values requests refer to.

    The account starts as a new account at the case's vendor would (its folder names the dialect);
    `setup: {defaults: []}` starts it bare.
    """
    spec = dict(case.data.get("setup") or {})
    spec.setdefault("defaults", [case.path.parent.name])
    name = f"conformance-{case.path.stem}-{uuid.uuid4().hex[:8]}"
    spec["name"] = name
    run = uuid.uuid4().hex[:12]
    # "{run}" in a key makes it unique to this replay: keys are unique in a store many cases share.
    keys = [{**k, "key": k["key"].replace("{run}", run)} if "key" in k else k for k in spec.get("keys") or []]
    keys = keys or [{"key": uuid.uuid4().hex}]
    spec["keys"] = keys
    setup.apply({"version": 1, "accounts": [spec]}, dialects.NAMES, presets=PRESETS)
    values = {"api_key": keys[0]["key"], "account": name}
    if case.data.get("suppressed"):
        suppression.add([(address, "bounce") for address in case.data["suppressed"]])
    return values


def fill(text: str, values: dict) -> str:
    def replace(match):
        name, arg = match.group(1), match.group(2)
        if name == "basic":
            user = fill(arg or "", values)
            return "Basic " + base64.b64encode(f"{user}:{values['api_key']}".encode()).decode()
        if name == "basic_key":  # the key as the user name, any password (Icomm)
            password = fill(arg or "", values)
            return "Basic " + base64.b64encode(f"{values['api_key']}:{password}".encode()).decode()
        if name in values and arg is None:
            return str(values[name])
        return match.group(0)

    return _PLACEHOLDER.sub(replace, text)


def compare(expected, actual, where: str, captured: dict, failures: list[str], subset: bool) -> None:
    """Exact comparison with {{matcher}} strings; `subset` lets objects carry more keys."""
    if isinstance(expected, str):
        match = _MATCHER.match(expected)
        if match:
            kind, arg, capture = match.groups()
            if not _matches(kind, arg, actual):
                failures.append(f"{where}: expected {expected}, got {actual!r}")
            elif capture:
                captured[capture] = actual
            return
        whole = _PLACEHOLDER.fullmatch(expected)
        if whole and whole.group(2) is None and whole.group(1) in captured:
            expected = captured[whole.group(1)]  # a captured number stays a number
        else:
            expected = fill(expected, captured)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            failures.append(f"{where}: expected an object, got {actual!r}")
            return
        for key, value in expected.items():
            if key not in actual:
                failures.append(f"{where}.{key}: missing")
            else:
                compare(value, actual[key], f"{where}.{key}", captured, failures, subset)
        if not subset:
            for key in actual.keys() - expected.keys():
                failures.append(f"{where}.{key}: unexpected key (value {actual[key]!r})")
        return
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            failures.append(f"{where}: expected {len(expected)} items, got {actual!r}")
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            compare(e, a, f"{where}[{i}]", captured, failures, subset)
        return
    if expected != actual or type(expected) is not type(actual):
        failures.append(f"{where}: expected {expected!r}, got {actual!r}")


def _matches(kind: str, arg: str | None, value) -> bool:
    if kind == "any":
        return True
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str) and (arg is None or re.fullmatch(arg, value) is not None)
    if kind == "hex24":
        return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{24}", value) is not None
    if kind == "uuid":
        return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", value) is not None
    if kind == "datetime":
        return isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?.*", value) is not None
    if kind == "one_of":
        return str(value) in (arg or "").split("|")
    if kind == "url":
        return isinstance(value, str) and value.startswith(("http://", "https://"))
    raise ValueError(f"unknown matcher {{{{{kind}}}}}")


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes


class InProcess:
    """Sends requests straight into the WSGI app (webtest), bytes untouched."""

    def __init__(self, app):
        import webtest

        self.app = webtest.TestApp(app)

    def send(self, method: str, path: str, headers: dict, body: bytes) -> Reply:
        response = self.app.request(path, method=method, headers=headers, body=body, expect_errors=True)
        return Reply(response.status_int, {k.lower(): v for k, v in response.headers.items()}, response.body)


class Live:
    """Sends requests to a running gateway at base_url."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def send(self, method: str, path: str, headers: dict, body: bytes) -> Reply:
        request = urllib.request.Request(self.base_url + path, data=body or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())


def run_case(case: Case, transport) -> Outcome:
    outcome = Outcome(case)
    values = apply_setup(case)
    for number, step in enumerate(case.data["steps"], start=1):
        request, expected = step["request"], step["response"]
        body = request.get("body", "")
        if "json" in request:
            body = orjson.dumps(request["json"]).decode()
        body_bytes = fill(body, values).encode("utf-8") if isinstance(body, str) else body
        headers = {k: fill(str(v), values) for k, v in (request.get("headers") or {}).items()}
        # `poll: seconds` repeats a read until it matches: against a live gateway a job runs in its worker.
        deadline = time.monotonic() + float(step.get("poll", 0))
        while True:
            reply = transport.send(request.get("method", "GET"), fill(request["path"], values), headers, body_bytes)
            failures: list[str] = []
            _check(expected, reply, f"step {number}", values, failures)
            if not failures or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        outcome.failures += failures
    return outcome


def _check(expected: dict, reply: Reply, where: str, values: dict, failures: list[str]) -> None:
    if "status" in expected and reply.status != expected["status"]:
        failures.append(f"{where}: status {reply.status}, expected {expected['status']} (body {reply.body[:300]!r})")
    for name, value in (expected.get("headers") or {}).items():
        actual = reply.headers.get(name.lower())
        if actual is None or not re.fullmatch(value, actual):
            failures.append(f"{where}: header {name}: {actual!r} does not match {value!r}")
    subset = expected.get("match", "exact") == "subset"
    if "json" in expected:
        try:
            actual = orjson.loads(reply.body)
        except orjson.JSONDecodeError:
            failures.append(f"{where}: body is not JSON: {reply.body[:300]!r}")
            return
        compare(expected["json"], actual, f"{where} body", values, failures, subset)
    if "text" in expected:
        text = reply.body.decode("utf-8", "replace")
        if not re.fullmatch(fill(expected["text"], values), text, re.S):
            failures.append(f"{where}: body {text[:300]!r} does not match {expected['text']!r}")
    if "xml" in expected:
        try:
            actual = _xml_tree(ElementTree.fromstring(reply.body))
        except ElementTree.ParseError as exc:
            failures.append(f"{where}: body is not XML ({exc}): {reply.body[:300]!r}")
            return
        compare(_xml_tree(ElementTree.fromstring(expected["xml"].encode())), actual, f"{where} xml", values,
                failures, subset)


def _xml_tree(element) -> dict:
    """An element as {tag: [children or text]} so XML compares like JSON (order of children kept)."""
    children = [_xml_tree(child) for child in element]
    text = (element.text or "").strip()
    return {element.tag: children if children else text}
