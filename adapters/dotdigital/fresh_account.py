"""What a newly opened Dotdigital account already has, in the setup-file format (docs/dialects/dotdigital.md)."""

# The default contact data fields of every account ("Personal details — also known as default data
# fields": first name, last name, full name, gender, postcode; the documented POST /v2/contacts answer
# lists them as every data field of the account). Dotdigital addresses data fields by name only, so
# their ids here are never seen by a Dotdigital client; they sit above Unisender's Name (id 1) so one
# account can start with both vendors' defaults. In the vendor's order (GET /v2/data-fields lists
# FIRSTNAME, LASTNAME, FULLNAME first); a contact's dataFields come sorted by name.
FRESH_ACCOUNT = {
    "fields": [
        {"id": number, "name": name, "type": "string", "attrs": {"visibility": "Public", "default_value": None}}
        for number, name in enumerate(("FIRSTNAME", "LASTNAME", "FULLNAME", "GENDER", "POSTCODE"), start=2)
    ],
}
