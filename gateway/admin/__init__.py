"""The operator's admin view under /admin/: server-rendered pages reading through the core's read functions."""
from __future__ import annotations

from .pages import add_routes

__all__ = ["add_routes"]
