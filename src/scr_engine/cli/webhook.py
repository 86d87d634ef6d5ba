"""``scr webhook``: the store's webhook, which pushes every task a command emits to
the Board's own system (:mod:`scr_engine.webhooks`).

``scr webhook set --url URL --secret-file FILE`` sets it (the secret stays in the
file: the database keeps its path and a fingerprint, never the secret), ``show``
prints it and the deliveries pending or failed, ``remove`` removes it, and
``deliver`` sends what is due once (for cron; ``scr serve`` sends in the
background). ``deliveries`` lists the deliveries (``--status``) and ``retry`` makes a
failed one (or ``--all-failed``) due now: both for the Board's officers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from scr_engine.cli.app import Session, cli, scr_command, usage
from scr_engine.cli.errors import EXIT_NOT_FOUND, CliError

if TYPE_CHECKING:
    from rich.console import Console

    from scr_engine.webhooks import Delivery, Webhook

__all__ = [
    "webhook",
    "webhook_deliver",
    "webhook_deliveries",
    "webhook_remove",
    "webhook_retry",
    "webhook_set",
    "webhook_show",
]

_SECRET_OPTION = click.option(
    "--secret-file",
    "secret_file",
    envvar="SCR_WEBHOOK_SECRET_FILE",
    metavar="FILE",
    help="the file holding the secret, if not where `scr webhook set` named it "
    "($SCR_WEBHOOK_SECRET_FILE).",
)


def _webhook_json(hook: Webhook | None) -> dict[str, str] | None:
    if hook is None:
        return None
    return {"url": hook.url, "secret_file": hook.secret_file, "fingerprint": hook.fingerprint}


def _delivery_json(delivery: Delivery) -> dict[str, Any]:
    from scr_engine.webhooks import delivery_json

    return delivery_json(delivery)


@cli.group("webhook")
def webhook() -> None:
    """The webhook that pushes tasks to the Board's own system (docs/service.md)."""


@scr_command(webhook, "set")
@click.option("--url", "url", required=True, metavar="URL", help="where deliveries are POSTed.")
@click.option(
    "--secret-file",
    "secret_file",
    required=True,
    metavar="FILE",
    help="the file holding the shared secret (at least 32 bytes); it is never copied.",
)
def webhook_set(session: Session, url: str, secret_file: str) -> None:
    """Set the store's webhook: every task a command emits from now on (and every one
    queued and not yet delivered) is POSTed to URL, signed with the secret in FILE."""
    from scr_engine.errors import InvalidRequest
    from scr_engine.webhooks import Webhook

    try:
        hook = Webhook.create(url, secret_file)
    except InvalidRequest as exc:
        raise usage("; ".join(f"--{r.field or 'url'}: {r.message}" for r in exc.refusals)) from None
    session.store.set_webhook(hook)
    data = {"webhook": _webhook_json(hook)}

    def render(console: Console) -> None:
        console.print(f"Webhook set: {hook.url}", soft_wrap=True)
        console.print(f"Secret read from {hook.secret_file} (fingerprint {hook.fingerprint}).")

    session.emit(data, render)


@scr_command(webhook, "show")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0), help="rows.")
def webhook_show(session: Session, limit: int) -> None:
    """The store's webhook (never its secret) and the deliveries pending or failed."""
    from scr_engine.webhooks import DeliveryStatus

    store = session.store
    hook = store.webhook()
    pending = store.deliveries(status=DeliveryStatus.PENDING, limit=limit)
    failed = store.deliveries(status=DeliveryStatus.FAILED, limit=limit)
    data = {
        "webhook": _webhook_json(hook),
        "pending": [_delivery_json(d) for d in pending],
        "failed": [_delivery_json(d) for d in failed],
    }

    def render(console: Console) -> None:
        if hook is None:
            console.print("No webhook is set: `scr webhook set --url URL --secret-file FILE`.")
        else:
            console.print(f"Webhook: {hook.url}", soft_wrap=True)
            console.print(f"Secret file: {hook.secret_file} (fingerprint {hook.fingerprint})")
        for title, rows in (("Pending", pending), ("Failed", failed)):
            console.print(f"{title}: {len(rows)}{'+' if len(rows) == limit and limit else ''}")
            for d in rows:
                console.print(
                    f"  {d.id} task {d.task_id} review {d.review_id}: {d.attempts} attempt(s)"
                    + (f", last {d.last_error}" if d.last_error else ""),
                    soft_wrap=True,
                    markup=False,
                )

    session.emit(data, render)


