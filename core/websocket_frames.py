"""eventlet's websocket reader, made cheap and bounded, and made to say why it closes.

Three faults of eventlet 0.41's reader (`eventlet.websocket.RFC6455WebSocket`), found while
answering frames over Engine.IO's limit (issue 14):

- it unmasks each received frame one byte at a time in Python: a 1 MB frame cost the whole
  process ~0.4 s of CPU (every meeting on it waited), a 256 KB one ~80 ms, so a member sending
  big messages well under the message gate's rate could freeze the server. XOR over whole
  integers does the same work in about a millisecond (`unmask`);
- it bounds each frame, not the message: a message sent as many fragments, each under the
  limit, was buffered without end. Here the message is bounded by the same limit;
- a frame over the limit closes the connection (status 1009, "message too big") before anything
  is read, so the page never learned which of its messages was refused. `answer` (given by the
  entry point, which knows Socket.IO's packets: `core` does not) turns the head of the refused
  message into one last text frame sent before the close: a `too_large` answer to its ack.

`harden_eventlet_websocket` patches the class once, from the entry point (the one place that
patches the async library); nothing changes for a server that does not call it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

log = logging.getLogger(__name__)

HEAD_BYTES = 80  # enough for Engine.IO's and Socket.IO's packet head (type, namespace, ack id)
DRAIN_BYTES = 16 * 1024 * 1024  # an oversize frame up to this is read to its end before the close
_FRAME_LENGTH = re.compile(r"frame of (\d+) bytes")


def unmask(data: bytes, mask, length: int | None = None, offset: int = 0) -> bytes:
    """`RFC6455WebSocket._apply_mask`, whole integers at a time: the same bytes, ~400× faster."""
    if length is None:
        length = len(data)
    if not length:
        return b""
    key = bytes(mask)
    shift = offset % 4
    key = key[shift:] + key[:shift]
    stream = (key * (length // 4 + 1))[:length]
    value = int.from_bytes(data[:length], "little") ^ int.from_bytes(stream, "little")
    return value.to_bytes(length, "little")


def harden_eventlet_websocket(answer: Callable[[str], str | None] | None = None) -> None:
    """Patch eventlet's reader: fast unmasking, bounded messages, a last word before a 1009."""
    from eventlet import websocket

    socket_class = websocket.RFC6455WebSocket
    if getattr(socket_class, "_chibo_hardened", False):
        return
    failed = websocket.FailedConnectionError
    message_class = socket_class.Message
    push = message_class.push
    recv_frame = socket_class._recv_frame

    def bounded_push(self, data, final=False):
        size = getattr(self, "_chibo_size", 0) + len(data)
        if size > self.max_frame_length:
            limit = self.max_frame_length
            raise failed(1009, f"Incoming message is above the length limit of {limit} bytes.")
        self._chibo_size = size
        push(self, data, final=final)

    def answered_recv_frame(self, message=None):
        try:
            return recv_frame(self, message=message)
        except failed as exc:
            if exc.status == 1009 and answer is not None:
                _last_word(self, message, answer, _FRAME_LENGTH.search(str(exc.message)))
            raise

    socket_class._apply_mask = staticmethod(unmask)
    message_class.push = bounded_push
    socket_class._recv_frame = answered_recv_frame
    socket_class._chibo_hardened = True


def _last_word(ws, message, answer: Callable[[str], str | None], length) -> None:
    """Send `answer(head of the refused message)` before the close, when there is one."""
    try:
        if message is not None and message.data:  # fragments: the head arrived already
            if message.decompressor is not None:
                return
            head = b"".join(message.data)[:HEAD_BYTES]
            rest = 0
        else:  # one frame over the limit: only its header was read; clients mask every frame
            mask = ws._get_bytes(4)
            head = unmask(ws._get_bytes(HEAD_BYTES), mask)
            rest = int(length.group(1)) - HEAD_BYTES if length else 0
        text = answer(head.decode("utf-8", errors="ignore"))
        if text is None:
            return
        ws.send(text)
        # Read (and drop) the rest of a frame of reasonable size: closing with unread bytes
        # makes the kernel reset the connection, and the client may lose the answer with it.
        if rest <= DRAIN_BYTES:
            while rest > 0:
                chunk = ws.socket.recv(min(rest, 65536))
                if not chunk:
                    break
                rest -= len(chunk)
    except Exception:  # the peer went away, a compressed frame...: the close says the rest
        log.info("could not answer an oversize websocket message before closing", exc_info=True)
