"""The service's ASGI application: :func:`create_app` (Starlette).

Every resource is JSON under ``/v1`` and needs a bearer token bound to one actor of
the actors file (:mod:`scr_engine.service.tokens`); every engine call names that actor,
so the read policy and the access log apply (PR-e). Failures are problem documents
(:mod:`scr_engine.service.problems`). The engine's calls block: each runs in a worker
thread, never on the event loop.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scr_engine.access import ReadScope
from scr_engine.board import DEFAULT_BOARD, BoardIdentity
from scr_engine.clock import Clock, local_date
from scr_engine.engine import ReviewEngine
from scr_engine.errors import InvalidRequest, PermissionDenied, ScrEngineError
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols import Protocol
from scr_engine.protocols import of as protocol_of
from scr_engine.records import Actor, Review
from scr_engine.service import shapes
from scr_engine.service.oidc import (
    JwtKeysUnavailable,
    JwtRefused,
    JwtVerifier,
    looks_like_jwt,
)
from scr_engine.service.problems import Problem, problem_of
from scr_engine.service.tokens import TokenFile
from scr_engine.storage.port import ReviewStore
from scr_engine.webhooks import DeliveryStatus, delivery_json, retry_delivery

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["LOGGER", "MAX_PAGE", "create_app"]

LOGGER = logging.getLogger("scr_engine.service")
"""Where the service logs each request: one JSON line (method, route template,
status, duration, request id), never a path's ids, a query, a body or a person."""

Handler = Callable[[Request, Actor], Awaitable[Response]]

MAX_PAGE = 1000
"""The most webhook deliveries one ``GET /v1/webhook/deliveries`` lists."""
_STATUSES = tuple(status.value for status in DeliveryStatus)
_DELIVERY_ID = re.compile(r"dlv-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _review_json(
    store: object, review: Any, extra: Mapping[str, Any] | None = None, **headers: str
) -> Response:
    """The review's JSON (or ``{"review": …}`` with ``extra``'s members after it), as
    :func:`_json` would write it, byte for byte, taking the review's text from the
    store when it holds it (the SQL store keeps the text it stored: ``review_json``)
    rather than encoding a long review again."""
    known = getattr(store, "review_json", None)
    text = known(review) if callable(known) else None
    if text is None:
        text = _dumps(shapes.review(review))
    if extra is not None:
        rest = "".join("," + _dumps(k) + ":" + _dumps(v) for k, v in extra.items())
        text = '{"review":' + text + rest + "}"
    return Response(text.encode("utf-8"), 200, headers, media_type="application/json")


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    body = _dumps(data).encode("utf-8")
    return Response(body, status, dict(headers or {}), media_type="application/json")


def _document(text: str, fmt: str) -> Response:
    """A rendered document as the service answers it: HTML or Markdown, UTF-8."""
    media = "text/html" if fmt == "html" else "text/markdown"
    return Response(text, 200, media_type=f"{media}; charset=utf-8")


def _minimal(prefer: list[str]) -> bool:
    """Whether the ``Prefer`` headers ask for ``return=minimal`` (RFC 7240: tokens are
    case-insensitive, preferences comma-separated, parameters after ``;``)."""
    for header in prefer:
        for preference in header.split(","):
            token, _, value = preference.split(";")[0].partition("=")
            if token.strip().lower() == "return" and value.strip().strip('"').lower() == "minimal":
                return True
    return False


_PROTOCOLS_KEPT = 4096
"""How many reviews' protocols the service keeps (:meth:`_Service.definition`)."""


