"""``scr serve`` and ``scr token``: the HTTP service, and the bearer tokens it takes.

``scr token issue ACTOR`` makes a token for a person of the actors file and prints it
once; the tokens file (``scr-tokens.json`` beside the actors file, or ``--tokens
FILE`` / ``SCR_TOKENS``) keeps only its SHA-256. ``scr serve`` runs the service
(:mod:`scr_engine.service`) on Uvicorn over the database every ``scr`` command uses.
Both need the ``service`` extra.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scr_engine.cli.app import EXIT_NOT_FOUND, CliError, Session, cli, scr_command, usage

if TYPE_CHECKING:
    from rich.console import Console

    from scr_engine.service.oidc import JwtVerifier
    from scr_engine.service.tokens import TokenFile

__all__ = ["issue", "list_tokens", "revoke", "serve", "token"]

_TOKENS_OPTION = click.option(
    "--tokens",
    "tokens_path",
    envvar="SCR_TOKENS",
    metavar="FILE",
    help="the tokens file (default: scr-tokens.json beside the actors file; $SCR_TOKENS).",
)


def _service_needed() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise CliError(
            "the service needs Starlette and Uvicorn: pip install 'scr_engine[service]'"
        ) from None


def _tokens(session: Session, given: str | None) -> TokenFile:
    from scr_engine.service.tokens import TOKENS_FILE, TokenFile

    if given:
        return TokenFile(Path(given))
    return TokenFile(session.actors.path.with_name(TOKENS_FILE))


@scr_command(cli, "serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="the address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="the port."
)
@_TOKENS_OPTION
@click.option(
    "--signing-key",
    "signing_key",
    metavar="FILE",
    help="the Board's signing key (PEM), for POST /v1/checkpoints.",
)
@click.option(
    "--webhook-interval",
    "webhook_interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0),
    help="seconds between rounds of webhook deliveries (`scr webhook set`); 0 sends none.",
)
@click.option(
    "--pool-size",
    "pool_size",
    envvar="SCR_POOL_SIZE",
    type=click.IntRange(min=1),
    help="connections the store's pool keeps open, and requests a worker serves at once "
    "(the others wait their turn; default 5; $SCR_POOL_SIZE).",
)
@click.option(
    "--max-overflow",
    "max_overflow",
    envvar="SCR_POOL_MAX_OVERFLOW",
    type=click.IntRange(min=0),
    help="connections opened past the pool's size under load (default 10; $SCR_POOL_MAX_OVERFLOW).",
)
@click.option(
    "--workers",
    envvar="SCR_WORKERS",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="worker processes, each new connection handed to the next in turn (Linux); "
    "one per core the service may use ($SCR_WORKERS).",
)
@click.option(
    "--shutdown-timeout",
    "shutdown_timeout",
    envvar="SCR_SHUTDOWN_TIMEOUT",
    default=30,
    show_default=True,
    type=click.IntRange(min=0),
    help="seconds the requests in flight get to finish after SIGTERM or Ctrl-C "
    "($SCR_SHUTDOWN_TIMEOUT).",
)
@click.option(
    "--jwt-issuer",
    "jwt_issuer",
    envvar="SCR_JWT_ISSUER",
    metavar="URL",
    help="also take JWTs of this OIDC issuer (iss); needs --jwt-audience and a key "
    "($SCR_JWT_ISSUER).",
)
@click.option(
    "--jwt-audience",
    "jwt_audience",
    envvar="SCR_JWT_AUDIENCE",
    metavar="TEXT",
    help="the audience (aud) the JWTs must carry ($SCR_JWT_AUDIENCE).",
)
@click.option(
    "--jwt-public-key",
    "jwt_public_key",
    envvar="SCR_JWT_PUBLIC_KEY",
    metavar="FILE",
    help="the issuer's public key, PEM ($SCR_JWT_PUBLIC_KEY); or --jwt-jwks-url.",
)
@click.option(
    "--jwt-jwks-url",
    "jwt_jwks_url",
    envvar="SCR_JWT_JWKS_URL",
    metavar="URL",
    help="where the issuer publishes its keys ($SCR_JWT_JWKS_URL).",
)
@click.option(
    "--jwt-algorithms",
    "jwt_algorithms",
    envvar="SCR_JWT_ALGORITHMS",
    default="RS256,ES256",
    show_default=True,
    metavar="LIST",
    help="the algorithms allowed, comma-separated: asymmetric only, never none or HS* "
    "($SCR_JWT_ALGORITHMS).",
)
@click.option(
    "--jwt-actor-claim",
    "jwt_actor_claim",
    envvar="SCR_JWT_ACTOR_CLAIM",
    default="sub",
    show_default=True,
    metavar="CLAIM",
    help="the claim holding the actor's id in the actors file ($SCR_JWT_ACTOR_CLAIM).",
)
@click.option(
    "--jwt-leeway",
    "jwt_leeway",
    envvar="SCR_JWT_LEEWAY",
    default=0,
    show_default=True,
    type=click.IntRange(min=0, max=300),
    metavar="SECONDS",
    help="clock skew tolerated on a JWT's exp, nbf and iat, at most 300 ($SCR_JWT_LEEWAY).",
)
def serve(
    session: Session,
    host: str,
    port: int,
    tokens_path: str | None,
    signing_key: str | None,
    webhook_interval: float,
    pool_size: int | None,
    max_overflow: int | None,
    workers: int,
    shutdown_timeout: int,
    jwt_issuer: str | None,
    jwt_audience: str | None,
    jwt_public_key: str | None,
    jwt_jwks_url: str | None,
    jwt_algorithms: str,
    jwt_actor_claim: str,
    jwt_leeway: int,
) -> None:
    """Serve the reviews over HTTP (JSON under /v1; docs/service.md): every call with a
    bearer token from `scr token issue`.

    SIGTERM or Ctrl-C stops it gracefully: no new connections are taken, the requests
    in flight finish (for at most --shutdown-timeout seconds), the store's connections
    are closed, and it exits 0. With --workers N, each of the N processes does so, and
    webhooks are sent by this one."""
    _service_needed()
    import uvicorn

    from scr_engine.service import LOGGER, create_app
    from scr_engine.service.workers import listening_socket, workers_available

    if workers > 1 and not workers_available():
        raise usage("--workers needs Linux; run one process, or several behind a proxy")

    key = None
    if signing_key is not None:
        from scr_engine.checkpoints import load_private_key

        try:
            key = load_private_key(Path(signing_key).read_bytes())
        except OSError as exc:
            raise usage(f"cannot read the signing key {signing_key}: {exc.strerror}") from None
    tokens = _tokens(session, tokens_path)
    context = click.get_current_context()
    given = [
        name
        for name in ("jwt_algorithms", "jwt_actor_claim", "jwt_leeway")
        if context.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    ]
    if jwt_issuer is None and given:
        raise usage("the --jwt-* options need --jwt-issuer")
    verifier = _jwt_verifier(
        jwt_issuer,
        jwt_audience,
        jwt_public_key,
        jwt_jwks_url,
        jwt_algorithms,
        jwt_actor_claim,
        jwt_leeway,
    )
    if pool_size is not None:
        session.store_options["pool_size"] = pool_size
    if max_overflow is not None:
        session.store_options["max_overflow"] = max_overflow
    app = create_app(session.engine, session.actors.people, tokens, signing_key=key, jwt=verifier)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    listener = None
    if workers > 1:
        try:
            listener = listening_socket(host, port)
        except OSError as exc:
            raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        port = listener.getsockname()[1]
    click.echo(
        f"scr serve: {session.where} on http://{host}:{port}/v1 "
        f"(actors {session.actors.path}, tokens {tokens.path}"
        + (f", {workers} workers)" if workers > 1 else ")"),
        err=True,
    )
    if listener is not None:
        _serve_workers(session, app, listener, workers, webhook_interval, shutdown_timeout)
        return
    stopped: list[int] = []
    with _webhooks_then_close(session, webhook_interval) as start_webhooks:
        if start_webhooks is not None:
            start_webhooks()
        previous = {
            number: signal.signal(number, lambda received, frame: stopped.append(received))
            for number in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            # Uvicorn takes SIGTERM and SIGINT while it runs, shuts down gracefully,
            # then raises the signal again: the handlers above take it, so that the
            # store is closed and the command ends normally.
            uvicorn.run(
                app,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                timeout_graceful_shutdown=shutdown_timeout,
            )
        except SystemExit as exc:  # Uvicorn could not start (a port in use, say): its 3
            if exc.code in (0, None):  # is scr's "not found"; failing to listen is exit 1
                raise
            raise CliError(f"cannot listen on {host}:{port} (see the error above)") from None
        finally:
            for number, before in previous.items():
                signal.signal(number, before)
    if stopped:
        click.echo("scr serve: stopped; the store is closed", err=True)


@contextmanager
def _webhooks_then_close(session: Session, interval: float) -> Iterator[Callable[[], None] | None]:
    """For the block, the webhook dispatcher over the store, given as its ``start``
    (None when ``interval`` is 0: none are sent) for the caller to call once threads
    may run; when the block ends, however it ends, the dispatcher is stopped and the
    store closed. Each way of serving (one process, workers) sends and closes so."""
    from scr_engine.service.webhooks import Dispatcher

    dispatcher = Dispatcher(session.store, interval=interval)
    try:
        yield dispatcher.start if interval > 0 else None
    finally:
        dispatcher.stop()
        session.store.close()


def _serve_workers(
    session: Session,
    app: Any,
    listener: Any,
    workers: int,
    webhook_interval: float,
    timeout: int,
) -> None:
    """``scr serve --workers``: the workers forked, each connection ``listener`` takes
    handed to the next in turn; webhooks sent from this process (its dispatcher
    started once they are: a thread is not to be forked with); the store closed when
    they have all stopped."""
    from scr_engine.service.workers import WorkerExit, run_workers

    with _webhooks_then_close(session, webhook_interval) as start_webhooks:
        try:
            run_workers(app, listener, workers, shutdown_timeout=timeout, forked=start_webhooks)
        except WorkerExit as exc:
            raise CliError(f"scr serve: {exc}; the other workers were stopped") from None
    click.echo("scr serve: stopped; the store is closed", err=True)


def _jwt_verifier(
    issuer: str | None,
    audience: str | None,
    public_key: str | None,
    jwks_url: str | None,
    algorithms: str,
    actor_claim: str,
    leeway: int = 0,
) -> JwtVerifier | None:
    """The JWT verifier ``scr serve``'s options describe, or None without an issuer."""
    if issuer is None:
        if audience or public_key or jwks_url:
            raise usage("the --jwt-* options need --jwt-issuer")
        return None
    from scr_engine.errors import InvalidRequest
    from scr_engine.service.oidc import JwtVerifier

    if audience is None:
        raise usage("--jwt-issuer needs --jwt-audience")
    pem = None
    if public_key is not None:
        try:
            pem = Path(public_key).read_bytes()
        except OSError as exc:
            raise usage(f"cannot read the JWT public key {public_key}: {exc.strerror}") from None
    try:
        return JwtVerifier(
            issuer,
            audience,
            public_key=pem,
            jwks_url=jwks_url,
            algorithms=tuple(a.strip() for a in algorithms.split(",") if a.strip()),
            actor_claim=actor_claim,
            leeway=leeway,
        )
    except InvalidRequest as exc:
        reasons = "; ".join(r.message for r in exc.refusals)
        raise usage(f"the JWT options cannot be used: {reasons}") from None


