"""`kill -USR1` makes a stuck server say where every green thread waits."""

from __future__ import annotations

import logging
import os
import signal

import greenlet

from core import stack_dump


def parked_waiting_for_a_lock() -> None:
    greenlet.getcurrent().parent.switch()  # suspended here, as a green thread on a lock is


def test_the_signal_logs_the_stack_of_every_suspended_green_thread(caplog):
    parked = greenlet.greenlet(parked_waiting_for_a_lock)
    parked.switch()
    previous = signal.getsignal(signal.SIGUSR1)
    try:
        stack_dump.install()
        with caplog.at_level(logging.WARNING, logger="core.stack_dump"):
            os.kill(os.getpid(), signal.SIGUSR1)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert "parked_waiting_for_a_lock" in caplog.text
    assert "green threads" in caplog.text
