"""The real PyPI django-tasker-unisender 0.0.1 integration (Django 2.2, requests) against the gateway.

Its `Unisender` class is its API client; its `EmailModel` subscribes on save and excludes on
delete, and its User signals do the same for every user when UNISENDER_AUTO_LIST_ID is set. The
driver makes them work as its README and its own tests do, in an in-memory Django. The client
posts to the fixed https://api.unisender.com/ru/api/<method>: the only change is that host,
swapped for the gateway's in the `requests.request` it calls. One JSON line per call.
"""
import json
import os

import django
from django.conf import settings

URL = os.environ["GATEWAY_URL"]
VENDOR = "https://api.unisender.com"

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django_tasker_unisender"],
    UNISENDER_API_KEY=os.environ["GATEWAY_KEY"],
    UNISENDER_AUTO_LIST_ID=None,
    USE_TZ=True,
)
django.setup()

import requests  # noqa: E402

_request = requests.request


def _to_gateway(method, url, **kwargs):
    if url.startswith(VENDOR):
        url = URL + url[len(VENDOR):]
    return _request(method, url, **kwargs)


requests.request = _to_gateway

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models  # noqa: E402
from django_tasker_unisender.models import EmailModel  # noqa: E402
from django_tasker_unisender.unisender import Unisender  # noqa: E402


def report(name, call):
    try:
        print(json.dumps({"call": name, "ok": True, "res": call()}, default=str))
    except Exception as error:  # the client raises requests.HTTPError("Unisender error: …") for an error answer
        print(json.dumps({"call": name, "ok": False, "err": "%s: %s" % (type(error).__name__, error)}))


call_command("migrate", run_syncdb=True, verbosity=0)
uni = Unisender()

# Its own tests' calls: lists, fields (read back with public_name), subscribe and exclude.
report("create_list", lambda: uni.create_list(title="Newsletter"))
list_id = [item for item in uni.get_lists() if item["title"] == "Newsletter"][0]["id"]
report("get_lists", uni.get_lists)
report("update_list", lambda: uni.update_list(list_id=list_id, title="Newsletter (renamed)"))
report("create_field", lambda: uni.create_field(name="firstname", field_type="string", public_name="First name"))
report("create_field plain", lambda: uni.create_field(name="lastname", field_type="string"))
report("get_fields", uni.get_fields)
first = [f for f in uni.get_fields() if f["name"] == "firstname"][0]["id"]
report("update_field", lambda: uni.update_field(field_id=first, name="firstname", public_name="Given name"))
report("get_fields after update", uni.get_fields)
report("subscribe", lambda: uni.subscribe(list_ids=[list_id], fields={"fields[email]": "test@example.com"}))
report("exclude", lambda: uni.exclude(contact_type="email", contact="test@example.com", list_ids=[list_id]))


# Its README's model: a subclass with a UnisenderMeta naming the list and the fields it sends.
class Subscribe(EmailModel):
    firstname = models.CharField(max_length=200)
    lastname = models.CharField(max_length=200)

    class Meta:
        app_label = "django_tasker_unisender"

    class UnisenderMeta:
        list_id = list_id
        fields = ["firstname", "lastname"]


with connection.schema_editor() as editor:
    editor.create_model(Subscribe)

ann = Subscribe(email="ann@example.com", firstname="Ann", lastname="Lee")
report("model save", lambda: (ann.save(), ann.pk)[1])
report("model delete", lambda: ann.delete())

# The User signals: every user with an email is subscribed to UNISENDER_AUTO_LIST_ID with its first
# and last name as fields[first_name] / fields[last_name], and excluded when deleted.
settings.UNISENDER_AUTO_LIST_ID = list_id
report("user save, fields missing", lambda: User.objects.create_user("bob", email="bob@example.com",
                                                                     first_name="Bob", last_name="Smith").pk)
report("create first_name", lambda: uni.create_field(name="first_name", field_type="string"))
report("create last_name", lambda: uni.create_field(name="last_name", field_type="string"))
report("user save", lambda: User.objects.create_user("cat", email="cat@example.com", first_name="Cat",
                                                     last_name="Stone").pk)
report("user delete", lambda: User.objects.get(username="cat").delete())

# Errors come back as requests.HTTPError with the vendor's text.
report("delete missing list", lambda: uni.delete_list(list_id=999999))
report("wrong key", lambda: Unisender(api_key="not-a-key").get_lists())
report("delete_field", lambda: uni.delete_field(field_id=first))
report("delete_list", lambda: uni.delete_list(list_id=list_id))
report("get_lists after", uni.get_lists)
