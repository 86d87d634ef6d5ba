"""A real webhook receiver for the tests: an HTTP server on a free local port that
answers each POST with the next status of a script and keeps what it was sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from attrs import define, field, frozen


@frozen
class Received:
    """One request as the receiver got it."""

    path: str
    headers: dict[str, str]
    """By name in lower case (HTTP names are not case-sensitive)."""
    body: bytes


@define
class Receiver:
    """What the running receiver was sent, and the statuses it answers with (200
    once the script runs out)."""

    url: str
    script: list[int]
    received: list[Received] = field(factory=list)
    arrived: threading.Event = field(factory=threading.Event)
    drip: float = 0.0
    """Seconds between the bytes of each answer (0: the answer at once); a receiver
    that dribbles its answer."""


@contextmanager
def receiving(script: Sequence[int] = ()) -> Iterator[Receiver]:
    """A receiver running for the block."""
    receiver = Receiver("", list(script))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.received.append(Received(self.path, headers, body))
                status = receiver.script.pop(0) if receiver.script else 200
            receiver.arrived.set()
            if receiver.drip:
                answer = f"HTTP/1.1 {status} OK\r\nContent-Length: 0\r\n\r\n".encode()
                try:
                    for byte in answer:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(receiver.drip)
                except OSError:  # the sender gave up
                    pass
                return
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/scr"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
