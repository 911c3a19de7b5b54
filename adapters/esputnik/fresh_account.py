"""What a newly opened eSputnik account already has, in the setup-file format (docs/dialects/esputnik.md)."""

# Name, address, channels, language and time zone are built into every eSputnik contact (system
# fields, no ids); additional fields and segments are all created by the account's users. The one
# address book an account has is its database 1 ("Main", as GET /v1/addressbooks shows it).
FRESH_ACCOUNT: dict = {}
