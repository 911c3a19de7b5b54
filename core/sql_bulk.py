"""The statements that carry a whole batch, written as plain SQL text.

Peewee builds every value as an expression node, which costs more than the database work for a
500-row insert or a 1,000-value IN list; these statements are text with one placeholder per value
instead. Values still pass through the field conversions that matter (JSON, and what the driver
cannot adapt), so rows read and write exactly as through peewee.
"""
from __future__ import annotations

import io
import re
import zlib
from datetime import date, datetime, timezone

import peewee as pw

from . import db as store


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column(model, name: str) -> str:
    return quote(model._meta.fields[name].column_name)


def _writer(field):
    """The conversion a value needs on its way in, or None when the driver takes it as it is."""
    if type(field) is pw.DateTimeField:
        return _sqlite_datetime if store.is_sqlite() else None
    if isinstance(field, pw.ForeignKeyField) or type(field) in (pw.CharField, pw.TextField, pw.IntegerField,
                                                               pw.BigIntegerField, pw.AutoField, pw.BigAutoField,
                                                               pw.BooleanField):
        return None
    return field.db_value


def _sqlite_datetime(value, _cache={}):  # noqa: B006 - a deliberate memo: a batch shares a few timestamps
    # The text sqlite3's own (deprecated) adapter would write, without its per-value Python call.
    if value is None:
        return None
    if value.__class__ is not datetime:
        return value
    text = _cache.get(value)
    if text is None:
        if len(_cache) > 4096:
            _cache.clear()
        text = _cache[value] = value.isoformat(" ")
    return text


def _reader(field):
    """The conversion a value needs on its way out, or None."""
    if isinstance(field, pw.ForeignKeyField) or type(field) in (pw.CharField, pw.TextField, pw.IntegerField,
                                                               pw.BigIntegerField, pw.AutoField, pw.BigAutoField):
        return None
    if type(field) is pw.DateTimeField:
        return _datetime
    return field.python_value


def _datetime(value):
    # SQLite hands back the ISO text sqlite3 wrote; fromisoformat reads it far faster than peewee's
    # format-by-format guessing. PostgreSQL already returns datetimes.
    if value is None or value.__class__ is datetime:
        return value
    return datetime.fromisoformat(value)


# From this many rows PostgreSQL takes them by COPY (a few more round trips, far less to parse);
# below it, one INSERT … VALUES: a one-contact write stays one statement.
COPY_MIN_ROWS = 5


