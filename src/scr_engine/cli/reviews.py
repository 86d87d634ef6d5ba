"""``scr submit``, ``scr run``, ``scr show``, ``scr history``, ``scr list``: one
review at a time."""

from __future__ import annotations

import difflib
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from scr_engine.cli.app import (
    EXIT_FAILED,
    Session,
    cli,
    person_table,
    scr_command,
    usage,
)
from scr_engine.cli.forms import (
    FORM_TEMPLATE,
    _json_ready,
    malformed,
    parse_set,
    read_document,
)

if TYPE_CHECKING:
    from rich.console import Console

    from scr_engine.protocols import Protocol
    from scr_engine.protocols.sar.annual.records import AnnualReport
    from scr_engine.protocols.sar.records import SarReview
    from scr_engine.records import Review

__all__ = [
    "FORM_TEMPLATE",
    "_json_ready",
    "history",
    "list_reviews",
    "malformed",
    "parse_set",
    "read_document",
    "resolve_review",
    "run",
    "show",
    "submit",
]

_PENDING_TASKS = (
    "SELECT id, kind, agency, created_at, rule FROM scr_tasks "
    "WHERE review_id = :review_id AND completed_at IS NULL ORDER BY created_at, id"
)

_EVERY_TASK = "SELECT id, kind, agency FROM scr_tasks WHERE review_id = :review_id"


def resolve_review(session: Session, given: str) -> str:
    """A review's id from its id or its reference (``SCR-2026-001``)."""
    found = session.store.review_id_of(given)
    return found if found is not None else given


def _definition_of(session: Session, given: str) -> Protocol:
    """The protocol definition of the review ``given`` (its id or reference): the
    SCR's when it cannot be read (the engine then says why, as for any command).
    No such review is "not found" (exit 3) whatever the command: a SAR's command
    is no unknown command of the SCR's."""
    from scr_engine.errors import ReviewNotFound, ScrEngineError
    from scr_engine.protocols import DEFAULT, of

    try:
        return of(session.store.load(resolve_review(session, given)))
    except ReviewNotFound:
        raise
    except ScrEngineError:
        return DEFAULT


def _review_tasks(session: Session, review_id: str) -> list[dict[str, Any]]:
    """The review's pending tasks, oldest first (JSON shape of ``task_json``)."""
    import sqlalchemy as sa

    from scr_engine.cli.shapes import TASK_WORDS, short_ids

    engine = session.store.engine
    if engine is None:  # pragma: no cover
        return []
    with engine.connect() as conn:
        rows = conn.execute(sa.text(_PENDING_TASKS), {"review_id": review_id}).all()
        every = conn.execute(sa.text(_EVERY_TASK), {"review_id": review_id}).all()
    shorts = short_ids(review_id, ((r.id, f"{r.kind}:{r.agency}") for r in every))
    return [
        {
            "id": row.id,
            "review_id": review_id,
            "kind": row.kind,
            "kind_words": TASK_WORDS.get(row.kind, row.kind),
            "agency": row.agency,
            "created_at": datetime.fromisoformat(row.created_at).isoformat(),
            "rule": row.rule,
            "short_id": shorts.get(row.id, f"{row.kind}:{row.agency}"),
        }
        for row in rows
    ]


# --------------------------------------------------------------------------- output


def _person(session: Session, person_id: str, name: str | None = None) -> str:
    found = name or session.name_of(person_id)
    return f"{found} ({person_id})" if found else person_id


def _heading(console: Console, session: Session, review: Review | SarReview | AnnualReport) -> None:
    from scr_engine.cli.shapes import stage_words

    code = str(review.stage)
    console.print(
        f"[bold]{review.reference}[/bold]  {stage_words(review)} [dim]({code})[/dim]  "
        f"version {review.version}  [dim]id {review.id}[/dim]"
    )
    involved = getattr(review, "involved_agencies", ())  # an annual report involves none
    agencies = ", ".join(f"{a.name} ({a.code})" for a in involved) or "none"
    console.print(
        f"Received {review.received_on.isoformat()} from "
        f"{_person(session, review.requested_by)}; agencies: {agencies}"
    )
    from scr_engine.records import Review as Scr

    if not isinstance(review, Scr):
        from scr_engine.protocols import of

        console.print(f"Protocol: {of(review).title} ({review.protocol})")
        lead: Any = getattr(review, "lead_reviewer", None)
        if lead is not None:
            console.print(f"Appointed: lead reviewer {_person(session, lead.person_id, lead.name)}")
        return
    people = []
    if review.panel_chair is not None:
        chair = review.panel_chair
        people.append(f"panel chair {_person(session, chair.person_id, chair.name)}")
    if review.overview_writer is not None:
        writer = review.overview_writer
        people.append(f"overview writer {_person(session, writer.person_id, writer.name)}")
    if people:
        console.print("Appointed: " + "; ".join(people))


