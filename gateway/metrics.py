"""Prometheus metrics of every process (web workers and the job worker), summed at `GET /metrics`.

Under `serve` each process writes its samples to files in PROMETHEUS_MULTIPROC_DIR
(prometheus_client's multiprocess mode) and a scrape sums them, so the figures do not depend
on which worker answers. Label values are bounded: a dialect name, a method from the dialect's
own route table (never a raw path), a status code, an outcome or state from the core's fixed sets.
"""
from __future__ import annotations

import hmac
import logging
import os

import falcon
import peewee
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger("contact_gateway.metrics")

REQUESTS = Counter("contact_gateway_requests", "Requests answered, by dialect, vendor method and HTTP status",
                   ["dialect", "method", "status"])
DURATION = Histogram("contact_gateway_request_duration_seconds", "Time to answer a request",
                     ["dialect", "method"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60))
ITEMS = Counter("contact_gateway_items", "Contacts handled in requests, by outcome", ["dialect", "outcome"])
JOB_ITEMS = Counter("contact_gateway_job_items", "Contacts handled by import jobs, by outcome",
                    ["dialect", "outcome"])
JOB_RUNS = Counter("contact_gateway_job_runs", "Job attempts the worker ended, by how they ended",
                   ["dialect", "result"])
WEBHOOK_DELIVERIES = Counter("contact_gateway_webhook_deliveries", "Webhook delivery attempts, by result",
                             ["result"])
STORE_ERRORS = Counter("contact_gateway_store_connection_errors", "Store connections that failed or dropped")


_children: dict = {}


def child(metric, *values):
    """`metric.labels(*values)`, remembered per process: label values are bounded (above), and
    labels() checks and locks on every call, which a request's three series paid each time."""
    key = (metric, values)
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*values)
    return found


def count_delivery(result: str) -> None:
    """One webhook delivery attempt ended: delivered | failed | retrying | gave_up (a fixed set)."""
    WEBHOOK_DELIVERIES.labels(result).inc()


def dialect_of_kind(kind: str) -> str:
    """A job kind is `<dialect>.<what>` (e.g. esputnik.contacts)."""
    return kind.split(".", 1)[0]


class JobsCollector:
    """contact_gateway_jobs{dialect,state}: jobs in the store by state, counted at scrape time."""

    def describe(self):
        return [self._family()]  # registering must not query the store

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily("contact_gateway_jobs", "Jobs in the store, by dialect and state",
                                 labels=["dialect", "state"])

    def collect(self):
        from core import jobs

        family = self._family()
        try:
            counts = jobs.counts()
        except (peewee.OperationalError, peewee.InterfaceError) as exc:
            STORE_ERRORS.inc()
            log.warning("jobs could not be counted for /metrics: %s", exc)
            return
        totals: dict = {}
        for kind, state, count in counts:
            key = (dialect_of_kind(kind), state)
            totals[key] = totals.get(key, 0) + count
        for (dialect, state), count in sorted(totals.items()):
            family.add_metric([dialect, state], count)
        yield family


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def registry() -> CollectorRegistry:
    """What a scrape reads: every process's files in multiprocess mode, else this process."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        scrape = CollectorRegistry()
        mp.MultiProcessCollector(scrape)
        scrape.register(JobsCollector())
        return scrape
    return REGISTRY


if not multiprocess():
    REGISTRY.register(JobsCollector())


class Metrics:
    """GET /metrics in the Prometheus text format; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`."""

    def on_get(self, req, resp):
        token = os.environ.get("METRICS_TOKEN")
        if token:
            scheme, _, given = (req.get_header("Authorization") or "").strip().partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                raise falcon.HTTPUnauthorized(title="Unauthorized", description="A Bearer token is required",
                                              challenges=['Bearer realm="metrics"'])
        resp.content_type = CONTENT_TYPE_LATEST
        resp.data = generate_latest(registry())
