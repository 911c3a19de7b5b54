"""Benchmark plumbing: a throw-away store, direct WSGI calls, timing, the raw-limit baseline."""
from __future__ import annotations

import io
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from urllib.parse import parse_qsl

os.environ.setdefault("QUEUE_URL", "memory://")


def fresh_store() -> str:
    """A SQLite store in a new temporary folder (the gateway's embedded default)."""
    folder = tempfile.mkdtemp(prefix="cg-bench-")
    return f"sqlite:///{folder}/bench.db"


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


def report(title: str, rows: list[tuple[str, int, float, float]]) -> None:
    """rows: (label, contacts, gateway seconds, raw seconds)."""
    print(f"\n{title}")
    print(f"{'case':<28}{'contacts':>10}{'gateway c/s':>14}{'raw c/s':>12}{'ratio':>8}")
    for label, count, gateway, raw in rows:
        print(f"{label:<28}{count:>10}{count / gateway:>14,.0f}{count / raw:>12,.0f}{raw / gateway:>8.2f}")


def median(values):
    return statistics.median(values)
