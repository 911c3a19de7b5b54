"""Hostile requests grown from the conformance cases (hypothesis strategies per dialect), and the
invariants every answer must keep: no 5xx, no internal error dressed as a vendor answer, an error
answer writes nothing, the server answers after, no key, password or Basic credential in a log line.

Every step of every case of a dialect is a seed, sent with the case's own account (its setup is
applied once); a drawn request is one seed with one or two mutations: a JSON, form or XML value
replaced by a hostile one (numbers past 64 bits, odd digits, control characters, arrays where
text belongs, …), an odd PHP-array index, a hostile id in the path or the query, an odd charset,
credentials of any bytes, a broken compression or broken bytes.
"""
from __future__ import annotations

import base64
import gzip
import json
import logging
import re
import sys
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

import orjson
from hypothesis import strategies as st

from conformance import runner
from core import db as store

DIALECTS = ("altcraft", "dotdigital", "esputnik", "icomm", "unisender")
_LEFT_OVER = re.compile(r"\{\{?[\w:.|@ -]*\}?\}")

# -- hostile values ------------------------------------------------------------------------------------
HUGE_INTS = [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30,
             10**400]
ODD_TEXT = ["", " ", "²", "١٢", "𝟘", "--1", "+-0", "1e+308", "18446744073709551616", "9223372036854775808",
            "9" * 5000, "0" * 300 + "1", "\x00", "a\x00b", "\x01", "A\x0bB", "\u202e", "\ufeff", "\ufffe", "\uffff",
            "\ud800", "x\udfffy", "😀", "' OR 1=1 --", "<b>&amp;", "]]>", "%00", "%ZZ", "a" * 3000, "null", "true",
            "NaN", "-0", "0x10", "1_000", "12.0", "1,5", "[]", "{}", "http://", "javascript:alert(1)", "\r\n",
            "Ünïcödé", "@", "a@", "@b", "a@b", "+", "++79000000000", "2024-02-30", "0000-00-00", "31.12.1990",
            "9999-12-31T23:59:59Z", "-1"]
HUGE_FLOATS = [1e308, -1e308, 12.0, 0.5, -0.0, 1e-300, 2.0**63, 2.0**64]

scalars = (st.sampled_from(HUGE_INTS) | st.integers() | st.sampled_from(HUGE_FLOATS) | st.sampled_from(ODD_TEXT)
           | st.text(max_size=20) | st.booleans() | st.none())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["id", "value", "type", "email", "0", "²", "", "\x00"])
                                        | st.text(max_size=6), inner, max_size=3), max_leaves=6)
CHARSETS = ["utf-8", "UTF8", "iso-8859-1", "windows-1251", "utf-16", "utf-32", "ascii", "undefined", "punycode",
            "idna", "rot13", "base64", "zip", "no-such-charset", "", '"utf-8"', "utf-8; charset=latin1", "\x00"]
# Paging and id parameters the vendors document that few cases send (Icomm's Page and PageSize, …).
PAGING_NAMES = ["Page", "PageSize", "limit", "offset", "skip", "select", "startindex", "maxrows", "id", "db_id",
                "list_id", "resource_id", "fieldId", "contactId", "addressBookId"]
INDICES = ["", "0", "-1", "--1", "²", "9" * 5000, "18446744073709551616", "a", "0][0", "][", "[", "00", " 1"]


