"""`contact-gateway export`: every contact once, the native API's shape per JSON line, one CSV column per field."""
from __future__ import annotations

import csv
import io
import json

from adapters.native.render import contact as render
from core import catalog, contact_reads
from core.model import ContactChange, ListChange, UpsertCommand
from core.upsert import upsert
from gateway.export import export
from querycount import count_queries


def _seed(account_id: int, n: int) -> None:
    catalog.create_field(account_id, "City", "string")
    catalog.create_list(account_id, "News", number=7)
    upsert(account_id, UpsertCommand(items=[
        ContactChange(identities={"email": f"e{i}@example.com"}, attrs={"first_name": f"F{i}"},
                      fields={"City": "Oslo, \"north\""}, tags=["a", "b"], lists=[ListChange(7)]) for i in range(n)]))


def test_jsonl_is_the_native_shape_page_by_page(store_url, account, monkeypatch):
    _seed(account.id, 25)
    monkeypatch.setattr("gateway.export.PAGE", 10)
    out = io.StringIO()
    with count_queries() as seen:
        assert export(account.id, out, "jsonl", progress=False) == 25
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [c["id"] for c in lines] == [v.id for page in contact_reads.every(account.id) for v in page]
    assert lines[0] == json.loads(json.dumps(render(contact_reads.detail(account.id, lines[0]["id"]))))
    assert len(seen) < 30  # three pages, a few queries each: not a query per contact


def test_csv_has_a_column_per_field(store_url, account):
    _seed(account.id, 3)
    out = io.StringIO()
    assert export(account.id, out, "csv", progress=False) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 3
    assert rows[0]["email"] == "e0@example.com" and rows[0]["fields.City"] == 'Oslo, "north"'
    assert rows[0]["attributes.first_name"] == "F0" and rows[0]["tags"] == "a;b"
    assert rows[0]["lists"] == "7:email:subscribed" and rows[0]["confirmed"] == "true"
