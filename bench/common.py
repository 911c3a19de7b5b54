"""Benchmark plumbing: a throw-away store, direct WSGI calls, timing, the raw-limit baseline.

Every script runs on the store DATABASE_URL names: a fresh schema of that PostgreSQL
(`DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test`), else a fresh SQLite file. The raw
limit always runs on the same backend, beside it.
"""
from __future__ import annotations

import atexit
import io
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from urllib.parse import parse_qsl

os.environ.setdefault("QUEUE_URL", "memory://")


def postgres_base() -> str | None:
    """The PostgreSQL server DATABASE_URL names, or None (SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgresql://", "postgres://")) else None


def backend_label() -> str:
    return "PostgreSQL" if postgres_base() else "SQLite (WAL)"


def load() -> str:
    """The machine's load average (1, 5, 15 minutes), printed beside every figure."""
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def fresh_schema(prefix: str = "cg_bench") -> str:
    """A new, empty schema of the PostgreSQL server; its URL (dropped when the script ends)."""
    import psycopg2

    base = postgres_base()
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    connection = psycopg2.connect(base)
    connection.autocommit = True
    connection.cursor().execute(f"CREATE SCHEMA {schema}")
    connection.close()

    def drop():
        try:
            done = psycopg2.connect(base)
            done.autocommit = True
            done.cursor().execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            done.close()
        except Exception:  # noqa: BLE001 - best-effort clean-up
            pass

    atexit.register(drop)
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}"


def fresh_store() -> str:
    """A new store: a fresh PostgreSQL schema when DATABASE_URL names one, else a SQLite file."""
    if postgres_base():
        return fresh_schema()
    folder = tempfile.mkdtemp(prefix="cg-bench-")
    return f"sqlite:///{folder}/bench.db"


def raw_store(gateway_url: str):
    """The raw limit's store on the gateway's backend, beside the gateway's store."""
    if gateway_url.startswith("sqlite"):
        folder = gateway_url.split("///", 1)[1].rsplit("/", 1)[0]
        return RawStore(f"{folder}/raw.db")
    return PgRawStore(fresh_schema("cg_raw"))


def wsgi_caller(app):
    """Call the WSGI app like a server would, without a test client's own overhead."""

    def call(method: str, path: str, body: bytes, content_type: str, headers: dict | None = None):
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "bench",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
            "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        status = []
        chunks = app(environ, lambda s, h, exc_info=None: status.append(s))
        data = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return status[0], data

    return call


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def import_passes(url: str, send, warm: list[bytes], fresh: list[bytes], parse) -> tuple[float, float, float, float]:
    """Seconds for the gateway to take `fresh` as new contacts, then again as updates (after
    `warm`), and for the raw limit to do the same: parse([body]) -> (seconds, [rows, …]), rows written
    by a RawStore beside the gateway's store. Returns (gateway inserts, gateway updates, raw
    inserts, raw updates).

    Gateway and raw limit take the requests in turn, one each, so a slower stretch of a shared
    machine weighs on both sides alike.
    """
    send(warm)
    raw = raw_store(url)
    totals = []
    for _ in ("inserts", "updates"):
        gateway = limit = 0.0
        for body in fresh:
            gateway += timed(send, [body])
            parse_seconds, chunks = parse([body])  # the body's rows, in one chunk or in the job's chunks
            limit += parse_seconds + sum(raw.write(rows) for rows in chunks)
        totals.append((gateway, limit))
    raw.close()
    return totals[0][0], totals[1][0], totals[0][1], totals[1][1]


def raw_sqlite_limit(db_path: str, bodies: list[bytes], columns: list[str]) -> float:
    """Seconds to parse the same form bodies and upsert their rows into a bare table, in bulk.

    This is the floor for "parse + database upsert of the same rows": stdlib form parsing and one
    executemany INSERT … ON CONFLICT per request in a WAL SQLite file, nothing else.
    """
    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=wal")
    connection.execute("PRAGMA synchronous=normal")
    names = ", ".join(columns)
    connection.execute(f"CREATE TABLE IF NOT EXISTS raw_contact ({columns[0]} TEXT PRIMARY KEY, "
                       + ", ".join(f"{c} TEXT" for c in columns[1:]) + ")")
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    sql = (f"INSERT INTO raw_contact ({names}) VALUES ({', '.join('?' * len(columns))}) "
           f"ON CONFLICT({columns[0]}) DO UPDATE SET {updates}")
    start = time.perf_counter()
    for body in bodies:
        rows: dict[str, list] = {}
        for key, value in parse_qsl(body.decode(), keep_blank_values=True):
            if key.startswith("data["):
                row, col = key[5:-1].split("][")
                rows.setdefault(row, [None] * len(columns))[int(col)] = value
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, list(rows.values()))
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