@cli.group("token")
def token() -> None:
    """Issue, list and revoke the bearer tokens of `scr serve`."""


@scr_command(token, "issue")
@click.argument("person", metavar="ACTOR")
@_TOKENS_OPTION
def issue(session: Session, person: str, tokens_path: str | None) -> None:
    """Issue a token for ACTOR (an id of the actors file) and print it, once: only its
    hash is kept."""
    _service_needed()
    actor = session.actors.get(person)
    tokens = _tokens(session, tokens_path)
    entry, secret = tokens.issue(actor.id)
    data = {"id": entry.id, "actor": entry.actor, "issued_at": entry.issued_at, "token": secret}

    def render(console: Console) -> None:
        console.print(
            f"Token {entry.id} for {actor.name} ({actor.id}), kept as a hash in {tokens.path}:"
        )
        console.print(secret, soft_wrap=True)
        console.print("It is shown this once: give it to the system that acts as them.")

    session.emit(data, render)


@scr_command(token, "revoke")
@click.argument("token_id", metavar="ID")
@_TOKENS_OPTION
def revoke(session: Session, token_id: str, tokens_path: str | None) -> None:
    """Revoke the token ID (as `scr token list` shows it): refused from the next request."""
    _service_needed()
    tokens = _tokens(session, tokens_path)
    entry = tokens.revoke(token_id)
    if entry is None:
        raise CliError(f"no token {token_id!r} in {tokens.path}", EXIT_NOT_FOUND, kind="not_found")
    data = {"id": entry.id, "actor": entry.actor, "revoked_at": entry.revoked_at}

    def render(console: Console) -> None:
        console.print(f"Token {entry.id} of {entry.actor} revoked ({entry.revoked_at}).")

    session.emit(data, render)


@scr_command(token, "list")
@_TOKENS_OPTION
def list_tokens(session: Session, tokens_path: str | None) -> None:
    """The tokens issued (never the tokens themselves): id, actor, when issued and
    revoked."""
    _service_needed()
    from scr_engine.cli.app import person_table

    tokens = _tokens(session, tokens_path)
    rows: list[dict[str, Any]] = [
        {"id": e.id, "actor": e.actor, "issued_at": e.issued_at, "revoked_at": e.revoked_at}
        for e in tokens.entries()
    ]

    def render(console: Console) -> None:
        if not rows:
            console.print(f"No tokens in {tokens.path}: issue one with `scr token issue ACTOR`.")
            return
        table = person_table(f"Tokens in {tokens.path}", "Id", "Actor", "Issued", "Revoked")
        for row in rows:
            table.add_row(row["id"], row["actor"], row["issued_at"], row["revoked_at"] or "")
        console.print(table)

    session.emit({"tokens": rows}, render)
