"""``scr serve``: the review engine as an HTTP service any council system can call.

JSON resources under ``/v1`` (submit a request, read and list reviews, run commands,
explain them, history, deadlines, overdue, tasks, the public export, documents,
verify and checkpoints), each call by a bearer token bound to one actor of the
actors file, through the read policy and the access log. Failures are problem
documents (RFC 9457) with the status the error tree gives them; ``Idempotency-Key``
and ``If-Match`` carry the engine's idempotency keys and expected versions. The
OpenAPI 3.1 document is served at ``/v1/openapi.json``. ``docs/service.md`` describes
it all.

It needs the ``service`` extra (``pip install 'scr_engine[service]'``: Starlette and
Uvicorn). The core never imports this package.

>>> app = create_app(engine, actors, TokenFile("scr-tokens.json"))  # doctest: +SKIP
>>> uvicorn.run(app, host="127.0.0.1", port=8000)                   # doctest: +SKIP
"""

from __future__ import annotations

from scr_engine.service.app import LOGGER, create_app
from scr_engine.service.oidc import JwtVerifier
from scr_engine.service.problems import STATUSES, Problem
from scr_engine.service.tokens import TOKENS_FILE, TokenEntry, TokenFile, hash_token

__all__ = [
    "LOGGER",
    "STATUSES",
    "TOKENS_FILE",
    "JwtVerifier",
    "Problem",
    "TokenEntry",
    "TokenFile",
    "create_app",
    "hash_token",
]