class RawStore:
    """The raw limit's store: already-parsed rows (email, phone, fields JSON, list id) written into
    the gateway's own tables with one IN look-up, then executemany INSERT / UPDATE of the contacts
    and executemany INSERT of their list memberships, per request.

    The tables, indexes and foreign keys are the gateway's (created by its migration and enforced
    as its store enforces them), so this is the floor of "write these contacts, with their lists,
    into this store", without any rule or reply.
    """

    INSERT = ("INSERT INTO contact (id, account_id, database_id, email, phone, email_status, phone_status, confirmed, "
              "attrs, fields, channels, source, created_at, updated_at) "
              "VALUES (?, 1, 1, ?, ?, 'new', 'active', 1, '{}', ?, '{}', 'raw', ?, ?)")
    UPDATE = "UPDATE contact SET phone = ?, fields = ?, updated_at = ? WHERE id = ?"
    MEMBER = ("INSERT INTO membership (contact_id, list_id, channel, status, subscribed_at, updated_at, attrs) "
              "VALUES (?, ?, 'email', 'subscribed', ?, ?, '{}') ON CONFLICT DO NOTHING")
    STAMP = "2026-01-01 00:00:00"

    def __init__(self, db_path: str):
        from core import db as store, migrate

        url = f"sqlite:///{db_path}"
        previous = store.database_url() if store.proxy.obj is None else store._url
        migrate.migrate(url)
        store.open_database(previous)  # the gateway goes on with its own store
        self.connection = sqlite3.connect(db_path, isolation_level=None)
        # The store's own settings: WAL, and foreign keys enforced as the schema declares them.
        self.connection.execute("PRAGMA journal_mode=wal")
        self.connection.execute("PRAGMA synchronous=normal")
        self.connection.execute("PRAGMA foreign_keys=on")
        self.connection.execute("INSERT OR IGNORE INTO account (id, name, settings, created_at) "
                                "VALUES (1, 'raw', '{}', '2026-01-01 00:00:00')")
        self.connection.execute("INSERT OR IGNORE INTO database (id, account_id, number, name, attrs) "
                                "VALUES (1, 1, 1, '', '{}')")
        self.connection.execute("INSERT OR IGNORE INTO contact_list (id, account_id, database_id, space, number, "
                                "title, kind, attrs, created_at) VALUES (1, 1, 1, 'list', 1, 'One', 'list', '{}', "
                                "'2026-01-01 00:00:00')")

    def write(self, rows: list[tuple]) -> float:
        """Seconds to write one request's rows ((email, phone, fields JSON[, list id]))."""
        rows = [row if len(row) == 4 else (*row, None) for row in rows]
        start = time.perf_counter()
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        emails = [row[0] for row in rows]
        found = dict(connection.execute(
            f"SELECT email, id FROM contact WHERE database_id = 1 AND email IN ({', '.join('?' * len(emails))})",
            emails).fetchall())
        top = connection.execute("SELECT COALESCE(MAX(id), 0) FROM contact").fetchone()[0]
        ids, fresh = {}, []
        for email, phone, fields, _ in rows:
            if email not in found and email not in ids:
                top += 1
                ids[email] = top
                fresh.append((top, email, phone, fields, self.STAMP, self.STAMP))
        connection.executemany(self.INSERT, fresh)
        connection.executemany(self.UPDATE, [(phone, fields, self.STAMP, found[email])
                                             for email, phone, fields, _ in rows if email in found])
        connection.executemany(self.MEMBER, [(found.get(email) or ids[email], list_id, self.STAMP, self.STAMP)
                                             for email, _, _, list_id in rows if list_id])
        connection.execute("COMMIT")
        return time.perf_counter() - start

    def close(self) -> None:
        self.connection.close()


