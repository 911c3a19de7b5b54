"""The Icomm example setup file: a migrating shop's own key and profile keys work unchanged."""
from __future__ import annotations

from pathlib import Path

from core import setup
from core.schema import Account, Contact
from gateway.fresh_accounts import PRESETS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "setup" / "from-icomm.yaml"
KEY = "MTIzNC01Njc4LXRpZW5kYV91c3I1"


def apply_example():
    return setup.apply(setup.load(EXAMPLE.read_text()), presets=PRESETS).as_dict()


def test_example_applies_once_then_changes_nothing(store_url):
    apply_example()
    second = apply_example()
    assert second["created"] == {} and second["updated"] == {}
    assert second["unchanged"] == {"accounts": 1, "keys": 1, "databases": 2, "fields": 4}


def test_the_prestashop_modules_requests_work_with_the_clients_own_key_and_profile_keys(store_url, app):
    apply_example()
    # [PS-OFFICIAL] sendtoicommkt.php, byte for byte but for the host: raw key, PHP's escaped slashes.
    body = (b'{"ProfileKey":"MTIzNDU20","Contact":{"Email":"user@example.com","CustomFields":'
            b'[{"Key":"newsletter_date_add","Value":"31\\/12\\/2023"}]}}')
    response = app.post("/Contacts/SaveContact.Json/", body,
                        headers={"Content-Type": "application/json", "Authorization": KEY})
    assert response.status_int == 200
    assert response.json["SaveContactJsonResult"]["StatusCode"] == 1
    assert response.json["SaveContactJsonResult"]["Data"] == {"Email": "user@example.com", "Status": "A"}
    # [PS-CART] the abandoned-cart connector: the other profile, the key with a trailing colon.
    body = (b'{"ProfileKey":"NjU0MzIx0","ContactList":[{"Email":"user@example.com","CustomFields":'
            b'[{"Key":"nombre","Value":"Ana"},{"Key":"fecha_abandono","Value":"31\\/12\\/2023"},'
            b'{"Key":"url_carrito","Value":"https:\\/\\/shop.example\\/abandomentcart\\/load_cart\\/t\\/103748"}]}]}')
    response = app.post("/Contacts/SaveMultiContact.Json/", body,
                        headers={"Content-Type": "application/json", "Authorization": KEY + ":"})
    assert [r["StatusCode"] for r in response.json["SaveMultiContactJsonResult"]["Responses"]] == [1]

    def listed(profile):
        response = app.post_json("/Contacts/ListFull.Json/", {"ProfileKey": profile, "Filters": {}},
                                 headers={"Authorization": KEY + ":0"})
        return response.json["ListContactsFullJsonResult"]

    assert listed("MTIzNDU20") == [{"Email": "user@example.com", "Status": "A",
                                    "CustomFields": [{"Key": "newsletter_date_add", "Value": "31/12/2023"}]}]
    assert listed("NjU0MzIx0") == [{"Email": "user@example.com", "Status": "A", "CustomFields": [
        {"Key": "nombre", "Value": "Ana"}, {"Key": "fecha_abandono", "Value": "31/12/2023"},
        {"Key": "url_carrito", "Value": "https://shop.example/abandomentcart/load_cart/t/103748"}]}]
    # One contact per profile, both in the shop's account.
    account = Account.get(Account.name == "tienda-ejemplo")
    assert Contact.select().where(Contact.account == account.id).count() == 2
