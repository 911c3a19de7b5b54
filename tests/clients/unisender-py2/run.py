# -*- coding: utf-8 -*-
"""The real py-unisender 0.0.1 and pyunisend 0.1.0 clients (Python 2 only) against the gateway.

Only their base URL attribute is changed, as their users would. Prints one JSON line per call.
"""
import json
import os

from pyunisend import PyUniSend
from unisender.unisender import Unisender

URL = os.environ["GATEWAY_URL"]
KEY = os.environ["GATEWAY_KEY"]


def report(name, result):
    print(json.dumps({"call": name, "res": result}))


py_unisender = Unisender(api_key=KEY)
py_unisender.base_api_url = URL + "/ru/api/"
report("py-unisender importContacts", py_unisender.run("importContacts", {
    "field_names": ["email", "Name"],
    "data": [["t1@example.com", u"Иван".encode("utf-8")], ["a+b@example.com", "x&y"]],
    "overwrite_lists": 1,
}))
report("py-unisender getLists", py_unisender.run("getLists", {}))

pyunisend = PyUniSend(api_key=KEY)
pyunisend.base_api_url = URL + "/ru/api/"
report("pyunisend subscribe", pyunisend.subscribe(list_ids="1,2", fields={"email": "t@example.com", "Name": "N"},
                                                  double_optin=3))
report("pyunisend getContact", pyunisend.getContact(email="t@example.com", include_fields=1, include_lists=1))
dry = PyUniSend(api_key=KEY, test_mode=True)
dry.base_api_url = URL + "/ru/api/"
report("pyunisend dry subscribe", dry.subscribe(list_ids="1", fields={"email": "dry@example.com"}, double_optin=3))
report("pyunisend dry getContact", pyunisend.getContact(email="dry@example.com"))
wrong = PyUniSend(api_key="wrong")
wrong.base_api_url = URL + "/ru/api/"
report("pyunisend wrong key", wrong.getLists())