def encode_json(value) -> bytes:
    """JSON of any value: ints past 64 bits and lone surrogates included (orjson refuses both)."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False).encode()


# -- seeds ------------------------------------------------------------------------------------------------
@dataclass
class Seed:
    dialect: str
    case: str
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class Corpus:
    dialect: str
    seeds: list[Seed] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)  # every JSON key the cases use, for "add" mutations


def corpus(dialect: str) -> Corpus:
    """The dialect's seeds, each case's setup applied (its account, lists, fields and keys)."""
    found = Corpus(dialect)
    for case in runner.load_cases(dialect):
        if case.skip or (case.data.get("setup") or {}).get("limits"):
            # A rate-limited account answers 429 to nearly everything, and counting a request is
            # the limiter's own write, not the request's: such cases seed nothing.
            continue
        try:
            filled = runner.apply_setup(case)
        except Exception:  # noqa: BLE001 - a case whose setup needs what this store lacks is no seed
            continue
        spec_keys = (case.data.get("setup") or {}).get("keys") or []
        key = filled["api_key"]
        found.secrets |= {key, base64.b64encode(key.encode()).decode()}
        for spec in spec_keys:
            if spec.get("username"):
                token = base64.b64encode(f"{spec['username']}:{key}".encode()).decode()
                found.secrets.add(token)
        for step in case.data["steps"]:
            request = step["request"]
            body = request.get("body", "")
            if "json" in request:
                body = orjson.dumps(request["json"]).decode()
            headers = {k: runner.fill(str(v), filled) for k, v in (request.get("headers") or {}).items()}
            for value in headers.values():
                if value.lower().startswith("basic "):
                    found.secrets.add(value[6:].strip())
            path = _LEFT_OVER.sub("1", runner.fill(request["path"], filled))
            body_bytes = _LEFT_OVER.sub("1", runner.fill(body, filled)).encode() if isinstance(body, str) else body
            found.seeds.append(Seed(dialect, case.name, request.get("method", "GET"), path, headers, body_bytes))
    names = set()
    for seed in found.seeds:
        try:
            document = json.loads(seed.body)
        except ValueError:
            continue
        names |= {p[-1] for p in _json_paths(document) if p and isinstance(p[-1], str)}
    found.names = sorted(names | set(PAGING_NAMES))
    return found


# -- mutations --------------------------------------------------------------------------------------------
@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.method} {self.path[:300]} {self.headers} {self.body[:500]!r} ({'; '.join(self.notes)})"


def _header(request: Request, name: str):
    for key in request.headers:
        if key.lower() == name.lower():
            return key
    return None


def _json_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _json_paths(child, prefix + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _json_paths(child, prefix + (i,))


def _replace(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def mutate_json(draw, request: Request, names: list[str]) -> None:
    try:
        document = json.loads(request.body)
    except ValueError:
        return
    paths = list(_json_paths(document))
    path = draw(st.sampled_from(paths))
    action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "add", "wrap"]))
    if action == "delete" and path:
        parent = _get(document, path[:-1])
        parent = dict(parent) if isinstance(parent, dict) else list(parent)
        del parent[path[-1]]
        document = _replace(document, path[:-1], parent)
    elif action == "add" and isinstance(_get(document, path), dict):
        name = draw(st.sampled_from(names) | st.text(max_size=8))
        document = _replace(document, path, {**_get(document, path), name: draw(values)})
    elif action == "wrap":
        document = _replace(document, path, [_get(document, path)])
    else:
        document = _replace(document, path, draw(values))
    request.body = encode_json(document)
    request.notes.append(f"json {action} at {path!r}"[:200])


def _get(value, path):
    for part in path:
        value = value[part]
    return value


@st.composite
def mutate_form(draw, request: Request, in_query: bool) -> None:
    text = request.path.partition("?")[2] if in_query else request.body.decode("utf-8", "replace")
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        pairs = [("x", "1")]
    position = draw(st.integers(0, len(pairs) - 1))
    name, value = pairs[position]
    action = draw(st.sampled_from(["value", "value", "index", "array", "drop", "duplicate"]))
    if action == "value":
        new = draw(scalars)
        pairs[position] = (name, "" if new is None else str(new))
    elif action == "index":
        base = name.split("[", 1)[0] or "data"
        depth = draw(st.integers(1, 3))
        pairs[position] = (base + "".join(f"[{draw(st.sampled_from(INDICES))}]" for _ in range(depth)), value)
    elif action == "array":
        pairs[position:position + 1] = [(f"{name}[]", value), (f"{name}[]", str(draw(scalars)))]
    elif action == "drop":
        del pairs[position]
    else:
        pairs.append((name, str(draw(scalars))))
    encoded = "&".join(f"{quote(n, safe='[]', errors='surrogatepass')}={quote(v, safe='', errors='surrogatepass')}" for n, v in pairs)
    if in_query:
        request.path = request.path.partition("?")[0] + "?" + encoded
    else:
        request.body = encoded.encode()
    request.notes.append(f"form {action} {name[:40]}")


XML_SNIPPETS = ["&#1;", "&#xD800;", "&#0;", "<![CDATA[x]]>", "&amp;", "<a>" * 80 + "</a>" * 80, "&unknown;", "\x01",
                "<x array='true'><y>1</y></x>", "²", "9" * 5000, "<!-- c -->", "<?pi x?>"]


@st.composite
def mutate_xml(draw, request: Request) -> None:
    text = request.body.decode("utf-8", "replace")
    spots = [m.end() for m in re.finditer(r">", text)]
    if not spots:
        return
    at = draw(st.sampled_from(spots))
    choice = draw(st.sampled_from(["snippet", "value", "doctype"]))
    if choice == "doctype":
        text = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + text.split("?>", 1)[-1]
    else:
        insert = draw(st.sampled_from(XML_SNIPPETS)) if choice == "snippet" else \
            str(draw(scalars)).replace("&", "&amp;").replace("<", "&lt;")
        text = text[:at] + insert + text[at:]
    request.body = text.encode("utf-8", "surrogatepass")
    request.notes.append(f"xml {choice}")


@st.composite
def mutate_path(draw, request: Request) -> None:
    path, _, query = request.path.partition("?")
    parts = path.split("/")
    spots = [i for i, p in enumerate(parts) if p and (p.isdigit() or i == len(parts) - 1 or len(p) > 10)]
    if not spots:
        return
    at = draw(st.sampled_from(spots))
    parts[at] = quote(str(draw(st.sampled_from(HUGE_INTS) | st.sampled_from(ODD_TEXT))), safe="", errors="surrogatepass")[:6000] or "%20"
    request.path = "/".join(parts) + (f"?{query}" if query else "")
    request.notes.append(f"path segment {at}")


@st.composite
def mutate_headers(draw, request: Request) -> None:
    action = draw(st.sampled_from(["charset", "auth", "accept", "gzip", "content-type"]))
    if action == "charset":
        key = _header(request, "Content-Type") or "Content-Type"
        media = (request.headers.get(key) or "application/json").split(";", 1)[0]
        request.headers[key] = f"{media}; charset={draw(st.sampled_from(CHARSETS))}"
    elif action == "auth":
        key = _header(request, "Authorization") or "Authorization"
        raw = draw(st.binary(max_size=12))
        request.headers[key] = draw(st.sampled_from([
            "Basic " + base64.b64encode(b":" + raw).decode() + "\xff\xfe\x80", "Basic \xff\xfe\x80", "Basic ====",
            "Basic " + base64.b64encode(raw).decode(), "Bearer " + raw.decode("latin-1"), "Basic", "",
            "Digest x", "basic " + base64.b64encode(b"\xff:\xfe").decode()]))
    elif action == "accept":
        request.headers["Accept"] = draw(st.sampled_from(["application/xml", "text/xml", "text/plain", "*/*",
                                                          "application/json;q=0.1, application/xml", "\x00"]))
    elif action == "gzip":
        request.headers["Content-Encoding"] = draw(st.sampled_from(["gzip", "deflate", "br", "x-gzip"]))
        if draw(st.booleans()):
            request.body = gzip.compress(request.body)[: draw(st.integers(0, 40))]
    else:
        key = _header(request, "Content-Type") or "Content-Type"
        request.headers[key] = draw(st.sampled_from(["application/xml", "application/json", "text/plain",
                                                     "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
                                                     "", "application/*+json", "\x7f"]))
    request.notes.append(f"header {action}")


@st.composite
def mutate_bytes(draw, request: Request) -> None:
    action = draw(st.sampled_from(["truncate", "garbage", "invalid-utf8"]))
    body = request.body
    if action == "truncate" and body:
        request.body = body[: draw(st.integers(0, len(body) - 1))]
    elif action == "garbage":
        request.body = draw(st.binary(max_size=64))
    else:
        at = draw(st.integers(0, len(body)))
        request.body = body[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xf4\x90\x80\x80"])) \
            + body[at:]
    request.notes.append(f"bytes {action}")


def _kind(request: Request) -> str:
    key = _header(request, "Content-Type")
    media = (request.headers.get(key) or "") if key else ""
    stripped = request.body.lstrip()[:1]
    if "xml" in media or stripped == b"<":
        return "xml"
    if "json" in media or stripped in (b"{", b"["):
        return "json"
    return "form" if request.body else "none"


@st.composite
def hostile_request(draw, corpus: Corpus) -> Request:
    seed = draw(st.sampled_from(corpus.seeds))
    request = Request(seed.method, seed.path, dict(seed.headers), seed.body, [seed.case])
    for _ in range(draw(st.integers(1, 2))):
        kind = _kind(request)
        options = ["path", "headers", "bytes"] + (["query"] * 2 if "?" in request.path else [])
        options += {"json": ["json"] * 5, "xml": ["xml"] * 4, "form": ["form"] * 5, "none": []}[kind]
        chosen = draw(st.sampled_from(options))
        if chosen == "json":
            draw(mutate_json(request, corpus.names))
        elif chosen == "xml":
            draw(mutate_xml(request))
        elif chosen == "form":
            draw(mutate_form(request, in_query=False))
        elif chosen == "query":
            draw(mutate_form(request, in_query=True))
        elif chosen == "path":
            draw(mutate_path(request))
        elif chosen == "headers":
            draw(mutate_headers(request))
        else:
            draw(mutate_bytes(request))
    return request


# -- invariants -------------------------------------------------------------------------------------------
class Records(logging.Handler):
    """Every log record of every logger, formatted as a log line would be (traceback included)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


