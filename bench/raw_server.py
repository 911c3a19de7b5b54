"""The single-request raw limit: falcon + orjson + one upsert and commit per request, under gunicorn.

`POST /raw` with {"email": …, "name": …}: decoded by orjson, one `INSERT … ON CONFLICT DO UPDATE`
of that contact and a commit, answered with its id. RAW_DATABASE_URL names the store (a SQLite
file in WAL mode, or a PostgreSQL schema); `python -m bench.raw_server --create URL` makes its table.

Run: gunicorn --workers 2 'bench.raw_server:app'
"""
from __future__ import annotations

import os
import sqlite3
import sys

import falcon
import orjson

URL = os.environ.get("RAW_DATABASE_URL", "")
UPSERT = ("INSERT INTO raw_contact (email, name, updated_at) VALUES ({p}, {p}, CURRENT_TIMESTAMP) "
          "ON CONFLICT (email) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at RETURNING id")


def connect(url: str):
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.split("///", 1)[1], isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=wal")
        connection.execute("PRAGMA synchronous=normal")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection, "?"
    import psycopg2

    return psycopg2.connect(url), "%s"


def create(url: str) -> None:
    connection, _ = connect(url)
    serial = "INTEGER PRIMARY KEY" if url.startswith("sqlite") else "BIGSERIAL PRIMARY KEY"
    connection.cursor().execute(f"CREATE TABLE IF NOT EXISTS raw_contact (id {serial}, email TEXT NOT NULL UNIQUE, "
                                "name TEXT, updated_at TIMESTAMP)")
    connection.commit()
    connection.close()


class Raw:
    def __init__(self):
        self.connection = None

    def on_post(self, req, resp):
        if self.connection is None:  # opened in the worker, after gunicorn's fork
            self.connection, param = connect(URL)
            self.sql = UPSERT.format(p=param)
            self.sqlite = URL.startswith("sqlite")
        item = orjson.loads(req.bounded_stream.read())
        cursor = self.connection.cursor()
        if self.sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(self.sql, (item["email"], item["name"]))
        contact_id = cursor.fetchone()[0]
        if self.sqlite:
            cursor.execute("COMMIT")
        else:
            self.connection.commit()
        resp.data = orjson.dumps({"id": contact_id})
        resp.content_type = "application/json"


app = falcon.App()
app.add_route("/raw", Raw())

if __name__ == "__main__" and sys.argv[1:2] == ["--create"]:
    create(sys.argv[2])
