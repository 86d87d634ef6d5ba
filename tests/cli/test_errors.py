"""Every mistake a user can make ends in one readable line (naming the rule, the field
or the file), the documented exit status, and never a traceback."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from scr_engine.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_NOT_FOUND, EXIT_USAGE, main
from scr_engine.storage.sql import upgrade
from support.clitools import Scr, scr

__all__ = ["scr"]


def one_line(result: object) -> str:
    err: str = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in err and "Traceback" not in result.stdout  # type: ignore[attr-defined]
    lines = err.strip().splitlines()
    assert lines, "an error says something"
    return lines[0]


def test_an_unknown_review_is_not_found(scr: Scr) -> None:
    scr.ready()
    for command in (["show", "SCR-1999-999"], ["history", "nope"], ["export", "nope"]):
        result = scr(*command, actor="u-bm")
        assert result.exit_code == EXIT_NOT_FOUND, result.output
        assert "no review" in one_line(result)
    error = scr.json("run", "nope", "assess_criteria", actor="u-chair", code=3)["error"]
    assert error["kind"] == "not_found" and error["exit_code"] == EXIT_NOT_FOUND


@pytest.mark.rule("RF-1")
def test_a_wrong_role_is_refused_naming_the_rule(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    result = scr("run", reference, "assess_criteria", actor="u-bm")
    assert result.exit_code == EXIT_FAILED
    assert one_line(result).startswith("scr run: assess_criteria: not permitted (RF-4)")
    error = scr.json("run", reference, "assess_criteria", actor="u-bm", code=1)["error"]
    assert error["kind"] == "permission_denied" and error["rules"] == ["RF-4"]
    refused = scr("submit", scr.write("f.toml", ""), actor="u-chair")
    assert refused.exit_code == EXIT_FAILED
    assert "RF-1" in one_line(refused)


def test_a_command_at_the_wrong_stage_says_when_it_can_be_issued(scr: Scr) -> None:
    """MAP: `ratify` on a review just received is refused saying the stage it is issued
    from, not only that it cannot be issued now; `scr show` says the same."""
    scr.ready()
    reference = scr.submit()["reference"]
    result = scr("run", reference, "ratify", actor="u-chair")
    assert result.exit_code == EXIT_FAILED
    assert one_line(result) == "scr run: ratify: refused by the protocol (MAP)"
    assert "it is issued while the review is overview_drafted" in result.stderr
    error = scr.json("run", reference, "ratify", actor="u-chair", code=1)["error"]
    assert error["rules"] == ["MAP"]
    assert "overview_drafted" in error["refusals"][0]["message"]


def test_a_reader_outside_the_review_is_refused(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    result = scr("show", reference, actor="u-pc")  # a panel chair not (yet) appointed
    assert result.exit_code == EXIT_FAILED and "PR-e" in one_line(result)
    assert scr("overdue", actor="u-pc").exit_code == EXIT_FAILED
    assert scr("tasks", actor="u-req").exit_code == EXIT_FAILED


def test_a_malformed_form_names_the_file_or_the_field(scr: Scr) -> None:
    scr.ready()
    bad_toml = scr("submit", scr.write("bad.toml", "requester = [\n"), actor="u-req")
    assert bad_toml.exit_code == EXIT_USAGE and "is not valid TOML" in one_line(bad_toml)
    bad_json = scr("submit", scr.write("bad.json", "{"), actor="u-req")
    assert bad_json.exit_code == EXIT_USAGE and "is not valid JSON" in one_line(bad_json)
    a_list = scr("submit", scr.write("list.json", "[1]"), actor="u-req")
    assert a_list.exit_code == EXIT_USAGE and "table of fields" in one_line(a_list)
    missing = scr("submit", "nowhere.toml", actor="u-req")
    assert missing.exit_code == EXIT_USAGE and "no file nowhere.toml" in one_line(missing)
    incomplete = scr.json(
        "submit", scr.write("short.json", '{"signed_name": "A"}'), actor="u-req", code=EXIT_USAGE
    )["error"]
    assert incomplete["kind"] == "invalid"
    assert {"requester", "agencies"} <= {r["field"] for r in incomplete["refusals"]}


def test_bad_command_input_is_named(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    unknown = scr("run", reference, "asess_criteria", actor="u-chair")
    assert unknown.exit_code == EXIT_USAGE
    assert "did you mean assess_criteria" in one_line(unknown)
    wrong_type = scr.json(
        "run",
        reference,
        "record_chair_notified",
        "--set",
        "received_on=soon",
        actor="u-bm",
        code=EXIT_USAGE,
    )["error"]
    assert wrong_type["kind"] == "invalid"
    assert wrong_type["refusals"][0]["field"] == "received_on"
    bad_set = scr("run", reference, "decline", "--set", "reasons", actor="u-chair")
    assert bad_set.exit_code == EXIT_USAGE and "field=value" in one_line(bad_set)
    bad_json = scr("run", reference, "decline", "--set", "reasons:=[", actor="u-chair")
    assert bad_json.exit_code == EXIT_USAGE and "JSON value" in one_line(bad_json)
    assert scr("run", reference, "submit_request", actor="u-req").exit_code == EXIT_USAGE
    assert scr("overdue", "--as-of", "tomorrow", actor="u-bm").exit_code == EXIT_USAGE
    assert scr("list", "--stage", "done", actor="u-bm").exit_code == EXIT_USAGE
    assert scr("tasks", "--done", "no-such-task", actor="u-bm").exit_code == EXIT_NOT_FOUND


def test_a_malformed_value_teaches_what_is_accepted(scr: Scr) -> None:
    """A value that does not fit its field exits 2 (usage, as documented), naming the
    field and what it accepts: every allowed value of an enum, the date format, `:=`
    for a number given as text, the nearest field to one that is not there."""
    scr.ready()
    reference = scr.submit()["reference"]

    def said(*assignments: str, command: str = "record_budget") -> str:
        result = scr("run", reference, command, *assignments, actor="u-chair")
        assert result.exit_code == EXIT_USAGE, result.output
        return one_line(result)

    enum = said("--set", "agency=gp", "--set", "judgement=insufficient", command="judge_imr")
    assert "judgement: expected one of: sufficient, further_information_requested" in enum
    assert "did you mean 'sufficient'" in enum
    number = said("--set", "amount_pounds=12000", "--set", "notes=Venue.")
    assert "amount_pounds: expected a whole number" in number
    assert "--set amount_pounds:=VALUE" in number
    day = said("--set", "received_on=05/12/2026", command="record_chair_notified")
    assert "received_on: expected a date as YYYY-MM-DD, got '05/12/2026'" in day
    field = said("--set", "reason=x", command="withdraw")
    assert "unknown field 'reason' (did you mean 'reasons'?)" in field


def test_the_actors_file_is_checked(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    nobody = scr("show", reference)
    assert nobody.exit_code == EXIT_USAGE and "--as ID or SCR_ACTOR" in one_line(nobody)
    stranger = scr("show", reference, actor="u-x")
    assert stranger.exit_code == EXIT_USAGE and "no actor 'u-x'" in one_line(stranger)
    scr.write("scr-actors.toml", '[actors.a]\nname = ""\nroles = ["chair"]\ncolour = 1\n')
    wrong = one_line(scr("actors"))
    assert "actors.a.name" in wrong and "unknown role 'chair'" in wrong and "colour" in wrong
    scr.write("scr-actors.toml", "[actors.a\n")
    assert "is not valid TOML" in one_line(scr("actors"))
    (scr.folder / "scr-actors.toml").unlink()
    gone = scr("show", reference, actor="u-bm")
    assert gone.exit_code == EXIT_USAGE and "no actors file" in one_line(gone)
    elsewhere = scr.write("people.toml", '[actors.me]\nname = "Me"\nroles = ["board"]\n')
    listed = scr.json("actors", "--actors", elsewhere)
    assert listed["actors"] == [{"id": "me", "name": "Me", "roles": ["board"], "agency": None}]


def test_a_missing_database_says_to_run_init(scr: Scr) -> None:
    result = scr("show", "SCR-2026-001", actor="u-bm")
    assert result.exit_code == EXIT_FAILED
    assert "no database at scr.sqlite3: create it with `scr init`" in one_line(result)
    assert not (scr.folder / "scr.sqlite3").exists()  # nothing created by a read
    assert scr.json("list", actor="u-bm", code=1)["error"]["kind"] == "no_database"


def test_older_and_newer_schemas_say_what_to_run(scr: Scr, tmp_path: Path) -> None:
    scr.write("scr-actors.toml", '[actors.u-bm]\nname = "Cal"\nroles = ["business_manager"]\n')
    old = tmp_path / "old.sqlite3"
    upgrade(f"sqlite:///{old}", "0004")
    older = scr("list", "--database", str(old), actor="u-bm")
    assert older.exit_code == EXIT_FAILED
    assert f"run `scr init --database '{old}'` to upgrade it" in one_line(older)
    assert scr("init", "--database", str(old)).exit_code == 0
    assert scr.json("list", "--database", str(old), actor="u-bm")["reviews"] == []

    new = tmp_path / "new.sqlite3"
    upgrade(f"sqlite:///{new}")
    with sqlite3.connect(new) as conn:
        conn.execute("UPDATE scr_alembic_version SET version_num = '9999'")
    for command in (["list"], ["init"]):
        newer = scr(*command, "--database", str(new), actor="u-bm")
        assert newer.exit_code == EXIT_FAILED
        assert "upgrade scr_engine" in one_line(newer)
    error = scr.json("list", "--database", str(new), actor="u-bm", code=1)["error"]
    assert error["kind"] == "schema_newer" and error["current"] == ["9999"]


def test_a_read_only_database_reads_and_refuses_writes(scr: Scr) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    database = scr.folder / "scr.sqlite3"
    for extra in ("-wal", "-shm"):
        Path(f"{database}{extra}").unlink(missing_ok=True)
    os.chmod(database, 0o444)
    try:
        assert [r["reference"] for r in scr.json("list", actor="u-bm")["reviews"]] == [reference]
        result = scr("run", reference, "assess_criteria", actor="u-chair")
        assert result.exit_code == EXIT_FAILED and "read-only" in one_line(result)
    finally:
        os.chmod(database, 0o644)


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == EXIT_USAGE
    assert main(["show"]) == EXIT_USAGE
    assert main(["overdue", "--within", "-1"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err and "No such command" in err


def test_a_usage_error_with_json_prints_the_error_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bad option value or a missing argument found while the command line is read
    ends as any usage error does under ``--json``: exit 2, the line on standard error,
    and the error document on standard output (docs/cli.md, "Errors")."""
    for argv in (
        ["overdue", "--within", "-1", "--json"],
        ["show", "--json"],
        ["export", "R", "--format", "pdf", "--json"],
    ):
        assert main(argv) == EXIT_USAGE, argv
        out, err = capsys.readouterr()
        assert "Traceback" not in err and err.strip(), argv
        error = json.loads(out)["error"]
        assert error["kind"] == "usage" and error["exit_code"] == EXIT_USAGE, argv
        assert error["message"]
    assert main(["overdue", "--within", "-1"]) == EXIT_USAGE
    assert capsys.readouterr().out == ""


