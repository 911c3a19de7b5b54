"""What a newly opened Altcraft account already has, in the setup-file format (docs/dialects/altcraft.md)."""

# The default profile fields (_fname, _lname, _bdate, _sex, phones, …) are system fields of every
# database, built into the adapter, not field definitions; resources and custom fields are created by
# the account's users. Database 1 exists in every account here.
FRESH_ACCOUNT: dict = {}
