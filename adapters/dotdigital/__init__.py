"""Dotdigital: the v3 contacts service and the v2 calls legacy scripts use, as canonical commands."""
