"""The error of a JWKS that cannot be fetched, below both :mod:`.oidc`, which names it
to hosts, and :mod:`._jwks`, which raises it (so neither imports the other back)."""

from __future__ import annotations

from scr_engine.errors import ScrEngineError

__all__ = ["JwtKeysUnavailable"]


class JwtKeysUnavailable(ScrEngineError):
    """The provider's keys (its JWKS) cannot be fetched now: it is down, too slow, or
    answers anything but a key set. Not the caller's fault: the service answers it
    ``503``, and asks the provider again after a pause (:mod:`._jwks`)."""