def insert_rows(model, columns: list[str], rows: list[tuple], conflict: list[str] | None = None,
                update: list[str] | None = None) -> None:
    """INSERT rows (tuples in `columns` order); ON CONFLICT (conflict) DO UPDATE update / DO NOTHING.

    Batches over the backend's parameter limit are split (PostgreSQL's COPY path has none).
    """
    if not rows:
        return
    database = store.database()
    values_by_column = list(zip(*rows))
    # A column NULL in every row is left to its default (NULL): fewer values to bind, same rows.
    keep = [i for i, values in enumerate(values_by_column) if values.count(None) != len(values)]
    if len(keep) < len(columns):
        columns = [columns[i] for i in keep]
        values_by_column = [values_by_column[i] for i in keep]
    shape = (model, tuple(columns), tuple(conflict or ()), tuple(update or ()), store.is_sqlite())
    known = _INSERT_SHAPES.get(shape)
    if known is None:  # a batch's statements have a handful of shapes: their text is built once each
        if len(_INSERT_SHAPES) > 1000:  # shapes come from code and the all-NULL rule; a bound all the same
            _INSERT_SHAPES.clear()
        known = _INSERT_SHAPES[shape] = _insert_shape(model, columns, conflict, update, database.param)
    fields, writers, head, tail, row_sql = known
    # Column by column: one comprehension per converted column instead of a call per cell.
    for index, write in writers:
        values_by_column[index] = [write(value) for value in values_by_column[index]]
    if store.is_sqlite():
        # sqlite3 runs one prepared statement over all rows in C: faster than a giant VALUES list.
        database.cursor().executemany(head + row_sql + tail, list(zip(*values_by_column)))
        return
    if len(rows) >= COPY_MIN_ROWS:
        text = _copy_text(values_by_column)
        if text is not None:
            _copy_rows(database, model, fields, text, conflict, tail)
            return
    rows = list(zip(*values_by_column))
    per_statement = max(1, store.max_params() // len(fields))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        store.execute_later(head + ", ".join([row_sql] * len(chunk)) + tail, [value for row in chunk for value in row])


_INSERT_SHAPES: dict = {}


def _insert_shape(model, columns, conflict, update, param: str) -> tuple:
    """insert_rows' fields, value writers and statement text for one shape of statement."""
    fields = [model._meta.fields[name] for name in columns]
    writers = [(i, w) for i, w in enumerate(_writer(f) for f in fields) if w is not None]
    head = f"INSERT INTO {quote(model._meta.table_name)} ({', '.join(quote(f.column_name) for f in fields)}) VALUES "
    tail = ""
    if conflict:
        target = ", ".join(_column(model, name) for name in conflict)
        if update:
            sets = ", ".join(f"{_column(model, n)} = EXCLUDED.{_column(model, n)}" for n in update)
            tail = f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
        else:
            tail = f" ON CONFLICT ({target}) DO NOTHING"
    return fields, writers, head, tail, "(" + ", ".join([param] * len(fields)) + ")"


def _copy_rows(database, model, fields, copy_text: str, conflict, tail: str) -> None:
    """PostgreSQL, many rows: COPY them in, the text format the server reads fastest.

    Without a conflict target the rows go straight into the table; COPY keeps their order, so ids
    the table's sequence hands out follow it (the event outbox relies on that). An upsert COPYs
    into a temporary table shaped like the target, then moves the rows with one
    INSERT … SELECT … ON CONFLICT: the same shape as the raw limit (bench/common.py PgRawStore).
    """
    table = quote(model._meta.table_name)
    names = ", ".join(quote(f.column_name) for f in fields)
    text = io.StringIO(copy_text)
    if not conflict:
        # The raw cursor first sends what waits for the next round trip (db.PostgresStore), in order.
        database.cursor().copy_expert(f"COPY {table} ({names}) FROM STDIN", text, size=1 << 16)
        return
    # Created once per connection (IF NOT EXISTS: a rolled-back transaction takes its creation with
    # it); named for the model's columns, so a connection that outlives a migration never COPYs
    # into an outdated shape. ON COMMIT DELETE ROWS, and the move below empties it anyway. The
    # CREATE rides on the COPY's round trip, the move on the transaction's next one.
    shape = zlib.crc32(",".join(f.column_name for f in model._meta.sorted_fields).encode())
    staging = f"pg_temp.{quote(f'bulk_{model._meta.table_name}_{shape:x}')}"
    store.execute_later(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "
                        f"SELECT * FROM {table} WITH NO DATA")
    database.cursor().copy_expert(f"COPY {staging} ({names}) FROM STDIN", text, size=1 << 16)
    store.execute_later(f"WITH moved AS (DELETE FROM {staging} RETURNING {names}) "
                        f"INSERT INTO {table} ({names}) SELECT {names} FROM moved{tail}")


_NULL = "\\N"
_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match) -> str:
    return _ESCAPED[match.group()]


def _copy_text(values_by_column) -> str | None:
    """Rows in COPY's text format, built column by column: one pass per column picks the
    conversion, and a column of plain strings is checked for characters to escape in one scan.

    None when a text holds a NUL, which COPY cannot carry: those rows take the INSERT path, which
    refuses them as it always did."""
    columns = []
    for values in values_by_column:
        kinds = set(map(type, values))
        kinds.discard(type(None))
        if kinds <= {str}:
            joined = "".join([v for v in values if v is not None])
            if "\0" in joined:
                return None
            if _SPECIAL.search(joined):
                values = [None if v is None else _SPECIAL.sub(_escape, v) for v in values]
            text = [_NULL if v is None else v for v in values]
        elif kinds <= {int} or kinds <= {float} or kinds <= {int, float}:
            text = [_NULL if v is None else str(v) for v in values]
        elif kinds <= {bool}:
            text = [_NULL if v is None else "t" if v else "f" for v in values]
        elif kinds <= {datetime}:
            memo = {}  # a batch shares a few timestamps
            text = [_NULL if v is None else memo.get(v) or memo.setdefault(v, _copy_value(v)) for v in values]
        else:
            text = [_copy_value(v) for v in values]
            if any("\0" in v for v in text):
                return None
        columns.append(text)
    return "".join([line + "\n" for line in map("\t".join, zip(*columns))])


def _copy_value(value) -> str:
    """One value of any other kind in COPY's text format, as psycopg2 would have sent it."""
    if value is None:
        return _NULL
    if value.__class__ is bool:
        return "t" if value else "f"
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # the store keeps naive UTC
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = value if isinstance(value, str) else str(value)
    return _SPECIAL.sub(_escape, text)


_SELECT_SQL: dict = {}


