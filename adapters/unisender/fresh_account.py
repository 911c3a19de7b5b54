"""What a newly opened Unisender account already has, in the setup-file format (docs/dialects/unisender.md)."""

# Every Unisender account starts with the user field "Name": the vendor's own importContacts example
# (field_names[1]=Name on a bare account), its subscribe forms (fields[Name]) and the npm client's
# README use it without creating it. The id a real account shows is account-specific; 1 is ours.
FRESH_ACCOUNT = {
    "fields": [{"id": 1, "name": "Name", "type": "string"}],
}