def is_error_answer(dialect: str, status: int, body: bytes) -> bool:
    """Does the answer refuse the request as a whole (so it must have written nothing)?"""
    if status >= 400:
        return True
    if dialect == "unisender":
        try:
            answer = orjson.loads(body)
        except orjson.JSONDecodeError:
            return False
        return isinstance(answer, dict) and "error" in answer
    if dialect == "altcraft":
        if body.lstrip()[:1] == b"<":
            return re.search(rb"<error>\s*0\s*</error>", body) is None and b"<error>" in body
        try:
            answer = orjson.loads(body)
        except orjson.JSONDecodeError:
            return False
        return isinstance(answer, dict) and answer.get("error") not in (0, None)
    if dialect == "icomm":
        try:
            answer = orjson.loads(body)
        except orjson.JSONDecodeError:
            return False
        results = [v for k, v in answer.items() if k.endswith("JsonResult")] if isinstance(answer, dict) else []
        return any(isinstance(r, dict) and r.get("StatusCode") in ICOMM_REQUEST_ERRORS for r in results)
    return False


# Icomm's StatusCodes that refuse a request whole (adapters/icomm/errors.py); 101-104 are an item's.
ICOMM_REQUEST_ERRORS = frozenset({110, 111, 112, 120, 121, 122, 123, 124, 199})