def select_eq(model, conditions: dict, columns: list[str] | None = None) -> list:
    """Model instances where every `column = value` (None: IS NULL) holds.

    For the handful of small look-ups every request makes (its key, its database, its fields):
    the statement text is built once per shape, which spares peewee's query building, several
    times the cost of running the query itself.
    """
    database = store.database()
    names = columns or list(model._meta.fields)
    shape = (model, tuple(names), tuple((name, value is None) for name, value in conditions.items()),
             database.param)
    sql = _SELECT_SQL.get(shape)
    if sql is None:
        where = " AND ".join(f"{_column(model, name)} IS NULL" if value is None else
                             f"{_column(model, name)} = {database.param}" for name, value in conditions.items())
        fields = [model._meta.fields[name] for name in names]
        sql = _SELECT_SQL[shape] = (f"SELECT {', '.join(quote(f.column_name) for f in fields)} "
                                    f"FROM {quote(model._meta.table_name)} WHERE {where}")
    readers = [(name, reader) for name in names if (reader := _reader(model._meta.fields[name])) is not None]
    result = []
    for values in database.execute_sql(sql, [v for v in conditions.values() if v is not None]).fetchall():
        row = dict(zip(names, values))
        for name, read in readers:
            row[name] = read(row[name])
        result.append(model(__no_default__=True, **row))
    return result


def update_rows(model, key: str, columns: list[str], rows: list[tuple]) -> None:
    """UPDATE model SET columns WHERE key = …, for many (key, *values) rows in one statement."""
    if not rows:
        return
    database = store.database()
    fields = [model._meta.fields[name] for name in columns]
    writers = [_writer(f) for f in fields]
    converted = [(row[0], *[w(v) if w else v for w, v in zip(writers, row[1:])]) for row in rows]
    table = quote(model._meta.table_name)
    if store.is_sqlite():
        sets = ", ".join(f"{quote(f.column_name)} = ?" for f in fields)
        database.cursor().executemany(f"UPDATE {table} SET {sets} WHERE {_column(model, key)} = ?",
                                      [(*row[1:], row[0]) for row in converted])
        return
    names = [_column(model, key)] + [quote(f.column_name) for f in fields]
    sets = ", ".join(f"{n} = v.{n}" for n in names[1:])
    per_statement = max(1, store.max_params() // len(names))
    for start in range(0, len(converted), per_statement):
        chunk = converted[start:start + per_statement]
        values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
        casts = ", ".join(names)
        database.execute_sql(f"UPDATE {table} AS t SET {sets} FROM (VALUES {values}) AS v({casts}) "
                             f"WHERE t.{names[0]} = v.{names[0]}", [value for row in chunk for value in row])


_SELECT_HEADS: dict = {}


def select_where_in(model, conditions: list[tuple[str, list]], where: str = "", params: list | None = None,
                    columns: list[str] | None = None) -> list[dict]:
    """Rows of `model` where (`where`) AND (any of the `column IN values` conditions), as dicts.

    `conditions` holds (column name or SQL expression, values). Each condition is its own branch
    of a UNION, so every branch uses its own index (an OR of IN lists makes SQLite scan the whole
    database); lists over the parameter limit are split, which adds statements per 10,000s of
    values, never per row.
    """
    database = store.database()
    shape = (model, tuple(columns or ()), where, store.is_sqlite())
    known = _SELECT_HEADS.get(shape)
    if known is None:  # a request's contact read has a handful of shapes: its text is built once each
        names = columns or list(model._meta.fields)
        fields = [model._meta.fields[name] for name in names]
        readers = [(name, r) for name, r in ((f.name, _reader(f)) for f in fields) if r is not None]
        select = (f"SELECT {', '.join(quote(f.column_name) for f in fields)} FROM {quote(model._meta.table_name)} "
                  "WHERE " + (f"({where}) AND " if where else ""))
        if len(_SELECT_HEADS) > 1000:  # shapes come from code, not data; a bound all the same
            _SELECT_HEADS.clear()
        known = _SELECT_HEADS[shape] = (names, readers, select)
    names, readers, select = known
    fixed = list(params or [])
    budget = max(1, store.max_params() - 8 * (len(fixed) + 1))
    rows: dict = {}
    pending = [(expr if " " in expr or "(" in expr else _column(model, expr), list(values))
               for expr, values in conditions if values]
    while pending:
        branches, args, room = [], [], budget
        while pending and room > 0:
            expr, values = pending.pop()
            taken, rest = values[:room], values[room:]
            if rest:
                pending.append((expr, rest))
            branches.append(f"{select}{expr} IN ({', '.join([database.param] * len(taken))})")
            args.extend(fixed + taken)
            room -= len(taken) + len(fixed)
        # UNION ALL: rows found by two conditions are merged by id below, cheaper than SQL's dedup.
        cursor = database.execute_sql(" UNION ALL ".join(branches), args)
        for values in cursor.fetchall():
            row = dict(zip(names, values))
            key = row.get("id", len(rows))
            if key in rows:
                continue
            for name, read in readers:
                row[name] = read(row[name])
            rows[key] = row
    return list(rows.values())
