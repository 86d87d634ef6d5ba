"""How the service fails: every error as ``application/problem+json`` (RFC 9457),
with the status the error tree gives it (:data:`STATUSES`).

A refusal's problem carries every :class:`~scr_engine.errors.refusals.Refusal` (rule
ID, message, kind, field) under ``refusals``, and the rule IDs under ``rules``, as the
library raised them. No problem carries a traceback or a driver's message.
"""

from __future__ import annotations

from typing import Any

from scr_engine import errors
from scr_engine.errors.refusals import Refusal

__all__ = [
    "PROBLEM_TYPE",
    "STATUSES",
    "Problem",
    "problem_of",
    "refusal_json",
]

PROBLEM_TYPE = "urn:scr-engine:problem:"
"""The prefix of every problem's ``type`` (``urn:scr-engine:problem:invalid`` …)."""

STATUSES: tuple[tuple[int, str, str], ...] = (
    (400, "malformed", "the body is not a JSON object; a malformed If-Match or query parameter"),
    (
        401,
        "unauthenticated",
        "no bearer token, or one that is wrong, revoked or of an actor no longer listed; "
        "a JWT that does not verify (signature, algorithm, expiry, issuer, audience) or "
        "names no actor of the actors file",
    ),
    (
        403,
        "permission_denied",
        "PermissionDenied: the actor's role, agency or appointment may "
        "not; the read policy keeps the review from them (PR-e)",
    ),
    (
        404,
        "not_found",
        "ReviewNotFound; no such reference, task, webhook delivery, document or route",
    ),
    (405, "method_not_allowed", "the route takes another method"),
    (409, "refused", "TransitionRefused: a guard or the stage refuses the command now"),
    (409, "conflict", "ConcurrencyConflict without If-Match: another writer saved first"),
    (412, "stale", "ConcurrencyConflict with If-Match: the review is not at that version"),
    (413, "too_large", "the body is longer than the service takes"),
    (
        415,
        "unsupported_media_type",
        "a body sent as another media type than application/json (or none)",
    ),
    (
        422,
        "invalid",
        "InvalidRequest: missing, unknown or malformed fields, too long a text, "
        "a reused idempotency key",
    ),
    (500, "integrity", "IntegrityError: the review disagrees with its history"),
    (500, "failed", "a fault of the program (logged; no detail is given)"),
    (
        503,
        "unavailable",
        "StorageError: the store failed; no signing key for checkpoints; "
        "the documents extra missing; the identity provider's keys (JWKS) cannot be fetched",
    ),
)
"""Every status the service answers a failure with: ``(status, kind, when)``; the
``kind`` is the tail of the problem's ``type``."""

_TITLES = {
    "malformed": "Malformed request",
    "unauthenticated": "Not authenticated",
    "permission_denied": "Not permitted",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "refused": "Refused by the protocol",
    "conflict": "Changed meanwhile",
    "stale": "Stale version",
    "too_large": "Request too large",
    "unsupported_media_type": "Unsupported media type",
    "invalid": "Invalid input",
    "integrity": "Integrity fault",
    "unavailable": "Unavailable",
    "failed": "Failed",
}


def refusal_json(refusal: Refusal) -> dict[str, Any]:
    """``{"rule", "message", "kind", "field"}`` (:meth:`Refusal.to_json`)."""
    return refusal.to_json()


class Problem(Exception):
    """A failure the service answers with a problem document."""

    def __init__(self, status: int, kind: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.extra = extra

    def body(self, instance: str) -> dict[str, Any]:
        """The problem document (RFC 9457) for the request at ``instance``."""
        return {
            "type": PROBLEM_TYPE + self.kind,
            "title": _TITLES.get(self.kind, self.kind),
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            **self.extra,
        }


def _refused(status: int, kind: str, exc: errors.TransitionRefused) -> Problem:
    return Problem(
        status,
        kind,
        " ".join(str(exc).split()),
        command=exc.command,
        rules=list(exc.rules),
        refusals=[refusal_json(r) for r in exc.refusals],
    )


def problem_of(exc: BaseException, *, if_match: bool = False) -> Problem | None:
    """The problem for an error of the library (None for any other error: a fault of
    the program, which the service answers with a bare 500). ``if_match`` says the
    request named the version it expected, so that a conflict is a stale version
    (412) rather than another writer's (409)."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, errors.PermissionDenied):
        return _refused(403, "permission_denied", exc)
    if isinstance(exc, errors.InvalidRequest):
        return _refused(422, "invalid", exc)
    if isinstance(exc, errors.TransitionRefused):
        return _refused(409, "refused", exc)
    if isinstance(exc, errors.ReviewNotFound):
        return Problem(404, "not_found", f"no review {exc.review_id!r}")
    if isinstance(exc, errors.ConcurrencyConflict):
        extra = {"expected_version": exc.expected, "current_version": exc.actual}
        if if_match and exc.expected is not None:
            return Problem(412, "stale", str(exc), **extra)
        return Problem(409, "conflict", f"{exc}: look again and retry", **extra)
    if isinstance(exc, errors.IntegrityError):
        return Problem(
            500, "integrity", str(exc), review_id=exc.review_id, problems=list(exc.problems)
        )
    if isinstance(exc, errors.StorageError):
        # The driver's message may name the database's host or data: not repeated.
        return Problem(503, "unavailable", "the store failed; try again later")
    if isinstance(exc, errors.ScrEngineError):
        return Problem(500, "failed", " ".join(str(exc).split()))
    return None
