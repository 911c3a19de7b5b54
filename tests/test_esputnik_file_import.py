"""POST /v1/contacts/upload from a local HTTP server: a good file, broken ones, unreachable links; never half-written."""
from __future__ import annotations

import base64

import pytest

from core import catalog
from core.schema import Contact, JobBlob
from esputnik_http import call, ok
from local_http import serving
from processes import free_port

GOOD = ("First name,Last name,Email,SMS,City,Personal.Birthday,Unknown column\n"
        "Ann,Lee,ann@example.com,+380501112233,Kyiv,1990-03-09,ignored\n"
        '"Bob, Jr.",,bob@example.com,,,,\n'
        "\n"
        "Bad,,not-an-email,,,,\n")


@pytest.fixture
def server():
    files: dict = {}
    with serving(files) as (base, httpd):
        yield base, files, httpd


@pytest.fixture
def birthday(account):
    catalog.create_field(account.id, "Birthday", type="date", number=15867,
                         attrs={"profile_key": "Personal", "field_key": "Birthday"})


def upload(app, account, link: str, **options) -> tuple[dict, dict]:
    answer = ok(call(app, account.key, "POST", "contacts/upload", {"dedupeOn": "email", "link": link, **options}))
    status = ok(call(app, account.key, "GET", f"importstatus/{answer['asyncSessionId']}"))
    return answer, status


def stored(account) -> list:
    return list(Contact.select().where(Contact.account == account.id).order_by(Contact.id))


def test_a_good_file_with_credentials_in_the_link(app, account, server, birthday):
    base, files, httpd = server
    files["/export/contacts.csv"] = GOOD.encode("utf-8-sig")
    host = base.removeprefix("http://")
    answer, status = upload(app, account, f"http://crm:p%40ss@{host}/export/contacts.csv",
                            groupNames=["Imported"], eventKeyForNewContacts="newContactweb")
    assert answer == {"message": "The file has been accepted for import", "asyncSessionId": answer["importId"],
                      "importId": answer["importId"], "fileId": answer["importId"], "valid": True}
    assert [headers["Authorization"] for _, headers in httpd.seen] == [
        "Basic " + base64.b64encode(b"crm:p@ss").decode()]
    assert status["status"] == "FINISHED"
    assert status["description"].startswith("3 contacts: 2 created, 0 updated, 1 failed (#3: Invalid email")
    ann, bob = stored(account)
    assert status["mapping"] == [{"dedupeValue": "ann@example.com", "contactId": ann.id},
                                 {"dedupeValue": "bob@example.com", "contactId": bob.id}]
    view = ok(call(app, account.key, "GET", f"contact/{ann.id}"))
    assert view["fields"] == [{"id": 15867, "value": "1990-03-09"}] and view["address"] == {"town": "Kyiv"}
    assert view["groups"][0]["name"] == "Imported" and bob.attrs == {"first_name": "Bob, Jr."}
    assert JobBlob.select().count() == 0  # the downloaded file is not kept after the import
    # The same file again: updates, no new contacts.
    _, again = upload(app, account, f"{base}/export/contacts.csv")
    assert again["description"].startswith("3 contacts: 0 created, 2 updated") and len(stored(account)) == 2


@pytest.mark.parametrize("content, fragment", [
    (b'Email,First name\na@example.com,"unclosed\n', "not valid CSV"),
    (b"Email,First name\na@example.com,Ann\nb@example.com,Bob,extra\n", "Line 3 has 3 cells, the header has 2"),
    ("Email,First name\na@example.com,Ann\nb@example.com,Bj\xf6rn\n".encode("latin-1"), "not UTF-8"),
    (b"First name,Last name\nAnn,Lee\n", "no Email, SMS, Contact ID or externalCustomerId column"),
    (b"Email,email\na@example.com,b@example.com\n", "appears twice"),
    (b"", "The file is empty"),
])
def test_a_broken_file_writes_nothing(app, account, server, content, fragment):
    base, files, httpd = server
    files["/broken.csv"] = content
    _, status = upload(app, account, f"{base}/broken.csv")
    assert status["status"] == "ERROR" and fragment in status["description"], status
    assert "mapping" not in status and stored(account) == []
    assert JobBlob.select().count() == 0


def test_unreachable_missing_and_oversized_links(app, account, server, monkeypatch):
    base, files, httpd = server
    _, status = upload(app, account, f"http://127.0.0.1:{free_port()}/gone.csv")
    assert status["status"] == "ERROR" and "could not be reached" in status["description"]
    _, status = upload(app, account, f"{base}/missing.csv")
    assert (status["status"], status["description"]) == ("ERROR", f"{base}/missing.csv answered HTTP 404")
    files["/big.csv"] = b"Email\n" + b"someone@example.com\n" * 100
    monkeypatch.setenv("FETCH_MAX_BYTES", "1000")
    _, status = upload(app, account, f"{base}/big.csv")
    assert (status["status"], status["description"]) == ("ERROR", "The file is larger than 1000 bytes")
    assert stored(account) == []


def test_private_addresses_are_refused_when_blocked(app, account, server, monkeypatch):
    base, files, httpd = server
    files["/a.csv"] = b"Email\na@example.com\n"
    monkeypatch.setenv("OUTBOUND_BLOCK_PRIVATE", "1")
    _, status = upload(app, account, f"{base}/a.csv")
    assert status["status"] == "ERROR" and "is not a public address" in status["description"]
    assert stored(account) == []


def test_upload_request_refusals(app, account):
    for body, fragment in [({"dedupeOn": "email"}, "link is required"),
                           ({"dedupeOn": "email", "link": "ftp://host/file.csv"}, "http or https"),
                           ({"link": "https://host/file.csv"}, "dedupeOn is required"),
                           ({"link": "https://host/file.csv", "dedupeOn": "bogus"}, "Invalid dedupeOn")]:
        response = call(app, account.key, "POST", "contacts/upload", body)
        assert response.status_int == 400 and fragment in response.text, response.text