@scr_command(webhook, "remove")
def webhook_remove(session: Session) -> None:
    """Remove the store's webhook; deliveries stay queued until one is set again."""
    store = session.store
    had = store.webhook() is not None
    store.set_webhook(None)

    def render(console: Console) -> None:
        console.print("Webhook removed." if had else "No webhook was set.")

    session.emit({"removed": had}, render)


@scr_command(webhook, "deliver")
@_SECRET_OPTION
@click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(1), help="at most this many."
)
def webhook_deliver(session: Session, secret_file: str | None, limit: int) -> None:
    """Send once every delivery due (from cron; `scr serve` sends in the background):
    failures are retried later with backoff, given up after 15 attempts (a day or so)."""
    from scr_engine.errors import InvalidRequest
    from scr_engine.webhooks import deliver_due

    try:
        report = deliver_due(session.store, secret_file=secret_file, limit=limit)
    except InvalidRequest as exc:
        raise usage("; ".join(r.message for r in exc.refusals)) from None
    data = {
        "delivered": list(report.delivered),
        "retrying": list(report.retrying),
        "failed": list(report.failed),
    }

    def render(console: Console) -> None:
        console.print(
            f"Delivered {len(report.delivered)}, to retry {len(report.retrying)}, "
            f"failed {len(report.failed)}."
        )

    session.emit(data, render)


_WHO = "webhook deliveries"


@scr_command(webhook, "deliveries")
@click.option(
    "--status",
    "status",
    type=click.Choice(["pending", "failed", "delivered"]),
    default=None,
    help="only the deliveries of this status (default: all).",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(0), help="rows.")
@click.option("--offset", default=0, type=click.IntRange(0), help="rows skipped first.")
def webhook_deliveries(session: Session, status: str | None, limit: int, offset: int) -> None:
    """The webhook's deliveries, oldest first: id, task, review, status, attempts,
    last error and next attempt (the Board's officers)."""
    from scr_engine.webhooks import DeliveryStatus

    session.require_officer(_WHO)
    chosen = None if status is None else DeliveryStatus(status)
    found = session.store.deliveries(status=chosen, limit=limit, offset=offset)
    rows = [_delivery_json(d) for d in found]
    following = offset + len(rows) if rows and len(rows) == limit else None
    data = {"deliveries": rows, "next_offset": following}

    def render(console: Console) -> None:
        if not rows:
            console.print("No deliveries" + (f" {status}." if status else "."))
            return
        for row in rows:
            line = (
                f"{row['id']} task {row['task_id']} review {row['review_id']}: "
                f"{row['status']}, {row['attempts']} attempt(s)"
            )
            if row["next_attempt_at"]:
                line += f", next {row['next_attempt_at']}"
            if row["last_error"]:
                line += f", last {row['last_error']}"
            console.print(line, soft_wrap=True, markup=False)
        if data["next_offset"] is not None:
            console.print(f"More: --offset {data['next_offset']}.")

    session.emit(data, render)


@scr_command(webhook, "retry")
@click.argument("delivery_id", required=False, metavar="ID")
@click.option("--all-failed", "all_failed", is_flag=True, help="every failed delivery.")
def webhook_retry(session: Session, delivery_id: str | None, all_failed: bool) -> None:
    """Make a failed delivery ID (or every failed one) due now: `scr serve` or `scr
    webhook deliver` sends it next. One more attempt: failing again, it is failed
    again (the Board's officers)."""
    from scr_engine.webhooks import retry_delivery, retry_failed

    if (delivery_id is None) is not all_failed:
        raise usage("give one delivery ID, or --all-failed")
    session.require_officer(_WHO)
    store = session.store
    now = session.engine.clock.now()
    if delivery_id is None:
        retried = retry_failed(store, now=now)
    else:
        found = retry_delivery(store, delivery_id, now=now)
        if found is None:
            message = f"no webhook delivery {delivery_id!r} (`scr webhook deliveries` lists them)"
            raise CliError(message, EXIT_NOT_FOUND, kind="not_found")
        retried = [found]
    data = {"retried": [_delivery_json(d) for d in retried]}

    def render(console: Console) -> None:
        console.print(f"Due now: {len(retried)} deliver{'y' if len(retried) == 1 else 'ies'}.")
        for d in retried:
            console.print(f"  {d.id} task {d.task_id}", soft_wrap=True, markup=False)

    session.emit(data, render)