def _corrections(
    console: Console, session: Session, review: Review | SarReview | AnnualReport
) -> None:
    """The people replaced or stood down (SU-1, SU-9, SU-2) and the revisions of the
    terms of reference (SU-6), oldest first; nothing when there were none."""
    from rich.markup import escape

    from scr_engine.cli.shapes import ROLE_WORDS, appointee_name
    from scr_engine.records import Review as Scr

    if not isinstance(review, Scr):
        return
    if review.replaced:
        table = person_table(
            "Replaced or stood down", "Day", "Role", "Person", "Replaced by", "Reasons"
        )
        for gone in review.replaced:
            newcomer = gone.replaced_by
            table.add_row(
                gone.day.isoformat(),
                ROLE_WORDS.get(gone.role, gone.role),
                escape(_person(session, gone.person.person_id, gone.person.name)),
                escape(_person(session, newcomer, appointee_name(review, newcomer)))
                if newcomer is not None
                else "nobody",
                escape(gone.reasons),
            )
        console.print(table)
    if review.terms_revisions:
        table = person_table("Terms of reference revised", "Day", "Reasons")
        for revision in review.terms_revisions:
            table.add_row(revision.day.isoformat(), escape(revision.reasons))
        console.print(table)


# --------------------------------------------------------------------------- commands


@scr_command(cli, "submit")
@click.argument("form", required=False, metavar="FORM.toml|FORM.json")
@click.option("--template", is_flag=True, help="print a request form to fill in, and stop.")
@click.option(
    "--key", "idempotency_key", help="an idempotency key: a retry returns the same review."
)
@click.option(
    "--received-on",
    metavar="YYYY-MM-DD",
    help="the day the request was received, when recorded later (default today).",
)
@click.option(
    "--protocol",
    default="scr",
    show_default=True,
    metavar="NAME",
    help="the protocol the review runs under (scr protocols lists them).",
)
def submit(
    session: Session,
    form: str | None,
    template: bool,
    idempotency_key: str | None,
    received_on: str | None,
    protocol: str,
) -> None:
    """Submit an Appendix 1 request: a new review (as a requester or business manager).

    FORM is TOML (FORM.toml) or JSON; `scr submit --template > FORM.toml` gives one to
    fill in.
    """
    received = _parse_day(received_on, "--received-on")
    from scr_engine.cli.forms import definition_named

    definition = definition_named(protocol, strict=template)
    if template:
        from scr_engine.protocols import DEFAULT

        if definition is not DEFAULT:
            from scr_engine.cli.forms import print_form_template

            print_form_template(session, definition)
        elif session.json:
            from scr_engine.demo import demo_request
            from scr_engine.serialization import unstructure

            session.emit(unstructure(demo_request()))
        else:
            sys.stdout.write(FORM_TEMPLATE)
        return
    if form is None:
        raise usage("give the request form: scr submit FORM.toml (or --template for one)")
    data = read_document(form)
    from scr_engine.cli.shapes import review_json
    from scr_engine.errors import InvalidRequest
    from scr_engine.serialization import structure

    engine = session.engine
    actor = session.actor
    try:
        request: Any = structure(data, definition.request_form, what="submit_request")
    except InvalidRequest as exc:
        from scr_engine.rules.judge import acting_role

        if acting_role(definition.row("submit_request"), actor) is None:
            # Permission first: who may not submit learns nothing about the form (RF-1).
            engine.submit(data, actor, protocol=protocol)  # raises PermissionDenied
        from scr_engine.cli.forms import other_form

        raise malformed(exc, hint=other_form(data, definition, form)) from None
    review = engine.submit(
        request, actor, idempotency_key=idempotency_key, received_on=received, protocol=protocol
    )

    def render(console: Console) -> None:
        console.print(
            f"Review [bold]{review.reference}[/bold] received (id {review.id}): "
            f"stage {review.stage}."
        )
        console.print(f"Next: scr show {review.reference}")

    session.emit(review_json(review, session.name_of), render)


