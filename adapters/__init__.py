"""Vendor dialects as pure translations: vendor request -> canonical command -> vendor response."""
