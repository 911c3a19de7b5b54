"""Altcraft Platform API v1.1: profiles and subscriptions over JSON and XML bodies."""
