# -*- coding: utf-8 -*-
"""The real PyPI `dotmailer` 0.4.2 client (Python 2 only) against the gateway.

Only its endpoint is changed, with the client's own setting (`Account.setup_connection(...,
endpoint=URL)`). Prints one JSON line per call on stdout: {"call", "ok", "res"} or {"call", "ok":
false, "err": exception class name}. The library prints debugging lines of its own: they go to stderr.
"""
import json
import os
import sys
import tempfile
import time

from dotmailer.account import Account
from dotmailer.address_books import AddressBook
from dotmailer.connection import connection
from dotmailer.contact_data_fields import ContactDataField
from dotmailer.contacts import Contact

URL = os.environ["GATEWAY_URL"]
USER = os.environ["GATEWAY_USER"]
PASSWORD = os.environ["GATEWAY_PASSWORD"]
OUT = sys.stdout
sys.stdout = sys.stderr  # the library's own `print` statements


def plain(value):
    """What a call returned, as JSON: the library's model objects by their attributes."""
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return dict((key, plain(item)) for key, item in value.items())
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return dict((key, plain(item)) for key, item in vars(value).items()
                    if not key.startswith("_") and not callable(item) and key != "required_fields")
    return value


def call(name, function, *args):
    """Report what a call returned; methods that return nothing (create, update) report their object."""
    try:
        result = function(*args)
    except Exception as exc:  # the library raises one class per Dotdigital error code
        OUT.write(json.dumps({"call": name, "ok": False, "err": type(exc).__name__}) + "\n")
        return None
    shown = function.__self__ if result is None and getattr(function, "__self__", None) is not None else result
    OUT.write(json.dumps({"call": name, "ok": True, "res": plain(shown)}) + "\n")
    return result


def poll(import_id):
    """The library's own status call asks /v2/contacts/imports/{id} (sic): poll the documented path."""
    for _ in range(100):
        status = connection.get("/v2/contacts/import/{}".format(import_id))
        if status["status"] != "NotFinished":
            return status
        time.sleep(0.1)
    return status


def csv_file(text):
    """A CSV file on disk, opened as the library's users pass it (in $TMPDIR, which the test sets)."""
    handle = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)
    handle.write(text)
    handle.close()
    return open(handle.name, "rb")


# -- the wrong API user first, then the real one -------------------------------------------------------
Account.setup_connection(username=USER, password="not-the-password", endpoint=URL)
call("wrong password", Account.get_account_information)
Account.setup_connection(username="apiuser-1@apiconnector.com", password=PASSWORD, endpoint=URL)
call("wrong user name", Account.get_account_information)
Account.setup_connection(username=USER, password=PASSWORD, endpoint=URL)
info = call("account info", Account.get_account_information)
# What setup_connection(endpoint=None) does with the answer: switch to the ApiEndpoint it names.
connection.url = [p["value"] for p in info["properties"] if p["name"] == "ApiEndpoint"][0]

# -- data fields ---------------------------------------------------------------------------------------
call("create field", ContactDataField(name="FirstName").create)
call("create numeric field", ContactDataField(name="POINTS", type="Numeric", visibility="Public",
                                              default_value=0).create)
call("create field again", ContactDataField(name="FIRSTNAME").create)
call("create and delete field", ContactDataField(name="TEMP").create)
call("delete field", ContactDataField(name="TEMP").delete)
call("list fields", ContactDataField.get_contact_fields)

# -- address books -------------------------------------------------------------------------------------
book = AddressBook(name="Newsletter")
call("create address book", book.create)
call("create address book again", AddressBook(name="Newsletter").create)
call("create public address book", AddressBook(name="Offers", visibility="Public").create)
call("get address book", AddressBook.get_by_id, book.id)
call("get missing address book", AddressBook.get_by_id, 987654)
call("all address books", AddressBook.get_all)
call("address books page", AddressBook.get_multiple, 1, 1)

# -- single contacts -----------------------------------------------------------------------------------
ann = Contact(email="Ann@Example.com", opt_in_type="Single", data_fields={"FIRSTNAME": "Ann", "POINTS": 5})
call("create contact", ann.create)
ann.data_fields["FIRSTNAME"] = u"Änne"
ann.email_type = "PlainText"
call("update contact", ann.update)
call("get by email", Contact.get_by_email, "ann@example.com")
call("get by id", Contact.get_by_id, ann.id)
call("create invalid contact", Contact(email="not an email").create)
call("create with unknown field", Contact(email="x@example.com", data_fields={"NOPE": 1}).create)
bob = Contact(email="bob+news@example.com", data_fields={"FIRSTNAME": "Bob"})
call("add to address book", bob.add_to_address_book, book)
call("get by email with a plus", Contact.get_by_email, "bob+news@example.com")  # '+' raw in the path
call("address book contacts", Contact.get_contacts_from_address_book, book)
call("all contacts", Contact.get_all)
call("contacts page", Contact.get_multiple, 1, 1)
call("unsubscribe", Contact.unsubscribe, "bob+news@example.com")
call("resubscribe", Contact.resubscribe, "bob+news@example.com")
call("delete contact", Contact.delete, ann.id)
call("get deleted contact", Contact.get_by_id, ann.id)

# -- bulk imports (CSV files, multipart) ---------------------------------------------------------------
started = call("bulk create", Contact.bulk_create,
               csv_file("Email,FirstName,Points\r\ncsv1@example.com,One,1\r\nnot-an-email,Two,2\r\n"
                        "csv1@example.com,Again,3\r\n"))
call("import status (library path)", Contact.get_contact_import_status, started["id"])
call("import status", poll, started["id"])
call("import report", Contact.get_contact_import_report, started["id"])
call("import faults", Contact.get_contact_import_report_faults, started["id"])
into_book = call("bulk create in address book", Contact.bulk_create_in_address_book, book,
                 csv_file(u"email,FIRSTNAME\ncsv2@example.com,Zoë\ncsv3@example.com,Three\n".encode("utf-8")))
call("import status in address book", poll, into_book["id"])
call("address book contacts after import", Contact.get_contacts_from_address_book, book)
csv3 = call("get imported contact", Contact.get_by_email, "csv3@example.com")
call("remove from address book", csv3.delete_from_address_book, book)
call("address book contacts after removal", Contact.get_contacts_from_address_book, book)
