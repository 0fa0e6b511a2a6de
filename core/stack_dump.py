"""`kill -USR1 <pid>` writes every green thread's stack to the log.

A server that stops answering while idle in epoll (py-spy shows only the hub) is waiting on
something green: a lock, a queue, a socket nobody reads. Only the green threads' own stacks say
which; py-spy and faulthandler see the one OS thread.
"""

from __future__ import annotations

import gc
import logging
import signal
import traceback

log = logging.getLogger(__name__)


def green_stacks() -> list[str]:
    """The stack of every suspended green thread (greenlet), innermost call last."""
    import greenlet

    return [
        "".join(traceback.format_stack(obj.gr_frame))
        for obj in gc.get_objects()
        if isinstance(obj, greenlet.greenlet) and obj.gr_frame is not None
    ]


def install(signal_number: int = signal.SIGUSR1) -> None:
    def dump(_signum, _frame) -> None:
        stacks = green_stacks()
        log.warning("%d green threads:\n%s", len(stacks), "\n----\n".join(stacks))

    signal.signal(signal_number, dump)
