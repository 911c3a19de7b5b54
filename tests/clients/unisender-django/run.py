# -*- coding: utf-8 -*-
"""The real PyPI django-unisender 0.1.6 integration (Python 2, Django 1.6) against the gateway.

Its models and managers sync a Django admin's fields, lists, subscribers and tags with Unisender
through pyunisend 0.1.0. The driver does what its admin does on save, add and delete (the
methods admin.py calls), in a Django of the integration's time with an in-memory database.
Only the base URL is changed: pyunisend sets it in __init__, so the driver sets it right after,
before the integration's managers make their client. Every API answer the integration got is
printed as one JSON line, and the Django rows it kept, after each step.
"""
import json
import os
import sys

from django.conf import settings

URL = os.environ["GATEWAY_URL"]

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.messages", "unisender"],
    UNISENDER_API_KEY=os.environ["GATEWAY_KEY"],
    LOGGING_CONFIG=None,
)

from pyunisend import PyUniSend  # noqa: E402

_init, _call = PyUniSend.__init__, PyUniSend.call


def _pointed(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.base_api_url = URL + "/%s/api/" % self.lang


def _reported(self, method, params={}):
    result = _call(self, method, params)
    print(json.dumps({"call": method, "res": result}))
    return result


PyUniSend.__init__ = _pointed
PyUniSend.call = _reported  # only to print what the integration was answered

from django.core.management import call_command  # noqa: E402
from unisender.models import Field, SubscribeList, Subscriber, SubscriberFields, Tag  # noqa: E402

call_command("syncdb", interactive=False, verbosity=0)


def kept(step, rows):
    print(json.dumps({"step": step, "rows": rows}))


def field_rows():
    return [{"name": f.name, "unisender_id": f.unisender_id, "type": f.field_type, "visible": f.visible,
             "sort": f.sort, "sync": f.sync, "last_error": f.last_error} for f in Field.objects.order_by("pk")]


def list_rows():
    return [{"title": l.title, "unisender_id": l.unisender_id, "sync": l.sync, "last_error": l.last_error}
            for l in SubscribeList.objects.order_by("pk")]


def subscriber_row(s):
    s = Subscriber.objects.get(pk=s.pk)
    return {"contact": s.contact, "unisender_id": s.unisender_id, "sync": s.sync, "last_error": s.last_error}


# The admin's "get fields from Unisender" button: a fresh account's own field arrives.
Field.unisender.get_and_update_fields()
kept("fields pulled", field_rows())

# FieldAdmin.save_model: create, then change (update_field).
city = Field(name="city", field_type="string", visible=True, sort=2)
city.unisender_id = city.create_field()
city.save()
city.sort, city.visible = 3, False
city.update_field()
city.save()
score = Field(name="score", field_type="number", visible=True, sort=4)
score.unisender_id = score.create_field()
score.save()
kept("fields saved", field_rows())

# SubscribeListAdmin.save_model: save_and_sync creates, a second save updates.
news = SubscribeList(title=u"Новости", after_subscribe_url="https://example.com/thanks")
news.save_and_sync()
offers = SubscribeList(title="Offers")
offers.save_and_sync()
offers.title = "Offers (renamed)"
offers.save_and_sync()
SubscribeList.unisender.get_and_update_lists()
kept("lists saved", list_rows())

# SubscriberAdmin: save_and_sync, then adding lists fires m2m_changed -> subscribe, and each
# additional field value saved fires post_save -> subscribe again.
vip = Tag(name="vip")
vip.save()
ann = Subscriber(contact="ann@example.com", contact_type="email", double_optin="3")
ann.save()
ann.tags.add(vip)
ann.list_ids.add(news, offers)
ann.save()
SubscriberFields(subscriber=ann, field=Field.objects.get(name="Name"), value=u"Анна").save()
SubscriberFields(subscriber=ann, field=city, value="Kyiv").save()
kept("ann subscribed", subscriber_row(ann))

phone = Subscriber(contact="+79261232323", contact_type="phone", double_optin="3")
phone.save()
phone.list_ids.add(news)
kept("phone subscribed", subscriber_row(phone))

# A field the gateway does not know: the integration records the error on its row.
ghost = Field(name="ghost", field_type="string", unisender_id="999")
ghost.save()
bob = Subscriber(contact="bob@example.com", contact_type="email", double_optin="3")
bob.save()
bob.list_ids.add(offers)
SubscriberFields(subscriber=bob, field=ghost, value="boo").save()
kept("bob with an unknown field", subscriber_row(bob))

# SubscriberAdmin.delete_model excludes; the model's unsubscribe unsubscribes.
phone.exclude()
kept("phone excluded", subscriber_row(phone))
ann.unsubscribe()
kept("ann unsubscribed", subscriber_row(ann))

Tag.unisender.get_and_update_tags()
kept("tags pulled", [t.name for t in Tag.objects.order_by("pk")])

# FieldAdmin.delete_model and SubscribeListAdmin.delete_model.
score.delete_field()
offers.delete_list()
Field.unisender.get_and_update_fields()
SubscribeList.unisender.get_and_update_lists()

# A wrong key: the integration's error table turns the code into its Russian text.
settings.UNISENDER_API_KEY = "not-a-key"
wrong = SubscribeList(title="Refused")
wrong.get_api = lambda: PyUniSend("not-a-key")
wrong.save_and_sync()
kept("wrong key", {"last_error": wrong.last_error, "shown": wrong.get_last_error()})
sys.stdout.flush()
