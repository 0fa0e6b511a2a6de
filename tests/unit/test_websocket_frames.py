"""core.websocket_frames.unmask gives eventlet's bytes, fast (its byte loop cost ~0.4 s per MB)."""

from __future__ import annotations

import os
import time

import pytest

from core.websocket_frames import unmask

# eventlet warns at import with its own warning class (not a DeprecationWarning).
pytestmark = pytest.mark.filterwarnings("ignore:\\s*Eventlet is deprecated")


def eventlet_unmask(data, mask, length=None, offset=0):
    """eventlet 0.41's RFC6455WebSocket._apply_mask, unpatched (the reference)."""
    from eventlet.websocket import RFC6455WebSocket

    original = RFC6455WebSocket.__dict__["_apply_mask"]
    assert not getattr(RFC6455WebSocket, "_chibo_hardened", False), "patched in this process"
    return original.__func__(data, mask, length=length, offset=offset)


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 1000])
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 4, 6, 65537])
def test_unmask_equals_eventlets(length, offset):
    data = os.urandom(length)
    mask = tuple(os.urandom(4))
    assert unmask(data, mask, length=length, offset=offset) == eventlet_unmask(
        data, mask, length=length, offset=offset
    )
    assert unmask(data, mask) == eventlet_unmask(data, mask)


def test_unmask_of_a_megabyte_takes_milliseconds():
    data, mask = os.urandom(1024 * 1024), (1, 2, 3, 4)
    started = time.process_time()
    masked = unmask(data, mask)
    assert time.process_time() - started < 0.05
    assert unmask(masked, mask) == data
