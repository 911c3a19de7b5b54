"""The one store connection: DATABASE_URL to a peewee database, pragmas, and write transactions."""
from __future__ import annotations

import fcntl
import os
import threading
import zlib
from contextlib import contextmanager, nullcontext
from itertools import islice
from pathlib import Path

import peewee
from playhouse.db_url import connect

proxy = peewee.DatabaseProxy()
_lock = threading.Lock()
_url: str | None = None

DEFAULT_URL = "sqlite:///var/contact-gateway.db"

# WAL lets readers run beside the one writer; busy_timeout makes writers of several gunicorn
# workers wait for each other instead of failing with "database is locked".
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "busy_timeout": 30000,
    "foreign_keys": 1,
    "cache_size": -32000,
}


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def open_database(url: str | None = None) -> peewee.Database:
    """Bind the models to the store at `url` (default: DATABASE_URL, else the SQLite file)."""
    global _url
    url = url or database_url()
    with _lock:
        if _url == url and proxy.obj is not None:
            return proxy.obj
        if proxy.obj is not None:
            proxy.obj.close()
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            database = connect(url, pragmas=SQLITE_PRAGMAS)
        else:
            url = url.replace("postgres://", "postgresql://", 1)
            database = connect(url)
            database.__class__ = PostgresStore  # same state, same connection parameters
        proxy.initialize(database)
        _url = url
        return database


def database() -> peewee.Database:
    if proxy.obj is None:
        open_database()
    return proxy.obj


def is_sqlite() -> bool:
    return isinstance(database(), peewee.SqliteDatabase)


def max_params() -> int:
    """How many bound parameters one statement may carry on this backend."""
    return 30000 if is_sqlite() else 60000


_held = threading.local()  # the scopes whose write lock this thread's open transaction holds


@contextmanager
def write_transaction(scope: str):
    """One transaction that holds the write lock of `scope` (an account's database) to its end.

    Batches of one scope run one after another, so two concurrent imports of overlapping rows
    read each other's committed contacts and never create the same contact twice. PostgreSQL
    takes a transaction-level advisory lock, sent with BEGIN and the transaction's first statement
    in one round trip (so it is held before anything the transaction reads); SQLite takes its
    single writer lock at BEGIN. Inside a transaction that already holds `scope`'s lock this
    is that same transaction (no savepoint, no second lock): a failure inside fails it whole.
    """
    db = database()
    held = _held.__dict__.setdefault("scopes", [])
    if scope in held and db.transaction_depth() > 0:
        yield db.top_transaction()
        return
    sqlite = isinstance(db, peewee.SqliteDatabase)
    nested = db.transaction_depth() > 0  # another scope's transaction: a savepoint that also takes this lock
    if sqlite:
        manager = db.atomic("IMMEDIATE")
    else:
        manager = db.atomic() if nested else _LockedTransaction(db, scope)
    turn = _writer_turn(db.database) if sqlite and not nested else nullcontext()
    held.append(scope)
    try:
        with turn, manager as txn:
            if nested and not sqlite:  # (a savepoint does not deepen peewee's transaction stack)
                lock(scope)
            yield txn
    finally:
        held.remove(scope)


_turn_files = threading.local()  # this thread's open lock file per (process, SQLite file)


