"""`contact-gateway pull`: a client's contacts, lists, fields and statuses read from its old vendor's API."""
