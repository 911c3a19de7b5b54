"""What a newly opened Icomm account already has, in the setup-file format (docs/dialects/icomm.md)."""

# Icomm's sources name no object an account starts with: each profile (and its ProfileKey) and its
# custom fields are created in the platform before the API can write to it.
FRESH_ACCOUNT: dict = {}