@contextmanager
def _writer_turn(path: str):
    """Wait for this SQLite file's writer lock on a lock file beside it, then hold it to the commit.

    SQLite's own wait for its writer lock (busy_timeout) polls: a writer that finds the lock taken
    sleeps 1, 2, 5, 10 … ms before it looks again, however soon the lock is free; with a few
    gunicorn workers writing one contact each, most of their waits were those sleeps. A flock
    waiter is woken by the kernel the moment the holder lets go. Writers that do not come through
    here (none in the gateway) still meet SQLite's own lock, so this only orders, never decides.
    """
    fd = _turn_file(path)
    if fd is None:
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _turn_file(path: str) -> int | None:
    """One descriptor per thread (flock orders open files, not threads) and per process (a forked
    worker must not share its parent's); None for an in-memory store or a folder we cannot write."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    files = _turn_files.__dict__.setdefault("files", {})
    key = (os.getpid(), path)
    if key not in files:
        try:
            files[key] = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            files[key] = None
    return files[key]


class _LockedTransaction(peewee._transaction):
    """A PostgreSQL transaction whose BEGIN and advisory lock go out with its first statement."""

    def __init__(self, db, scope: str):
        super().__init__(db)
        self.scope = scope

    def _begin(self):
        self.db.begin_later(f"SELECT pg_advisory_xact_lock({LOCK_KEY})", (lock_key(self.scope),))


class PostgresStore(peewee.PostgresqlDatabase):
    """PostgreSQL with statements that need no answer sent along with the next round trip.

    A write transaction of one contact is a handful of statements, and on PostgreSQL each round
    trip to the server costs more than the statement itself; while a transaction holds its
    account's lock, every round trip also holds up the account's other writers. So BEGIN, the
    lock, and the writes that return nothing (execute_later) wait, in order, and go out as one
    multi-statement text together with the next statement that needs an answer, or the COMMIT.
    A failure of a waiting statement is raised by that next call and fails the transaction, as
    it would have on its own; nothing waits outside a transaction.
    """

    def _waiting(self) -> list:
        return self._state.__dict__.setdefault("waiting", [])

    def execute_later(self, sql: str, params=None) -> None:
        """Send `sql` with the next statement (outside a transaction: now)."""
        if self.transaction_depth() == 0:
            super().execute_sql(sql, params)
            return
        with peewee.__exception_wrapper__:
            self._waiting().append(super().cursor().mogrify(sql, params or ()))

    def begin_later(self, sql: str, params) -> None:
        """BEGIN, and `sql` as the transaction's first statement, sent with its next round trip."""
        waiting = self._waiting()
        waiting.clear()
        waiting.append(b"BEGIN")
        self._state.__dict__["locked"] = True
        with peewee.__exception_wrapper__:
            waiting.append(super().cursor().mogrify(sql, params))

    def cursor(self, named_cursor=None):
        cursor = super().cursor(named_cursor)
        waiting = self._waiting()
        if waiting:  # a raw cursor's user (COPY, executemany) sees what was written before
            self._send_waiting(cursor, None)
        return cursor

    def _send_waiting(self, cursor, last: bytes | None) -> None:
        waiting = self._waiting()
        text = b"; ".join(waiting if last is None else [*waiting, last])
        waiting.clear()
        cursor.execute(text)

    def _execute_cursor(self, sql, params, **cursor_options):
        if not self._waiting():
            return super()._execute_cursor(sql, params, **cursor_options)
        self._log_query(sql, params)
        with peewee.__exception_wrapper__:
            cursor = super().cursor(**cursor_options)
            self._send_waiting(cursor, cursor.mogrify(sql, params or ()))
        return cursor

    def commit(self):
        locked = self._state.__dict__.pop("locked", False)
        with peewee.__exception_wrapper__:
            cursor = super().cursor()
            if not locked:
                self._send_waiting(cursor, b"COMMIT")
                return
            # A write lock is held to the end of the commit, and the commit's WAL flush is most of
            # a small write's time: the commit does not wait for it, so the account's next writer
            # starts at once; the answer still does. A transactional WAL message is a transaction
            # of its own whose commit waits for the flush of the WAL up to there, ours included:
            # when it returns, the write is as durable as a synchronous commit, and the flushes of
            # concurrent writers (any account) are grouped by the server instead of queued by the lock.
            self._send_waiting(cursor, b"SET LOCAL synchronous_commit TO off; COMMIT")
            cursor.execute("SELECT pg_logical_emit_message(true, 'contact-gateway', '')")

    def rollback(self):
        self._state.__dict__.pop("locked", None)
        waiting = self._waiting()
        begun = not (waiting and waiting[0] == b"BEGIN")  # else the server never saw this transaction
        waiting.clear()
        if begun:
            super().rollback()

    def _close(self, conn):
        self._waiting().clear()
        super()._close(conn)


def lock(scope: str) -> None:
    """Also hold `scope`'s write lock until the current transaction ends (SQLite: already exclusive).

    PostgreSQL's advisory locks belong to the whole database, not to a schema: the key pairs the
    store's schema with the scope, so stores in other schemas of one database (test runs,
    benchmarks, tenants) never wait for each other's "account:1".
    """
    db = database()
    if not isinstance(db, peewee.SqliteDatabase):
        db.execute_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})", (lock_key(scope),))


def execute_later(sql: str, params=None) -> None:
    """A statement whose answer nobody reads: on PostgreSQL it goes out with the next round trip
    of the transaction (PostgresStore), on SQLite (no round trips) at once."""
    db = database()
    if isinstance(db, PostgresStore):
        db.execute_later(sql, params)
    else:
        db.execute_sql(sql, params)


LOCK_KEY = "hashtext(current_schema()), %s"  # the two int4 keys of a PostgreSQL advisory lock


def lock_key(scope: str) -> int:
    """The scope's half of its lock key (an int4)."""
    return zlib.crc32(scope.encode()) - (1 << 31)




def chunks(rows: list, width: int):
    """Slices of `rows` small enough for the backend's bound-parameter limit (`width` values a row)."""
    size = max(1, max_params() // max(width, 1))
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def allocate_ids(table: str, count: int) -> list[int]:
    """`count` fresh ids for rows of `table`, known before the INSERT (so no RETURNING is needed).

    Never an id handed out before, even after the row with the highest id was erased: a profile
    id derived from it may still sit in a client's database.
    """
    if count <= 0:
        return []
    db = database()
    if isinstance(db, peewee.SqliteDatabase):
        top = f'COALESCE((SELECT MAX(id) FROM "{table}"), 0)'
        cursor = db.execute_sql(
            f"INSERT INTO id_counter (name, value) VALUES (?, {top} + ?) "
            f"ON CONFLICT(name) DO UPDATE SET value = MAX(value, {top}) + ? RETURNING value", (table, count, count))
        last = cursor.fetchone()[0]
        return list(range(last - count + 1, last + 1))
    # The sequence looked up once (MATERIALIZED), not once per id: five times faster for a batch.
    cursor = db.execute_sql("WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
                            "SELECT nextval(seq) FROM s, generate_series(1, %s)", (f'"{table}"', count))
    return [row[0] for row in cursor.fetchall()]


def json_text_sql(column: str, key: str) -> str:
    """The same as json_text, as SQL text, for statements written by hand (key: a field id)."""
    if not key.isdigit():
        raise ValueError(f"field keys are numeric ids, got {key!r}")
    if is_sqlite():
        return f"CAST(json_extract(\"{column}\", '$.\"{key}\"') AS TEXT)"
    return f"json_extract_path_text(\"{column}\"::json, '{key}')"


def json_text(column, key: str):
    """SQL for the text of one top-level key of a JSON text column (custom-field matching)."""
    if is_sqlite():
        return peewee.fn.json_extract(column, f'$."{key}"').cast("TEXT")
    return peewee.fn.json_extract_path_text(column.cast("json"), key)
