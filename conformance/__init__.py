"""Vendor conformance cases as data, and the runner that replays them."""
