"""The job worker's signals: a second SIGTERM leaves the graceful stop graceful."""
from __future__ import annotations

import signal

import pytest

from core import jobs
from gateway.queue import huey
from gateway.worker import Consumer


@pytest.fixture
def consumer():
    before = signal.getsignal(signal.SIGTERM)
    made = Consumer(huey, workers=1, worker_type="thread", graceful_signal="TERM")
    yield made
    signal.signal(signal.SIGTERM, before)
    jobs.STOP.clear()


def test_a_second_sigterm_does_not_interrupt_the_graceful_stop(consumer):
    consumer._handle_signal(signal.SIGTERM, None)  # the process group's SIGTERM
    assert consumer._graceful and not consumer._restart and jobs.STOP.is_set()
    # huey's own handler would now be default_int_handler: serve's SIGTERM raised KeyboardInterrupt.
    assert signal.getsignal(signal.SIGTERM) == consumer._handle_signal
    consumer._handle_signal(signal.SIGTERM, None)  # serve's own, when its web workers are done
    assert consumer._signum == signal.SIGTERM and consumer._graceful