def test_ctrl_c_ends_quietly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    def interrupted() -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("scr_engine.states.machine.mermaid", interrupted)
    assert main(["diagram"]) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


def test_an_in_memory_database_is_refused(scr: Scr) -> None:
    result = scr("list", "--database", "sqlite:///:memory:", actor="u-bm")
    assert result.exit_code == EXIT_USAGE and "in-memory" in one_line(result)


def test_a_fault_of_the_program_is_one_line_too(scr: Scr, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise TypeError("a bug")

    monkeypatch.setattr("scr_engine.states.machine.mermaid", broken)
    result = scr("diagram")
    assert result.exit_code == EXIT_FAILED
    assert "unexpected error, please report it: TypeError: a bug" in one_line(result)
    monkeypatch.setenv("SCR_DEBUG", "1")
    with pytest.raises(TypeError):
        scr("diagram")


def test_export_refuses_a_bad_date_and_an_unwritable_folder(scr: Scr, tmp_path: Path) -> None:
    scr.ready()
    reference = scr.submit()["reference"]
    result = scr("export", reference, "--as-of", "2026-13-01", actor="u-chair")
    assert result.exit_code == EXIT_USAGE and "--as-of" in one_line(result)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    result = scr("export", reference, "--out", str(blocked / "docs"), actor="u-chair")
    assert result.exit_code == EXIT_FAILED and "cannot write" in one_line(result)
    # A review just submitted: its documents say what is missing rather than failing.
    written = scr.json(
        "export", reference, "--format", "md", "--out", str(tmp_path / "d"), actor="u-chair"
    )
    assert len(written["files"]) >= 7


def test_a_retried_key_says_it_returns_the_earlier_result(scr: Scr) -> None:
    """A command sent again with its --key records nothing more and says so, with the
    event the first one recorded."""
    scr.ready()
    reference = scr.submit()["reference"]
    first = scr.json("run", reference, "assess_criteria", "--key", "k-1", actor="u-chair")
    assert first["already"] is False
    again = scr.json("run", reference, "assess_criteria", "--key", "k-1", actor="u-chair")
    assert again["already"] is True and again["event"] == first["event"]
    said = scr("run", reference, "assess_criteria", "--key", "k-1", actor="u-chair")
    assert said.exit_code == 0
    assert f"Already done: key k-1 recorded assess_criteria on {reference} as event 2" in (
        " ".join(said.output.split())
    )
    assert len(scr.json("history", reference, actor="u-chair")["events"]) == 2


@pytest.mark.parametrize(
    ("args", "prefix"),
    [
        (("token", "revoke", "t-none"), "scr token revoke: "),
        (("token", "issue", "u-nobody"), "scr token issue: "),
        (("db", "upgrade", "--url", "sqlite:///:memory:"), "scr db upgrade: "),
        (("board", "set", "--name", ""), "scr board set: "),
        (("webhook", "retry", "d-none"), "scr webhook retry: "),
        (("show", "SCR-1999-999"), "scr show: "),
    ],
)
def test_an_error_names_the_command_with_its_group(
    scr: Scr, args: tuple[str, ...], prefix: str
) -> None:
    """A command of a group (``scr token issue``, ``scr db upgrade`` …) is named in
    full in its error, as it was typed; a command of ``scr`` itself by its name."""
    scr.ready()
    result = scr(*args, actor="u-bm")
    assert result.exit_code != 0
    assert one_line(result).startswith(prefix), one_line(result)