def _is_json(content_type: str) -> bool:
    """Whether ``content_type`` names JSON: ``application/json`` or
    ``application/<anything>+json``, any case, with or without parameters
    (``; charset=utf-8``)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    suffixed = len(subtype) > len("+json") and subtype.endswith("+json")
    return kind == "application" and (subtype == "json" or suffixed)


def _etag(version: int) -> str:
    return f'"{version}"'


class _Service:
    """The handlers, over one engine, actors and tokens."""

    def __init__(
        self,
        engine: ReviewEngine,
        actors: Mapping[str, Actor],
        tokens: TokenFile,
        signing_key: Ed25519PrivateKey | None,
        max_body: int,
        jwt: JwtVerifier | None = None,
        concurrency: int | None = None,
    ) -> None:
        self.jwt = jwt
        self.concurrency = concurrency
        self._limiter: CapacityLimiter | None = None
        self.engine = engine
        self.actors = dict(actors)
        self.tokens = tokens
        self.signing_key = signing_key
        self.max_body = max_body
        self._protocols: dict[str, Protocol] = {}

    # ------------------------------------------------------------- plumbing

    async def _authenticate(self, request: Request) -> Actor:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(401, "unauthenticated", "give a bearer token: Authorization: Bearer …")
        if self.jwt is not None and looks_like_jwt(token.strip()):
            try:
                actor_id = await run_in_threadpool(self.jwt.actor_of, token.strip())
            except JwtRefused as exc:
                raise Problem(401, "unauthenticated", str(exc)) from None
            except JwtKeysUnavailable:
                detail = "the identity provider's keys cannot be fetched now; try again later"
                raise Problem(503, "unavailable", detail) from None
            actor = self.actors.get(actor_id)
            if actor is None:
                detail = "the token's actor is not in the actors file"
                raise Problem(401, "unauthenticated", detail)
            return actor
        bearer_of = self.tokens.actor_of(token.strip())
        actor = self.actors.get(bearer_of) if bearer_of is not None else None
        if actor is None:
            raise Problem(401, "unauthenticated", "the token is wrong or revoked")
        return actor

    def guarded(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """``handler(request, actor)`` behind the bearer token, its failures answered
        as problem documents."""

        async def endpoint(request: Request) -> Response:
            try:
                actor = await self._authenticate(request)
                return await handler(request, actor)
            except Exception as exc:
                return self.failure(request, exc)

        return endpoint

    def failure(self, request: Request, exc: Exception) -> Response:
        """The problem document for ``exc``; a bare 500 for a fault of the program."""
        problem = problem_of(exc, if_match="if-match" in request.headers)
        if problem is None:
            LOGGER.exception("unexpected error")
            problem = Problem(500, "failed", "an unexpected error; it has been logged")
        headers: dict[str, str] = {}
        if problem.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="scr"'
        current = problem.extra.get("current_version")
        if problem.status == 412 and isinstance(current, int):
            headers["ETag"] = _etag(current)
        body = json.dumps(problem.body(request.url.path), ensure_ascii=False).encode("utf-8")
        return Response(body, problem.status, headers, media_type="application/problem+json")

    async def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking engine call in a worker thread, at most :attr:`concurrency`
        at once (AnyIO's default limit, 40, when None); the others wait their turn."""
        if self.concurrency is None:
            return await run_in_threadpool(function, *args, **kwargs)
        if self._limiter is None:  # made in the event loop that serves (after a fork)
            self._limiter = CapacityLimiter(self.concurrency)
        call = functools.partial(function, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=self._limiter)

    async def body(self, request: Request, *, optional: bool = False) -> dict[str, Any]:
        """The request's JSON object (``{}`` for an empty body if ``optional``); 413 past
        :attr:`max_body` bytes (read no further), 415 for a body not sent as JSON
        (:func:`_is_json`), 400 for anything but a JSON object."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise Problem(413, "too_large", f"the body is longer than {self.max_body} bytes")
        chunks: list[bytes] = []
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > self.max_body:
                raise Problem(413, "too_large", f"the body is longer than {self.max_body} bytes")
            chunks.append(chunk)
        if optional and total == 0:
            return {}
        if not _is_json(request.headers.get("content-type", "")):
            raise Problem(
                415,
                "unsupported_media_type",
                "send the body as JSON, with Content-Type: application/json",
            )
        try:
            data = json.loads(b"".join(chunks) or b"null")
        except (ValueError, RecursionError):
            raise Problem(400, "malformed", "the body is not JSON (UTF-8)") from None
        if not isinstance(data, dict):
            raise Problem(400, "malformed", "the body must be a JSON object")
        return data

    def officer(self, actor: Actor, what: str) -> None:
        """Refuse an actor who does not read every review (the Board's officers)."""
        if self.engine.read_policy.scope(actor) is not ReadScope.ALL:
            message = (
                f"{actor.id} may not {what}: it is for those who read every review "
                "(the Board's officers)"
            )
            raise PermissionDenied(what, [Refusal("PR-e", message, RefusalKind.PERMISSION)])

    # ------------------------------------------------------------- reviews

    def definition(self, review_id: str) -> Protocol | None:
        """The protocol of the review ``review_id``, to read a command by; None when
        it cannot be read (the engine then says why, as for any command). A review's
        protocol and version never change, so each is read once (the last
        :data:`_PROTOCOLS_KEPT` reviews): a command then costs one load, the engine's."""
        found = self._protocols.get(review_id)
        if found is not None:
            return found
        try:
            found = protocol_of(self.engine.store.load(review_id))
        except ScrEngineError:
            return None
        if len(self._protocols) >= _PROTOCOLS_KEPT:
            self._protocols.pop(next(iter(self._protocols)), None)
        self._protocols[review_id] = found
        return found

    async def submit(self, request: Request, actor: Actor) -> Response:
        data = await self.body(request)
        request_form, received_on, protocol = shapes.submission(data, actor)
        key = request.headers.get("idempotency-key")
        review = await self.call(
            self.engine.submit,
            request_form,
            actor,
            idempotency_key=key,
            received_on=received_on,
            protocol=protocol,
        )
        headers = {"ETag": _etag(review.version), "Location": f"/v1/reviews/{review.id}"}
        return _json(shapes.review(review), 201, headers)

    async def list_reviews(self, request: Request, actor: Actor) -> Response:
        query = shapes.Query(request)
        limit = query.count("limit", 100)
        found = await self.call(
            self.engine.reviews,
            stages=query.stages(),
            agency=query.text("agency"),
            text=query.text("text"),
            overdue=query.flag("overdue"),
            limit=limit,
            after=query.text("after"),
            actor=actor,
        )
        rows = [shapes.summary(r) for r in found]
        following = rows[-1]["reference"] if rows and len(rows) == limit else None
        return _json({"reviews": rows, "next_after": following})

    async def get_review(self, request: Request, actor: Actor) -> Response:
        review = await self.call(self.engine.get, request.path_params["review_id"], actor)
        return _review_json(self.engine.store, review, ETag=_etag(review.version))

    async def by_reference(self, request: Request, actor: Actor) -> Response:
        review = await self.call(self.engine.by_reference, request.path_params["reference"], actor)
        headers = {"ETag": _etag(review.version), "Content-Location": f"/v1/reviews/{review.id}"}
        return _json(shapes.review(review), headers=headers)

    async def command(self, request: Request, actor: Actor) -> Response:
        review_id = request.path_params["review_id"]
        data = await self.body(request)
        expected = shapes.if_match(request.headers.get("if-match"))
        key = request.headers.get("idempotency-key")

        def run() -> Any:
            # One trip to a worker thread: the review's protocol, then its command.
            command = shapes.command(data, self.definition(review_id))
            return self.engine.execute(review_id, command, actor, expected, idempotency_key=key)

        review = await self.call(run)
        event = {"sequence": review.version, "hash": review.head}
        if _minimal(request.headers.getlist("prefer")):
            receipt = {
                "id": review.id,
                "reference": review.reference,
                "stage": str(review.stage),
                "version": review.version,
                "event": event,
            }
            headers = {"ETag": _etag(review.version), "Preference-Applied": "return=minimal"}
            return _json(receipt, headers=headers)
        return _review_json(self.engine.store, review, {"event": event}, ETag=_etag(review.version))

    async def explain(self, request: Request, actor: Actor) -> Response:
        review_id = request.path_params["review_id"]
        data = await self.body(request)

        def run() -> tuple[Any, list[Any]]:
            command = shapes.command(data, self.definition(review_id))
            return command, self.engine.explain(review_id, command, actor)

        command, refusals = await self.call(run)
        return _json(
            {
                "command": command.name,
                "accepted": not refusals,
                "refusals": [shapes.refusal_json(r) for r in refusals],
            }
        )

    async def options(self, request: Request, actor: Actor) -> Response:
        review_id = request.path_params["review_id"]
        options = await self.call(self.engine.options, review_id, actor)
        return _json({"options": [shapes.option(o) for o in options]})

    async def history(self, request: Request, actor: Actor) -> Response:
        events = await self.call(self.engine.history, request.path_params["review_id"], actor)
        return _json({"events": [shapes.event(e) for e in events]})

    async def deadlines(self, request: Request, actor: Actor) -> Response:
        as_of = shapes.Query(request).day("as_of")
        review_id = request.path_params["review_id"]
        found = await self.call(self.engine.deadlines, review_id, as_of, actor)
        day = as_of if as_of is not None else local_date(self.engine.clock.now())
        return _json({"as_of": day.isoformat(), "deadlines": [shapes.deadline(d) for d in found]})

    async def overdue(self, request: Request, actor: Actor) -> Response:
        query = shapes.Query(request)
        as_of = query.day("as_of")
        day = as_of if as_of is not None else local_date(self.engine.clock.now())
        limit = query.count("limit", 100)
        rows = await self.call(
            self.engine.overdue,
            day,
            query.count("within_days", 0),
            limit=limit,
            after=query.cursor("after"),
            actor=actor,
        )
        following = shapes.encode_cursor(rows[-1].sort_key) if rows and len(rows) == limit else None
        return _json(
            {
                "as_of": day.isoformat(),
                "deadlines": [shapes.deadline_row(r, day) for r in rows],
                "next_after": following,
            }
        )

    # ------------------------------------------------------------- tasks

    async def pending_tasks(self, request: Request, actor: Actor) -> Response:
        query = shapes.Query(request)
        limit = query.count("limit", 100)
        after = query.task_cursor("after")
        found = await self.call(self.engine.pending_tasks, limit=limit, after=after, actor=actor)
        following = (
            shapes.encode_task_cursor(found[-1].sort_key) if found and len(found) == limit else None
        )
        return _json({"tasks": [shapes.task(t) for t in found], "next_after": following})

    async def review_tasks(self, request: Request, actor: Actor) -> Response:
        states = await self.call(self.engine.tasks, request.path_params["review_id"], actor)
        return _json({"tasks": [{**shapes.task(s.task), "status": s.status.value} for s in states]})

    async def complete_task(self, request: Request, actor: Actor) -> Response:
        review_id = request.path_params["review_id"]
        task_id = request.path_params["task_id"]
        states = await self.call(self.engine.tasks, review_id, actor)
        if task_id not in {s.task.id for s in states}:
            raise Problem(404, "not_found", f"review {review_id!r} has no task {task_id!r}")
        self.officer(actor, "mark tasks delivered")
        await self.call(self.engine.complete_task, task_id)
        states = await self.call(self.engine.tasks, review_id, actor)
        state = next(s for s in states if s.task.id == task_id)
        return _json({**shapes.task(state.task), "status": state.status.value})

    # ------------------------------------------------------------- outputs

    async def public_export(self, request: Request, actor: Actor) -> Response:
        report = await self.call(self.engine.public_export, request.path_params["review_id"], actor)
        return _json(shapes.plain(report))

    async def document(self, request: Request, actor: Actor) -> Response:
        query = shapes.Query(request)
        fmt = query.choice("format", ("md", "html"), "md")
        as_of = query.day("as_of")
        try:
            from scr_engine.documents import DOCUMENTS, is_letter, render
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise Problem(503, "unavailable", "documents need the documents extra") from None
        name = request.path_params["name"]
        review_id = request.path_params["review_id"]
        review = await self.call(self.engine.get, review_id, actor)
        if not isinstance(review, Review):
            if is_letter(name):
                return await self.sar_letter(review, name, fmt, as_of, actor)
            return await self.sar_document(review, name, fmt, as_of)
        if name not in DOCUMENTS:
            raise Problem(404, "not_found", f"no document {name!r}: {', '.join(DOCUMENTS)}")
        events = await self.call(self.engine.history, review_id, actor)
        board, day = await self._board_and_day(as_of)
        try:
            document = await self.call(
                render,
                name,
                review,
                fmt=fmt,
                as_of=day,
                settings=self.engine.settings_for(review),
                history=events,
                board=board,
            )
        except ImportError:  # pragma: no cover - Jinja2 missing
            raise Problem(503, "unavailable", "documents need the documents extra") from None
        return _document(document.text, fmt)

    async def _board_and_day(self, as_of: date | None) -> tuple[BoardIdentity, date]:
        """The store's Board (the default when none is set) and the day a document is
        made as of (``as_of``, else today)."""
        board = await self.call(self.engine.store.board_identity)
        day = as_of if as_of is not None else local_date(self.engine.clock.now())
        return (board if board is not None else DEFAULT_BOARD), day

    async def sar_document(self, review: Any, name: str, fmt: str, as_of: Any) -> Response:
        """One document of a Safeguarding Adults Review (``SAR_DOCUMENTS``)."""
        from scr_engine.documents import LETTERS, SAR_DOCUMENTS, render_sar

        if name not in SAR_DOCUMENTS:
            names = ", ".join(SAR_DOCUMENTS)
            letters = ", ".join(f"{head}-IR-<n>" for head in LETTERS)
            raise Problem(404, "not_found", f"a SAR has no document {name!r}: {names}; {letters}")
        board, day = await self._board_and_day(as_of)
        document = await self.call(
            render_sar, name, review, fmt="html" if fmt == "html" else "md", as_of=day, board=board
        )
        return _document(document.text, fmt)

    async def sar_letter(
        self, review: Any, name: str, fmt: str, as_of: Any, actor: Actor
    ) -> Response:
        """The letter of an information request of a SAR (``information-request-IR-1``,
        ``information-reminder-IR-1``): not found when the review has no such letter."""
        from scr_engine.documents import render_letter

        events = await self.call(self.engine.history, review.id, actor)
        board, day = await self._board_and_day(as_of)
        try:
            document = await self.call(
                render_letter,
                name,
                review,
                history=events,
                fmt="html" if fmt == "html" else "md",
                as_of=day,
                board=board,
            )
        except InvalidRequest as exc:
            raise Problem(404, "not_found", exc.refusals[0].message) from None
        return _document(document.text, fmt)

    # ------------------------------------------------------------- integrity

    async def verify(self, request: Request, actor: Actor) -> Response:
        self.officer(actor, "verify the store")
        data = await self.body(request, optional=True)
        exact = data.get("exact", False)
        problems = [
            Refusal.input(f"unknown field {key!r}: verify takes exact only", key)
            for key in sorted(set(data) - {"exact"})
        ]
        if type(exact) is not bool:
            problems.append(Refusal.input("exact must be true or false", "exact"))
        if problems:
            raise InvalidRequest("verify", problems)
        report = await self.call(self.engine.verify, exact=exact)
        return _json(shapes.verify(report))

    async def checkpoint(self, request: Request, actor: Actor) -> Response:
        self.officer(actor, "sign checkpoints")
        if self.signing_key is None:
            raise Problem(503, "unavailable", "this service has no signing key for checkpoints")
        made = await self.call(self.engine.checkpoint, self.signing_key)
        return Response(made.to_json(), 201, media_type="application/json")

    # ------------------------------------------------------------- webhook

    async def deliveries(self, request: Request, actor: Actor) -> Response:
        self.officer(actor, "see webhook deliveries")
        query = shapes.Query(request)
        status = None
        if query.text("status") is not None:
            status = DeliveryStatus(query.choice("status", _STATUSES, "pending"))
        limit, offset = query.count("limit", 100), query.count("offset", 0)
        if limit > MAX_PAGE:
            message = f"limit must be at most {MAX_PAGE}"
            raise InvalidRequest("deliveries", [Refusal.input(message, "limit")])
        found = await self.call(
            self.engine.store.deliveries, status=status, limit=limit, offset=offset
        )
        following = offset + len(found) if found and len(found) == limit else None
        return _json({"deliveries": [delivery_json(d) for d in found], "next_offset": following})

    async def retry_delivery(self, request: Request, actor: Actor) -> Response:
        self.officer(actor, "retry webhook deliveries")
        ident = request.path_params["delivery_id"]
        now = self.engine.clock.now()
        retried = None
        if _DELIVERY_ID.fullmatch(ident):  # no other id was ever queued
            retried = await self.call(retry_delivery, self.engine.store, ident, now=now)
        if retried is None:
            raise Problem(404, "not_found", f"no webhook delivery {ident!r}")
        return _json(delivery_json(retried))

    # ------------------------------------------------------------- operations

    async def healthz(self, request: Request) -> Response:
        return _json({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        try:
            await self.call(self.engine.store.review_ids, limit=1)
        except Exception:
            LOGGER.warning("readiness: the store cannot be reached")
            return _json({"status": "unavailable"}, 503)
        return _json({"status": "ready"})

    async def openapi(self, request: Request) -> Response:
        from scr_engine.service.openapi import openapi_document

        return _json(openapi_document())


class _RequestLog:
    """Logs one JSON line per request: its method, the route's template (not the path:
    ids stay out), status, duration and request id (also sent back as
    ``X-Request-Id``)."""

    def __init__(self, app: ASGIApp, routes: list[Route]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode("ascii")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if LOGGER.isEnabledFor(logging.INFO):
                self._log(scope, request_id, status, started)

    def _log(self, scope: Scope, request_id: str, status: int, started: float) -> None:
        route = next((r.path for r in self.routes if r.matches(scope)[0] is Match.FULL), "(none)")
        LOGGER.info(
            json.dumps(
                {
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "route": route,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )
        )


def create_app(
    target: ReviewEngine | ReviewStore,
    actors: Mapping[str, Actor],
    tokens: TokenFile,
    *,
    clock: Clock | None = None,
    signing_key: Ed25519PrivateKey | None = None,
    max_body: int | None = None,
    jwt: JwtVerifier | None = None,
    concurrency: int | None = None,
) -> Starlette:
    """The service as an ASGI application, for ``scr serve`` or a host's own server.

    :param target: the engine to serve (its clock, settings and read policy), or a
        store to serve with an engine made over it (on ``clock``).
    :param actors: the people who may call, by id (the actors file's).
    :param tokens: the tokens file: who a bearer token acts as.
    :param signing_key: the Board's Ed25519 key, for ``POST /v1/checkpoints`` (503
        without it).
    :param max_body: the longest body accepted, in bytes (413 past it); by default four
        bytes (UTF-8's most) for each character of the settings' ``max_command_length``,
        so that any command the engine would accept fits.
    :param jwt: also take JSON Web Tokens of an OIDC provider, each naming an actor of
        ``actors`` (:class:`~scr_engine.service.oidc.JwtVerifier`); bearer tokens of
        ``tokens`` keep working beside them.
    :param concurrency: how many engine calls run at once, at most, each in a thread of
        its own; the others wait their turn. By default the store's ``pool_size`` (a
        :class:`~scr_engine.storage.sql.SqlStore` on its own engine: its pool's size),
        so that under load no call opens a connection past the pool only to close it
        again; AnyIO's default limit (40) for a store without one. Raises
        :class:`~scr_engine.errors.InvalidRequest` unless a whole number of at least 1.
    """
    engine = target if isinstance(target, ReviewEngine) else ReviewEngine(target, clock)
    limit = max_body if max_body is not None else 4 * engine.settings.max_command_length
    if concurrency is None:
        size = getattr(engine.store, "pool_size", None)  # a store's own, if it says
        concurrency = size if type(size) is int and size >= 1 else None
    elif type(concurrency) is not int or concurrency < 1:
        message = f"concurrency must be a whole number of at least 1, not {concurrency!r}"
        raise InvalidRequest("create_app", [Refusal.input(message, "concurrency")])
    service = _Service(engine, actors, tokens, signing_key, limit, jwt, concurrency)
    g = service.guarded
    review = "/v1/reviews/{review_id}"
    routes = [
        Route("/healthz", service.healthz, methods=["GET"]),
        Route("/readyz", service.readyz, methods=["GET"]),
        Route("/v1/openapi.json", service.openapi, methods=["GET"]),
        Route("/v1/reviews", g(service.submit), methods=["POST"]),
        Route("/v1/reviews", g(service.list_reviews), methods=["GET"]),
        Route(review, g(service.get_review), methods=["GET"]),
        Route("/v1/references/{reference}", g(service.by_reference), methods=["GET"]),
        Route(f"{review}/commands", g(service.command), methods=["POST"]),
        Route(f"{review}/explain", g(service.explain), methods=["POST"]),
        Route(f"{review}/options", g(service.options), methods=["GET"]),
        Route(f"{review}/history", g(service.history), methods=["GET"]),
        Route(f"{review}/deadlines", g(service.deadlines), methods=["GET"]),
        Route(f"{review}/tasks", g(service.review_tasks), methods=["GET"]),
        Route(f"{review}/tasks/{{task_id}}/complete", g(service.complete_task), methods=["POST"]),
        Route(f"{review}/public-export", g(service.public_export), methods=["GET"]),
        Route(f"{review}/documents/{{name}}", g(service.document), methods=["GET"]),
        Route("/v1/overdue", g(service.overdue), methods=["GET"]),
        Route("/v1/tasks", g(service.pending_tasks), methods=["GET"]),
        Route("/v1/verify", g(service.verify), methods=["POST"]),
        Route("/v1/checkpoints", g(service.checkpoint), methods=["POST"]),
        Route("/v1/webhook/deliveries", g(service.deliveries), methods=["GET"]),
        Route(
            "/v1/webhook/deliveries/{delivery_id}/retry",
            g(service.retry_delivery),
            methods=["POST"],
        ),
    ]

    async def unrouted(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        kind = "not_found" if status == 404 else "method_not_allowed"
        detail = "no such resource" if status == 404 else f"{request.method} is not allowed here"
        answer = service.failure(request, Problem(status, kind, detail))
        if status == 405:  # RFC 9110 §15.5.6: the methods every route of the path takes
            path = request.scope["path"]
            allowed = {m for r in routes if r.path_regex.fullmatch(path) for m in r.methods or ()}
            answer.headers["Allow"] = ", ".join(sorted(allowed))
        return answer

    app = Starlette(routes=routes, exception_handlers={HTTPException: unrouted})
    app.add_middleware(_RequestLog, routes=routes)
    app.state.engine = engine
    return app
