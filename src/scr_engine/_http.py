"""One HTTP exchange with the standard library, bounded in all: the webhook's POST
(:func:`scr_engine.webhooks.post_json`) and the fetch of an identity provider's keys
(:mod:`scr_engine.service._jwks`).

``urllib``'s timeout bounds each read of the socket, not the exchange: a server that
sends its answer a byte at a time, each within the timeout, holds the caller as long
as it likes. :func:`bounded` shuts the connection's socket once the exchange has
taken its time, and raises :class:`TimeoutError`. Redirects are never followed (the
caller sees the 3xx as :class:`urllib.error.HTTPError`); proxies set in the
environment are used as by ``urllib``.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

__all__ = ["bounded"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@contextlib.contextmanager
def bounded(request: urllib.request.Request, seconds: float) -> Iterator[Any]:
    """The answer to ``request`` (an :class:`http.client.HTTPResponse`), to be read
    within the block: the whole exchange, from connecting to the last byte read, is
    cut off after ``seconds`` with :class:`TimeoutError`. An answer other than 2xx
    raises :class:`urllib.error.HTTPError`, as ``urllib`` does."""
    cut = threading.Event()
    sockets: list[socket.socket] = []

    def kept(kind: type[http.client.HTTPConnection]) -> Any:
        class Kept(kind):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                super().connect()
                sockets.append(self.sock)

        return Kept

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(kept(http.client.HTTPConnection), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(kept(http.client.HTTPSConnection), req)

    def cut_off() -> None:
        cut.set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    opener = urllib.request.build_opener(Http, Https, _NoRedirect)
    timer = threading.Timer(seconds, cut_off)
    timer.daemon = True
    timer.start()
    try:
        with opener.open(request, timeout=seconds) as answer:
            yield answer
        if cut.is_set():  # the block read what came before the cut, not all of it
            raise TimeoutError(f"no whole answer in {seconds:g} seconds")
    except (OSError, http.client.HTTPException, ValueError):
        if cut.is_set():
            raise TimeoutError(f"no whole answer in {seconds:g} seconds") from None
        raise
    finally:
        timer.cancel()
