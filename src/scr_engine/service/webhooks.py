"""Webhooks for the service: the background dispatcher ``scr serve`` runs, and
:func:`verify_signature` for receivers written in Python.

The outbox and the signing scheme are the core's (:mod:`scr_engine.webhooks`); this
module runs :func:`~scr_engine.webhooks.deliver_due` every few seconds beside the
HTTP server (:class:`Dispatcher`). A receiver checks each request:

>>> from scr_engine.service.webhooks import verify_signature          # doctest: +SKIP
>>> verify_signature(secret, request.headers, await request.body())   # doctest: +SKIP

``docs/service.md`` (Webhooks) describes the scheme for receivers in any language.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from scr_engine.errors import ScrEngineError
from scr_engine.storage.port import ReviewStore
from scr_engine.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE_SECONDS,
    DeliveryReport,
    Poster,
    deliver_due,
    post_json,
    sign,
    signature_headers,
    verify_signature,
)

__all__ = [
    "DELIVERY_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE_SECONDS",
    "Dispatcher",
    "sign",
    "signature_headers",
    "verify_signature",
]

LOGGER = logging.getLogger("scr_engine.service.webhooks")


class Dispatcher:
    """Sends the store's due webhook deliveries every ``interval`` seconds on a
    background thread, until :meth:`stop`. Each round is one
    :func:`~scr_engine.webhooks.deliver_due`; a round that fails (the store
    unreachable, the secret file unreadable) is logged, without personal data, and
    tried again next round (a fault of the program is logged with its traceback,
    and the thread goes on).

    ``now`` and ``post`` are injectable, as for :func:`deliver_due`."""

    def __init__(
        self,
        store: ReviewStore,
        *,
        interval: float = 5.0,
        secret_file: Path | str | None = None,
        now: Callable[[], datetime] | None = None,
        post: Poster = post_json,
    ) -> None:
        self.store = store
        self.interval = interval
        self.secret_file = secret_file
        self._now = now
        self._post = post
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> DeliveryReport:
        """One round: send what is due now."""
        return deliver_due(self.store, now=self._now, post=self._post, secret_file=self.secret_file)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.run_once()
            except ScrEngineError as exc:
                LOGGER.warning("webhook deliveries not sent: %s", type(exc).__name__)
            except Exception:  # a fault of the program: logged, the thread lives on
                LOGGER.exception("webhook deliveries failed")
            else:
                if report.delivered or report.retrying or report.failed:
                    LOGGER.info(
                        "webhook deliveries: %d delivered, %d to retry, %d failed",
                        len(report.delivered),
                        len(report.retrying),
                        len(report.failed),
                    )
            self._stop.wait(self.interval)

    def start(self) -> None:
        """Start sending in the background (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="scr-webhooks", daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop after the round under way (a delivery being sent is finished)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