class PgRawStore:
    """The raw limit on PostgreSQL: COPY of the request's rows into a temporary table, then one
    INSERT … SELECT … ON CONFLICT DO UPDATE per table (contacts, then their list memberships), in
    one transaction per request.

    Same tables, indexes and foreign keys as the gateway's (its migration, in a schema of its
    own), plus the one thing an ON CONFLICT upsert of contacts by address needs and the gateway's
    store does not have: a unique index on (database, email). The gateway keeps identities as
    plain indexed columns (a dialect may keep two contacts with one address) and serialises an
    account's writers instead.
    """

    def __init__(self, url: str, create: bool = True):
        import psycopg2

        self.url = url
        if create:
            from core import db as store, migrate

            previous = store.database_url() if store.proxy.obj is None else store._url
            migrate.migrate(url)
            store.open_database(previous)
        self.connection = psycopg2.connect(url)
        cursor = self.connection.cursor()
        if not create:  # another writer's store: only this connection's temporary table
            cursor.execute("CREATE TEMPORARY TABLE raw_in (email text, phone text, fields text, list_id int) "
                           "ON COMMIT DELETE ROWS")
            self.connection.commit()
            return
        cursor.execute('CREATE UNIQUE INDEX raw_contact_email ON "contact" ("database_id", "email")')
        cursor.execute("""INSERT INTO account (id, name, settings, created_at) VALUES (1, 'raw', '{}', now())""")
        cursor.execute("""INSERT INTO database (id, account_id, number, name, attrs) VALUES (1, 1, 1, '', '{}')""")
        cursor.execute("""INSERT INTO contact_list (id, account_id, database_id, space, number, title, kind, attrs,
                          created_at) VALUES (1, 1, 1, 'list', 1, 'One', 'list', '{}', now())""")
        cursor.execute("CREATE TEMPORARY TABLE raw_in (email text, phone text, fields text, list_id int) "
                       "ON COMMIT DELETE ROWS")
        self.connection.commit()

    UPSERT = ("""INSERT INTO contact (account_id, database_id, email, phone, email_status, phone_status, confirmed,
                 attrs, fields, channels, source, created_at, updated_at)
                 SELECT 1, 1, email, phone, 'new', 'active', true, '{}', fields, '{}', 'raw', now(), now() FROM raw_in
                 ON CONFLICT (database_id, email) DO UPDATE
                 SET phone = EXCLUDED.phone, fields = EXCLUDED.fields, updated_at = EXCLUDED.updated_at""")
    MEMBER = ("""INSERT INTO membership (contact_id, list_id, channel, status, subscribed_at, updated_at, attrs)
                 SELECT c.id, r.list_id, 'email', 'subscribed', now(), now(), '{}'
                 FROM raw_in r JOIN contact c ON c.database_id = 1 AND c.email = r.email
                 WHERE r.list_id IS NOT NULL
                 ON CONFLICT (contact_id, list_id, channel) DO UPDATE SET updated_at = EXCLUDED.updated_at""")

    def write(self, rows: list[tuple]) -> float:
        """Seconds to write one request's rows ((email, phone, fields JSON[, list id]))."""
        start = time.perf_counter()
        text = io.StringIO()
        for row in rows:
            email, phone, fields = row[0], row[1], row[2]
            list_id = row[3] if len(row) > 3 else None
            text.write(f"{_copy(email)}\t{_copy(phone)}\t{_copy(fields)}\t{_copy(list_id)}\n")
        text.seek(0)
        cursor = self.connection.cursor()
        cursor.copy_expert("COPY raw_in FROM STDIN", text)
        cursor.execute(self.UPSERT)
        if any(len(row) > 3 and row[3] for row in rows):
            cursor.execute(self.MEMBER)
        self.connection.commit()
        return time.perf_counter() - start

    def close(self) -> None:
        self.connection.close()


def _copy(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def parse_rows(bodies: list[bytes], pairs=None) -> tuple[float, list[list[tuple]]]:
    """Seconds to parse the form bodies with the standard library (or `pairs(text)`), and the rows
    (email, phone, fields JSON, list id) of the four-column bench requests."""
    import orjson

    pairs = pairs or (lambda text: parse_qsl(text, keep_blank_values=True))
    start = time.perf_counter()
    result = []
    for body in bodies:
        cells: dict[str, dict[int, str]] = {}
        for key, value in pairs(body.decode()):
            if key.startswith("data["):
                row, col = key[5:-1].split("][")
                cells.setdefault(row, {})[int(col)] = value
        result.append([(c[0], c.get(2), orjson.dumps({"1": c.get(1)}).decode(), int(c[3]) if c.get(3) else None)
                       for c in cells.values()])
    return time.perf_counter() - start, result


def report(title: str, rows: list[tuple[str, int, float, float]]) -> None:
    """rows: (label, contacts, gateway seconds, raw-limit seconds)."""
    print(f"\n{title}, {backend_label()}; {load()}")
    print(f"{'case':<34}{'contacts':>10}{'gateway c/s':>14}{'raw limit c/s':>15}{'ratio':>8}")
    for label, count, gateway, raw in rows:
        print(f"{label:<34}{count:>10}{count / gateway:>14,.0f}{count / raw:>15,.0f}{raw / gateway:>8.2f}")


def bench_app(secret: str | None = None, dialect: str | None = None, username: str | None = None):
    """A fresh store and gateway app with one account and its key (new, or `secret` as given).

    Returns (store URL, WSGI caller, account id, key).
    """
    from core import accounts
    from gateway.app import create_app
    from gateway.config import Settings

    url = fresh_store()
    app = create_app(Settings(database_url=url))
    account = accounts.create_account("bench")
    _, key = accounts.add_key(account.id, secret, dialect=dialect, username=username)
    return url, wsgi_caller(app), account.id, key


def bench_account(list_kind: str = "list", channels: list[str] | None = None):
    """bench_app with list 1 "One" and a custom field "Name". Returns (store URL, WSGI caller, key)."""
    from core import catalog

    url, call, account_id, key = bench_app()
    catalog.create_list(account_id, "One", number=1, kind=list_kind, attrs={"channels": channels} if channels else None)
    catalog.create_field(account_id, "Name")
    return url, call, key
