"""The native API's JSON (/native/v1): canonical contacts, events and jobs in one neutral shape, and its OpenAPI document."""
