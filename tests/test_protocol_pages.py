"""The docs have one section per protocol (issue 23, item 6): the SAR's overview and
rule catalogue are generated from its definition, so they say what the engine runs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from scr_engine.protocols.sar import SAR
from scr_engine.protocols.sar.annual import ANNUAL_REPORT
from scr_engine.protocols.sar.rules import SAR_RULES
from scr_engine.rules.registry import RULES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs"))
from _catalogue import protocol_markdown
from _diagram import svg
from _protocol_pages import overview


def _row(page: str, command: str) -> str:
    """The line of the overview's table of commands for ``command`` (its code, a link
    to its page for every command but the request)."""
    cell = (
        f"`{command}`" if command == "submit_request" else f"[`{command}`](commands/{command}.md)"
    )
    return next(x for x in page.splitlines() if x.startswith(f"| {cell} |"))


def test_the_sar_overview_lists_every_stage_command_clock_and_setting() -> None:
    page = overview(SAR)
    for stage in SAR.stages:
        assert f"| `{stage.code}` |" in page
    for row in SAR.table:
        line = _row(page, row.command)
        assert all(rid in line for rid in row.rules)
        assert all(str(role) in line for role in row.roles)
    for clock in SAR.clocks:
        assert f"| `{clock.key}` | [{clock.rule}](" in page
    for setting in SAR.setting_defs:
        assert f"| `{setting.name}` |" in page
    assert all(rid in page for rid in SAR.fixed)


def test_the_sar_catalogue_has_every_sar_rule_with_its_force_and_source() -> None:
    """And every kind the rule states, as its requirements do ("data + guard")."""
    page = protocol_markdown(SAR.title, SAR_RULES, "SAR_RULES")
    headings = re.findall(r"^### (\S+) — ", page, flags=re.MULTILINE)
    own = [rid for rid in SAR_RULES if rid not in RULES]
    assert headings == own and len(own) == 75
    for rid in own:
        rule = SAR_RULES[rid]
        block = page.split(f"### {rid} — ", 1)[1].split("### ", 1)[0]
        assert f"force: {rule.force_text}" in block  # type: ignore[attr-defined]
        kinds = " + ".join(k.value for k in rule.kinds)  # type: ignore[attr-defined]
        assert block.split("\n\n", 2)[1].startswith(f"*{kinds}* · "), rid
        assert rule.section in block


def test_the_sar_diagram_draws_every_stage_and_every_move() -> None:
    drawn = svg(SAR)
    for stage in SAR.stage_codes:
        assert f">{stage}</text>" in drawn
    moves = {r.command for r in SAR.table if r.dest is not None and r.sources}
    moves = {m for m in moves if any(s != SAR.row(m).dest for s in SAR.row(m).sources)}
    for command in moves:
        assert f">{command}</text>" in drawn


def test_every_rule_id_on_a_generated_page_links_to_its_catalogue_entry() -> None:
    """A rule's entry has a stable anchor (its ID in lower case), and the rule IDs of
    the SAR overview and of a command's page are links to it: a reader follows a rule
    from a command to its text, its code and its tests in one click."""
    from _catalogue import markdown
    from _commands import page

    scr_catalogue = markdown()
    sar_catalogue = protocol_markdown(SAR.title, SAR_RULES, "SAR_RULES")
    for rid, rule in RULES.items():
        assert f"### {rid} — {rule.title} {{#{rid.lower()}}}\n" in scr_catalogue
    for rid in SAR_RULES:
        if rid not in RULES:
            assert f"### {rid} — {SAR_RULES[rid].title} {{#{rid.lower()}}}\n" in sar_catalogue
    sar_page = overview(SAR)
    for row in SAR.table:
        line = _row(sar_page, row.command)
        for rid in row.rules:
            where = "../rules.md" if rid in RULES else "rules.md"
            assert f"[{rid}]({where}#{rid.lower()})" in line
    for clock in SAR.clocks:
        assert f"[{clock.rule}](rules.md#{clock.rule.lower()})" in sar_page
    judge = page("judge_imr")
    assert "**[EV-2](../rules.md#ev-2)** — " in judge
    from _commands import index

    assert "[in its section](../sar/commands/index.md)" in index()


def test_every_sar_and_annual_report_command_has_a_page_with_its_fields_and_rules() -> None:
    """A person finds what a SAR command needs as an SCR one's: its protocol, who may
    issue it, from which stages, its rules (links into the SAR's catalogue, or the
    SCR's for the engine's own), each field, and a template that is TOML; the
    overview and the index lead to every page."""
    import tomllib

    from _commands import names, other_index, page

    from scr_engine.templates import template

    index = other_index((SAR, ANNUAL_REPORT))
    sar_page = overview(SAR)
    assert not set(names(SAR)) & set(names(ANNUAL_REPORT))  # one folder holds both
    for definition in (SAR, ANNUAL_REPORT):
        assert names(definition) and "submit_request" not in names(definition)
        for name in names(definition):
            row, made, text = definition.row(name), template(name, definition=definition), ""
            text = page(name, definition)
            assert f"(`{name}`)\n" in text.splitlines(keepends=True)[0]
            assert f"- **Protocol:** {definition.title} (`{definition.name}`)" in text
            for role in row.roles:
                assert f"`{role}`" in text.split("- **Who may issue it:** ", 1)[1].split("\n")[0]
            for source in row.sources:
                assert f"(`{source}`)" in text.split("- **From the stages:** ", 1)[1]
            for rid in row.rules:
                where = "../../rules.md" if rid in RULES else "../rules.md"
                assert f"**[{rid}]({where}#{rid.lower()})** — {SAR_RULES[rid].title}" in text
            for field in made.fields:
                assert f"| `{field.path}` |" in text, (name, field.path)
            toml = text.split("```toml\n", 1)[1].split("\n```", 1)[0]
            assert isinstance(tomllib.loads(toml), dict)
            assert f"]({name}.md) (`{name}`)" in index
            if definition is SAR:
                assert f"[`{name}`](commands/{name}.md)" in sar_page


def test_a_rule_s_entry_leads_to_the_code_that_checks_it_and_the_tests_for_it() -> None:
    """A newcomer reads, under a rule: the modules that check it (paths from the
    repository's root, with the functions in them that do), the table that only lists
    it apart, the modules whose docstrings say they do what it asks, and test
    functions by ``file::name``."""
    from _catalogue import markdown

    def entry(page: str, rid: str) -> str:
        return page.split(f"### {rid} — ", 1)[1].split("\n### ", 1)[0]

    ev2 = entry(markdown(), "EV-2")
    checked = next(x for x in ev2.splitlines() if x.startswith("- Checked in: "))
    assert "`src/scr_engine/rules/evidence.py` (`accept_evidence`" in checked
    assert "table.py" not in checked
    assert "- Listed in: `src/scr_engine/states/table.py`" in ev2
    assert "`tests/protocol/test_evidence.py::test_ev2_" in ev2
    # The catalogue's own tests name rules to check it, not to prove them.
    assert "test_protocol_pages.py" not in ev2 and "test_rule_registry.py" not in ev2
    p6 = entry(protocol_markdown(SAR.title, SAR_RULES, "SAR_RULES"), "SAR-P-6")
    assert (
        "- Checked in: `src/scr_engine/protocols/sar/guards_report.py`"
        " (`check_record_publication`)\n" in p6
    )
    said = next(x for x in p6.splitlines() if x.startswith("- Named in the docstrings of: "))
    assert "`src/scr_engine/documents/sar.py`" in said
    assert "`tests/documents/test_sar_documents.py::test_sar_p_6_" in p6


def test_each_catalogue_links_its_registry_in_the_api_and_the_other_catalogue() -> None:
    """The SCR's catalogue leads to the SAR's; the SAR's to the engine's own rules in
    the SCR's; each to its registry in the Python API reference, which has both."""
    from _catalogue import markdown

    scr = markdown()
    assert "[its own catalogue](sar/rules.md)" in scr
    assert "(reference/api.md#scr_engine.rules.registry.RULES)" in scr
    sar = protocol_markdown(SAR.title, SAR_RULES, "scr_engine.protocols.sar.rules.SAR_RULES")
    assert "[MAP](../rules.md#map)" in sar
    assert "(../reference/api.md#scr_engine.protocols.sar.rules.SAR_RULES)" in sar
    api = (Path(__file__).resolve().parent.parent / "docs" / "reference" / "api.md").read_text()
    assert "::: scr_engine.rules.registry\n" in api
    assert "::: scr_engine.protocols.sar.rules\n" in api


def test_the_scr_page_written_by_hand_says_what_the_scr_table_says() -> None:
    """``docs/protocol.md``'s table of commands, row by row: the stages a command is
    issued from and leads to, who may issue it, and its rules, each a link to its
    entry in the catalogue."""
    from scr_engine.protocols.scr import SCR

    page = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()
    row = re.compile(r"^\| `(\w+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$", re.M)
    found = {m.group(1): m.groups()[1:] for m in row.finditer(page)}
    assert sorted(found) == sorted(r.command for r in SCR.table)
    for r in SCR.table:
        sources, dest, who, rules = found[r.command]
        assert sources == (", ".join(r.sources) or "—"), r.command
        assert dest == (r.dest or "(same stage)"), r.command
        assert sorted(who.split(", ")) == sorted(str(role) for role in r.roles), r.command
        assert rules == ", ".join(f"[{i}](rules.md#{i.lower()})" for i in r.rules), r.command


def test_the_sar_folder_s_docstring_names_each_of_its_modules() -> None:
    """ "A protocol is one folder a reader can see": the package's docstring is its map,
    naming every module and subpackage of the folder, and says the SAR is registered."""
    import scr_engine.protocols.sar as package
    from scr_engine import protocols

    folder = Path(package.__file__).parent
    names = [p.stem for p in folder.glob("*.py") if p.stem != "__init__"]
    names += [p.name for p in folder.iterdir() if (p / "__init__.py").exists()]
    doc = package.__doc__ or ""
    assert [n for n in sorted(names) if f":mod:`.{n}`" not in doc] == []
    assert "not registered" not in doc
    assert SAR.name in {p.name for p in protocols.available()}
