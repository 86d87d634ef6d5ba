"""Whatever a person types, ``scr`` answers with a documented exit status and never a
traceback (issue 11): random command lines, built from the program's own commands,
options and values, right and wrong, and from junk, run against a real store holding
one review."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scr_engine.cli import EXIT_CODES, main
from scr_engine.cli.actors import TEMPLATE
from scr_engine.cli.reviews import FORM_TEMPLATE

ON_A_REVIEW = ["show", "history", "run", "export"]
OTHERS = ["init", "submit", "list", "overdue", "tasks", "verify", "checkpoint", "keygen"]
OTHERS += ["diagram", "actors", "db", "upgrade", "demo", "bogus", "", "-x"]
PROTOCOL = ["assess_criteria", "confirm_review", "decline", "record_chair_notified"]
PROTOCOL += ["close_review", "ratify", "no_such_command", ""]
OPTIONS = [
    ("--set", "reasons=x"),
    ("--set", "received_on=2026-02-30"),
    ("--set", "received_on=2026-02-02"),
    ("--set", "x=1"),
    ("--set", "="),
    ("--set", "facts:={"),
    ("--payload", "missing.json"),
    ("--payload", "form.toml"),
    ("--dry-run",),
    ("--format", "md"),
    ("--format", "pdf"),
    ("--out", "out"),
    ("--out", "/proc/no/such"),
    ("--as-of", "2026-13-01"),
    ("--as-of", "2026-02-02"),
    ("--stage", "requested"),
    ("--stage", "bogus"),
    ("--within", "-3"),
    ("--within", "14"),
    ("--done", "t-1"),
    ("--public",),
    ("--template",),
    ("--key", "missing.pem"),
    ("--database", "missing/dir/x.sqlite3"),
    ("--actors", "missing.toml"),
    ("--help",),
    ("--version",),
]

_option = st.sampled_from(OPTIONS) | st.text(max_size=6).map(lambda t: (t,))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("scr-fuzz")
    names = ("SCR_DATABASE_URL", "SCR_ACTORS", "SCR_ACTOR", "SCR_DEBUG", "NO_COLOR")
    saved = {name: os.environ.pop(name, None) for name in names}
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        (folder / "scr-actors.toml").write_text(TEMPLATE, encoding="utf-8")
        (folder / "form.toml").write_text(FORM_TEMPLATE, encoding="utf-8")
        assert main(["init"]) == 0
        assert main(["submit", "form.toml", "--as", "u-req"]) == 0
        yield folder
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is not None:
                os.environ[name] = value


@settings(
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # capsys is read, and so emptied, at every example
@given(
    command=st.sampled_from(ON_A_REVIEW) | st.sampled_from(OTHERS),
    review=st.sampled_from(["SCR-2026-001", "SCR-2026-001", "nope", ""]),
    protocol=st.sampled_from(PROTOCOL),
    options=st.lists(_option, max_size=3),
    actor=st.sampled_from([None, "u-chair", "u-bm", "u-req", "u-pc", "u-nobody", ""]),
    as_json=st.booleans(),
)
def test_any_command_line_ends_in_a_documented_status_without_a_traceback(
    store: Path,
    command: str,
    review: str,
    protocol: str,
    options: list[tuple[str, ...]],
    actor: str | None,
    as_json: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    os.chdir(store)
    argv = [command]
    if command in ON_A_REVIEW:
        argv.append(review)
    if command == "run":
        argv.append(protocol)
    argv += [word for option in options for word in option]
    if actor is not None:
        argv += ["--as", actor]
    if as_json:
        argv.append("--json")
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in EXIT_CODES, (argv, code, err)
    assert "Traceback" not in out + err, argv
    if code != 0:
        assert err.strip() or out.strip(), f"{argv}: a failure says something"