def changes() -> int:
    """Rows the store connection has inserted, updated or deleted so far (SQLite's own counter)."""
    return store.database().connection().total_changes


def findings(dialect: str, request: Request, status: int, body: bytes, written: int, new_lines: list[str],
             secrets: set[str]) -> list[str]:
    found = []
    if status >= 500:
        found.append(f"HTTP {status}")
    for line in new_lines:
        if "unexpected error" in line or " ERROR " in line or "Traceback" in line:
            found.append(f"internal error logged: {line[:300]}")
            break
    if written and is_error_answer(dialect, status, body):
        found.append(f"error answer wrote {written} rows")
    for line in new_lines:
        leaked = [s for s in secrets if len(s) >= 8 and s in line]
        if leaked:
            found.append(f"credential in a log line: {line[:200]}")
            break
    return [f"{f} — {request} -> {status} {body[:300]!r}" for f in found]


def bounded(examples: int):
    """Hypothesis settings of every fuzz test: a fixed seed, `examples` requests, no shrinking phase
    (a finding is reported with the request that made it), no example database on disk."""
    from hypothesis import HealthCheck, Phase, settings

    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


# -- running -----------------------------------------------------------------------------------------------
def sqlite_app(path, monkeypatch):
    """A fresh SQLite store and the WSGI app over it; links the requests name are never called."""
    import socket

    import webtest

    from core import migrate
    from gateway.app import create_app
    from gateway.config import Settings

    url = f"sqlite:///{path}"
    store.open_database(url)
    migrate.migrate(url)
    monkeypatch.setenv("OUTBOUND_BLOCK_PRIVATE", "1")

    def no_network(*args, **kwargs):
        raise OSError("the fuzz suite makes no outside connections")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    return webtest.TestApp(create_app(Settings(database_url=url, fetch_timeout=1)))


class Checker:
    """Sends requests and collects the invariants' findings, with every log line captured meanwhile."""

    def __init__(self, app, dialect: str, secrets: set[str]):
        self.app, self.dialect, self.secrets = app, dialect, secrets
        self.records = Records()
        self.problems: list[str] = []
        self.sent = 0

    def __enter__(self) -> "Checker":
        root = logging.getLogger()
        self.level = root.level
        root.addHandler(self.records)
        root.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc) -> None:
        root = logging.getLogger()
        root.removeHandler(self.records)
        root.setLevel(self.level)

    def send(self, request: Request) -> None:
        self.sent += 1
        before, lines = changes(), len(self.records.lines)
        try:
            response = self.app.request(request.path, method=request.method, headers=request.headers,
                                        body=request.body, expect_errors=True)
            status, body = response.status_int, response.body
        except Exception as exc:  # noqa: BLE001 - a request the WSGI stack could not even answer
            status, body = 599, repr(exc).encode()
        found = findings(self.dialect, request, status, body, changes() - before, self.records.lines[lines:],
                         self.secrets)
        if found:  # shown at once: a long run's findings are not lost if it is stopped
            print("\n".join(f"FINDING {f}" for f in found), file=sys.stderr, flush=True)
        self.problems.extend(found)

    def report(self, label: str, seconds: float, summary: str | None) -> str:
        """One line of figures (appended to `summary` when given); the server must answer after."""
        assert self.app.get("/healthz").status_int == 200
        line = f"{label}: {self.sent} requests, {seconds:.0f} s, {len(self.problems)} findings"
        if summary:
            with open(summary, "a", encoding="utf-8") as out:
                out.write(line + "\n")
        return line
