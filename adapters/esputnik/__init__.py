"""eSputnik / Yespo (REST API v1): request structures to canonical commands and results back (pure, no I/O)."""