@scr_command(cli, "run")
@click.argument("review")
@click.argument("command")
@click.option(
    "--template",
    is_flag=True,
    help="print the command's fields to fill in (TOML; --json for JSON), and stop.",
)
@click.option(
    "--from",
    "from_file",
    metavar="FILE",
    help="the command's fields: FILE.toml, FILE.json or - (JSON), as --template prints them.",
)
@click.option("--payload", metavar="FILE", help="the same as --from (kept for scripts).")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="set one field (text); FIELD:=JSON for numbers, true/false, lists. Repeatable.",
)
@click.option("--dry-run", is_flag=True, help="say whether it would be accepted; change nothing.")
@click.option("--key", "idempotency_key", help="an idempotency key: a retry changes nothing more.")
@click.option(
    "--occurred-on",
    metavar="YYYY-MM-DD",
    help="the day it happened, for a command that records a happening (default today).",
)
def run(
    session: Session,
    review: str,
    command: str,
    template: bool,
    from_file: str | None,
    payload: str | None,
    assignments: tuple[str, ...],
    dry_run: bool,
    idempotency_key: str | None,
    occurred_on: str | None,
) -> int | None:
    """Issue a protocol COMMAND on REVIEW (its id or reference).

    A refusal prints every reason with its rule ID (exit 1); --dry-run explains
    without changing anything. `scr show REVIEW` lists the commands open now;
    `--template > FILE.toml` gives the command's fields to fill in, `--from FILE.toml`
    reads them back.
    """
    definition = _definition_of(session, review)
    commands = definition.commands
    if command not in commands or command == "submit_request":
        close = difflib.get_close_matches(command, list(commands), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        if command == "submit_request":
            raise usage("submit_request creates a review: use `scr submit FORM`")
        raise usage(f"unknown command {command!r}{hint}; `scr show REVIEW` lists those open now")
    from scr_engine.cli.annual import computed_sections

    if template:
        from scr_engine.cli.templates import print_template

        found = resolve_review(session, review)
        computed = computed_sections(session, found, command)
        values = {"sections": computed} if computed is not None else None
        print_template(session, found, command, values)
        return None
    if from_file is not None and payload is not None:
        raise usage("give the fields once: --from FILE (or --payload FILE), not both")
    source = from_file if from_file is not None else payload
    data = read_document(source) if source is not None else {}
    if {"fields", "payload"} <= data.keys() and isinstance(data["payload"], dict):
        # The JSON that `--template --json` prints: its payload holds the fields.
        data = {"command": data.get("command", command), **data["payload"]}
    data = parse_set(data, assignments)
    if "command" in data and data["command"] != command:
        raise usage(f"the payload is for {data['command']!r}, not {command!r}")
    data["command"] = command
    if occurred_on is not None:
        from scr_engine.rules.dates import is_dated

        if not is_dated(commands[command]):
            raise usage(f"{command} records no happening: it takes no --occurred-on")
        day = _parse_day(occurred_on, "--occurred-on")
        data["occurred_on"] = day.isoformat() if day is not None else None
    from scr_engine.cli.shapes import parse_command, refusal_json, review_json
    from scr_engine.errors import InvalidRequest

    review_id = resolve_review(session, review)
    actor = session.actor
    if "sections" not in data:
        # An annual report's sections (d)-(g) are computed from the store (SAR-A-6).
        computed = computed_sections(session, review_id, command)
        if computed is not None:
            data["sections"] = computed
    try:
        cmd = parse_command(definition, data)
    except InvalidRequest as exc:
        raise malformed(exc, assignments) from None
    engine = session.engine
    if dry_run:
        refusals = engine.explain(review_id, cmd, actor)
        result = {
            "command": command,
            "dry_run": True,
            "accepted": not refusals,
            "refusals": [refusal_json(r) for r in refusals],
        }

        def render_dry(console: Console) -> None:
            from rich.markup import escape

            if not refusals:
                console.print(f"{command} would be accepted (nothing was changed).")
                return
            console.print(f"{command} would be refused (nothing was changed):")
            for r in refusals:
                console.print(
                    f"  [bold]{r.rule}[/bold]"
                    + escape(f"{f' [{r.field}]' if r.field else ''}: {r.message}"),
                    markup=True,
                )

        session.emit(result, render_dry)
        return EXIT_FAILED if refusals else None
    # A retry of a command already recorded with this key returns the earlier result.
    earlier = (
        engine.store.find_key(idempotency_key, review_id) if idempotency_key is not None else None
    )
    updated = engine.execute(review_id, cmd, actor, idempotency_key=idempotency_key)
    from scr_engine.cli.shapes import command_words, stage_words

    result = {
        "command": command,
        "command_words": command_words(command),
        "dry_run": False,
        "already": earlier is not None,
        "event": {"sequence": updated.version, "hash": updated.head},
        "review": review_json(updated, session.name_of),
    }

    def render(console: Console) -> None:
        words = stage_words(updated)
        if earlier is not None:
            console.print(
                f"Already done: key {idempotency_key} recorded {command} on "
                f"{updated.reference} as event {earlier.sequence}; nothing more was recorded "
                f"(the result shown is that event's: stage {words})."
            )
            return
        console.print(
            f"{command_words(command)} ({command}) recorded on {updated.reference} as event "
            f"{updated.version}; stage: {words} ({updated.stage})."
        )

    session.emit(result, render)
    return None


@scr_command(cli, "show")
@click.argument("review")
@click.option("--as-of", "as_of", metavar="DATE", help="deadlines as of DATE (YYYY-MM-DD).")
def show(session: Session, review: str, as_of: str | None) -> None:
    """Show REVIEW (its id or reference): its stage, what you may do now and why each
    other command is refused, its deadlines with their status, its pending tasks."""
    from scr_engine.cli.shapes import (
        command_words,
        deadline_json,
        option_json,
        review_json,
    )
    from scr_engine.cli.templates import fields_json
    from scr_engine.clock import local_date
    from scr_engine.protocols import DEFAULT
    from scr_engine.templates import fields_summary

    day = _parse_day(as_of, "--as-of")
    review_id = resolve_review(session, review)
    actor = session.actor
    engine = session.engine
    found = engine.get(review_id, actor)
    definition = engine.definition(found)
    of = None if definition is DEFAULT else definition
    options = engine.options(review_id, actor)
    today = day if day is not None else local_date(engine.clock.now())
    clocks = definition.deadlines(found, engine.settings_for(found), today)
    tasks = _review_tasks(session, review_id)
    data = {
        "review": review_json(found, session.name_of),
        "actor": {
            "id": actor.id,
            "name": actor.name,
            "roles": sorted(r.value for r in actor.roles),
        },
        "as_of": today.isoformat(),
        "options": [{**option_json(o, of), "fields": fields_json(o.command, of)} for o in options],
        "deadlines": [deadline_json(d) for d in clocks],
        "tasks": tasks,
    }

    def render(console: Console) -> None:
        _heading(console, session, found)
        console.print()
        _corrections(console, session, found)
        allowed = [o for o in options if o.allowed]
        refused = [o for o in options if not o.allowed]
        who = f"{actor.name} ({actor.id})"
        if allowed:
            table = person_table(f"What {who} may do now", "Command", "In words", "Fields")
            for o in allowed:
                table.add_row(o.command, command_words(o.command), fields_summary(o.command, of))
            console.print(table)
            console.print(
                "[dim]scr run REVIEW COMMAND --template prints a command's fields to fill in.[/dim]"
            )
        else:
            console.print(f"{who} may do nothing on this review now.")
        if refused:
            table = person_table("Refused now, and why", "Command", "Rule", "Why")
            for o in refused:
                first = True
                for r in o.refusals:
                    table.add_row(
                        command_words(o.command) + f" ({o.command})" if first else "",
                        r.rule,
                        r.message,
                    )
                    first = False
            console.print(table)
        if clocks:
            table = person_table(
                f"Deadlines as of {today.isoformat()}",
                "Rule",
                "Deadline",
                "Due",
                "Status",
                "Met",
                "Days late",
            )
            for d in clocks:
                status = d.status.value
                style = (
                    "bold red" if status == "overdue" else ("yellow" if status == "missed" else "")
                )
                table.add_row(
                    d.rule,
                    d.title,
                    d.due_on.isoformat(),
                    f"[{style}]{status}[/{style}]" if style else status,
                    d.met_on.isoformat() if d.met_on else "",
                    str(d.days_late) if d.days_late else "",
                )
            console.print(table)
        if tasks:
            table = person_table("Pending tasks", "Task", "What", "Agency", "Since")
            for t in tasks:
                table.add_row(t["short_id"], t["kind_words"], t["agency"], t["created_at"][:10])
            console.print(table)
            console.print(
                f"Mark one delivered with: scr tasks --review {found.reference} --done TASK"
            )

    session.emit(data, render)


@scr_command(cli, "history")
@click.argument("review")
def history(session: Session, review: str) -> None:
    """The history of REVIEW (its id or reference): every event, who, when, what."""
    from scr_engine.cli.shapes import command_words, event_json
    from scr_engine.history import event_day

    review_id = resolve_review(session, review)
    actor = session.actor
    engine = session.engine
    found = engine.get(review_id, actor)
    events = engine.history(review_id)
    data = {
        "review": {"id": found.id, "reference": found.reference, "stage": str(found.stage)},
        "events": [event_json(e, session.name_of) for e in events],
    }

    def render(console: Console) -> None:
        table = person_table(
            f"History of {found.reference}",
            "#",
            "Recorded",
            "Happened",
            "Who",
            "Role",
            "Command",
            "Stage",
            "Hash",
        )
        for e in events:
            move = (
                f"{e.stage_before} → {e.stage_after}"
                if e.stage_before is not None and e.stage_before != e.stage_after
                else str(e.stage_after)
            )
            table.add_row(
                str(e.sequence),
                e.at.strftime("%Y-%m-%d %H:%M"),
                event_day(e).isoformat(),
                _person(session, e.actor_id),
                e.role.value,
                f"{command_words(e.command)} ({e.command})",
                move,
                e.hash[:12],
            )
        console.print(table)

    session.emit(data, render)


@scr_command(cli, "list")
@click.option(
    "--stage",
    "stage_codes",
    multiple=True,
    metavar="STAGE",
    help="only reviews at STAGE (a stage code). Repeatable.",
)
@click.option("--agency", metavar="CODE", help="only reviews involving the agency CODE.")
@click.option(
    "--text", metavar="TEXT", help="only reviews whose reference or an agency holds TEXT."
)
@click.option("--overdue", is_flag=True, help="only reviews with a deadline overdue today.")
@click.option(
    "--limit",
    default=100,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="at most this many reviews.",
)
@click.option("--after", metavar="REFERENCE", help="the next page: reviews after this reference.")
def list_reviews(
    session: Session,
    stage_codes: tuple[str, ...],
    agency: str | None,
    text: str | None,
    overdue: bool,
    limit: int,
    after: str | None,
) -> None:
    """List the reviews you may read, by reference, filtered by stage, agency, text or
    an overdue deadline (every filter given must match)."""
    from scr_engine._arguments import MAX_PAGE
    from scr_engine.access import read_refusal
    from scr_engine.cli.shapes import stage_words
    from scr_engine.protocols import available
    from scr_engine.states.stages import Stage

    stages: list[str] | None = None
    if stage_codes:
        known = [s.value for s in Stage]
        known += [c for p in available() for c in p.stage_codes if c not in known]
        unknown = [code for code in stage_codes if code not in known]
        if unknown:
            raise usage(f"unknown stage {unknown[0]!r} (stages: {', '.join(known)})")
        stages = list(stage_codes)
    engine = session.engine
    actor = session.actor
    # Filtered by the read policy, not logged as reads (a list of references, as the
    # register shows them): so a read-only copy of a store can still be listed.
    matched = engine.reviews(
        stages=stages, agency=agency, text=text, overdue=overdue, limit=MAX_PAGE, after=after
    )
    reviews = [r for r in matched if read_refusal(engine.read_policy, r, actor) is None][:limit]
    rows: list[dict[str, Any]] = [
        {
            "id": r.id,
            "reference": r.reference,
            "stage": str(r.stage),
            "stage_words": stage_words(r),
            "version": r.version,
            "received_on": r.received_on.isoformat(),
            "agencies": list(r.agencies),
        }
        for r in reviews
    ]

    def render(console: Console) -> None:
        if not rows:
            console.print("No reviews" + (" match." if filtered else "."))
            return
        table = person_table("Reviews", "Reference", "Stage", "Received", "Agencies", "Id")
        for row in rows:
            table.add_row(
                row["reference"],
                f"{row['stage_words']} ({row['stage']})",
                row["received_on"],
                ", ".join(row["agencies"]),
                row["id"],
            )
        console.print(table)
        if following is not None:
            console.print(f"More: scr list --after {following} (with the same filters)")

    filtered = bool(stage_codes or agency or text or overdue or after)
    following = rows[-1]["reference"] if len(rows) == limit else None
    session.emit({"reviews": rows, "next_after": following}, render)


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise usage(f"{option} takes a date as YYYY-MM-DD, not {value!r}") from None
