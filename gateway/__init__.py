"""HTTP side of the gateway: routes, credentials, body codecs, error funnel, CLI and workers."""
