"""The real ok-esputnik 0.3 client (PyPI) against the gateway.

Only its `host` argument is changed, as its users would. Prints one JSON line per call:
{"call", "status", "data"} with the client's Response (data: parsed JSON, or the raw body as text).
"""
import json
import os
import sys

from esputnik.esputnik import ESputnikAPIAdaptor

URL = os.environ["GATEWAY_URL"]
KEY = os.environ["GATEWAY_KEY"]
CSV_LINK = os.environ.get("CSV_LINK")

api = ESputnikAPIAdaptor(user="x", password=KEY, host=URL + "/api/")


def report(name, response):
    data = response.data
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    print(json.dumps({"call": name, "status": response.status_code, "data": data}, ensure_ascii=False))
    sys.stdout.flush()
    return data


def email(address):
    return {"type": "email", "value": address}


report("account_info", api.account_info())
report("addressbooks", api.addressbooks())
report("groups", api.groups())
subscribed = report("contact_subscribe", api.contact_subscribe({
    "contact": {"first_name": "Олена", "last_name": "Subscriber",
                "channels": [email("sub@example.com"), {"type": "sms", "value": "380501112233"}],
                "fields": [{"id": 12345, "value": "writer"}]},
    "groups": ["Subscribers"],
    "form_type": "footer",
}))
session = report("add_contacts", api.add_contacts({
    "contacts": [
        {"first_name": "Bulk", "last_name": "One", "channels": [email("bulk1@example.com")],
         "fields": [{"id": 15868, "value": "F"}]},
        {"first_name": "Bulk", "last_name": "Two", "channels": [email("bulk2@example.com")],
         "address": {"region": "West", "town": "London", "address": "First str. 1", "postcode": "12345"}},
        {"first_name": "Sub", "channels": [email("sub@example.com")]},
        {"first_name": "Broken", "channels": [email("not-an-email")]},
    ],
    "contact_fields": ["firstName", "lastName", "address", "town", "region", "postcode"],
    "custom_fields_ids": [15868],
    "group_names": ["Customers"],
    "group_names_exclude": ["Subscribers"],
}))
if isinstance(session, dict) and session.get("asyncSessionId"):
    # ok-esputnik has no method for import status; its request client reaches any path.
    report("importstatus", api.client.get(f"importstatus/{session['asyncSessionId']}"))
added = report("add_contact", api.add_contact({
    "first_name": "Single", "last_name": "Contact", "channels": [email("single@example.com")],
    "fields": [{"id": 15867, "value": "1990-03-09"}], "groups": [{"name": "Customers"}],
}))
single = added["id"]
report("get_contact", api.get_contact(single))
report("update_contact", api.update_contact(single, {
    "first_name": "Renamed", "channels": [email("single@example.com"), {"type": "sms", "value": "+380671234567"}],
}))
report("get_contact updated", api.get_contact(single))
report("get_contacts email", api.get_contacts({"email": "bulk2@example.com"}))
report("get_contacts name", api.get_contacts({"first_name": "bulk", "max_rows": 1, "start_index": 2}))
report("get_contacts all", api.get_contacts())
report("group_contacts", api.group_contacts(5021))
report("group_contacts_detach", api.group_contacts_detach(5021))
report("group_contacts after detach", api.group_contacts(5021))
report("emails_unsubscribed_add", api.emails_unsubscribed_add(["bulk1@example.com", "nobody@example.com"]))
report("subscribe unsubscribed", api.contact_subscribe({"contact": {"channels": [email("bulk1@example.com")]}}))
report("emails_unsubscribed_delete", api.emails_unsubscribed_delete("nobody@example.com"))
if CSV_LINK:
    upload = report("contacts_upload", api.contacts_upload({
        "dedupe_on": "email", "link": CSV_LINK, "group_names": ["Uploaded"]}))
    if isinstance(upload, dict) and upload.get("asyncSessionId"):
        report("upload importstatus", api.client.get(f"importstatus/{upload['asyncSessionId']}"))
report("delete_contact", api.delete_contact(single))
report("get_contact deleted", api.get_contact(single))
report("update_contact unknown", api.update_contact(999999, {"channels": [email("x@example.com")]}))
wrong = ESputnikAPIAdaptor(user="x", password="not-the-key", host=URL + "/api/")
report("wrong key", wrong.account_info())
