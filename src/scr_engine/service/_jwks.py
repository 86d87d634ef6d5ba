"""The identity provider's published keys (JWKS) for :class:`~scr_engine.service.oidc.
JwtVerifier`: PyJWT's client, its fetch bounded and its failures told apart.

PyJWT's :class:`jwt.PyJWKClient` caches the key set (five minutes) and fetches it again
for a ``kid`` it does not know (at most every 30 seconds), holding one lock while it
fetches. Its fetch is replaced here so that

- it takes at most :data:`FETCH_SECONDS` in all, however slowly the answer comes, and
  :data:`MAX_BYTES`, so that a provider that hangs or drips holds no request longer;
- a provider down, answering anything but a key set with a signing key (an error page,
  junk), or too slow, raises :class:`~scr_engine.service.oidc.JwtKeysUnavailable`
  (the service answers ``503``), never another error;
- after a failure it is not asked again for :data:`RETRY_SECONDS`: the requests
  meanwhile are answered at once rather than each waiting on the lock for its own
  fetch.

This module needs PyJWT; :mod:`scr_engine.service.oidc` imports it only for a JWKS URL.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.request
from typing import Any

import jwt

from scr_engine._http import bounded
from scr_engine.service._jwt_errors import JwtKeysUnavailable

__all__ = ["FETCH_SECONDS", "MAX_BYTES", "RETRY_SECONDS", "KeySet"]

FETCH_SECONDS = 5.0
"""The longest a fetch of the key set may take."""
MAX_BYTES = 1 << 20
"""The largest key set read (a megabyte)."""
RETRY_SECONDS = 30.0
"""How long after a failed fetch the provider is not asked again; and after a fetch,
how long a ``kid`` not in the set is refused without fetching it again."""

LOGGER = logging.getLogger("scr_engine.service.oidc")


def _read(url: str, seconds: float) -> bytes:
    """The body of a GET of ``url`` (no redirect followed): at most :data:`MAX_BYTES`,
    within ``seconds`` in all (:func:`scr_engine._http.bounded`)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    chunks: list[bytes] = []
    size = 0
    with bounded(request, seconds) as answer:
        while chunk := answer.read1(65536):
            size += len(chunk)
            if size > MAX_BYTES:
                raise ValueError(f"the key set is longer than {MAX_BYTES} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


class KeySet(jwt.PyJWKClient):
    """The keys published at ``url``, fetched as the module says."""

    def __init__(self, url: str) -> None:
        super().__init__(url, timeout=FETCH_SECONDS, cooldown_duration=RETRY_SECONDS)
        self._failed_at: float | None = None

    def fetch_data(self) -> Any:
        """The key set, fetched now (PyJWT calls this under its lock)."""
        if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_SECONDS:
            raise JwtKeysUnavailable("the identity provider's keys could not be fetched lately")
        try:
            data = json.loads(_read(self.uri, self.timeout))
            if not isinstance(data, dict):
                raise ValueError("the key set is not a JSON object")
            keys = jwt.PyJWKSet.from_dict(data)
            self._get_signing_keys_from_jwk_set(keys)
        except (OSError, ValueError, http.client.HTTPException, jwt.PyJWTError) as exc:
            self._failed_at = time.monotonic()
            # The class only: the provider's answer is not repeated.
            LOGGER.warning("the JWKS could not be fetched: %s", type(exc).__name__)
            raise JwtKeysUnavailable("the identity provider's keys cannot be fetched") from None
        self._failed_at = None
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(keys)
        self._last_successful_fetch = time.monotonic()
        return keys
