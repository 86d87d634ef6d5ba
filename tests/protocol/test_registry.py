"""The rule registry (``scr_engine.rules.registry``): every rule has its ID, section,
text and kind; :func:`rule` finds one by ID and names the ID it lacks; a rule's title
is its first clause, as the rule catalogue heads it.

(``tests/test_rule_registry.py`` checks the registry against the code, the tests and
the protocol's requirements; these are the fast tests of the module itself.)
"""

from __future__ import annotations

import pytest

from scr_engine.rules.registry import RULES, Rule, RuleKind, rule


def _titled(text: str) -> str:
    return Rule("XX-1", "A section", text, RuleKind.GUARD).title


def test_every_rule_has_an_id_a_section_a_text_and_a_kind() -> None:
    for rule_id, held in RULES.items():
        assert held.id == rule_id
        assert held.section.strip() and held.text.strip()
        assert isinstance(held.kind, RuleKind)
        assert held.title and held.text.replace("**", "").replace("`", "").startswith(
            held.title.removesuffix(" …")
        )


def test_rule_finds_each_rule_by_its_id() -> None:
    """CR-1, SU-6, PR-f, MAP and INPUT, as every other rule, are found by their ID."""
    for rule_id, held in RULES.items():
        assert rule(rule_id) is held
    assert rule("SU-6").kind is RuleKind.GUARD and rule("SU-6").enforced
    assert rule("PR-f").kind is RuleKind.NONE and not rule("PR-f").enforced
    assert rule("MAP").kind is RuleKind.ENGINE and not rule("MAP").protocol
    assert rule("CR-1").protocol


@pytest.mark.parametrize("unknown", ["XX-1", "cr-1", "", "CR-1 "])
def test_an_unknown_id_is_a_key_error_naming_it(unknown: str) -> None:
    with pytest.raises(KeyError) as caught:
        rule(unknown)
    assert repr(unknown) in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_title_ends_at_the_first_full_stop_before_a_capital() -> None:
    clause = "A" * 30
    assert _titled(f"{clause}. Next clause comes here.") == clause
    assert _titled("Ends with a full stop only.") == "Ends with a full stop only"
    # a full stop before a small letter ends no clause ("e.g. here")
    text = "It ends e.g. here with a lower case word and goes on; the rest."
    assert _titled(text) == "It ends e.g. here with a lower case word and goes on"
    # nor one followed by no space
    assert _titled(f"{clause}.Next: {clause}; tail") == f"{clause}.Next: {clause}"
    # two spaces after a full stop: the next letter is not looked for that far
    assert _titled(f"{clause}.  Next; tail") == f"{clause}.  Next"


def test_a_short_first_clause_takes_the_next_one_with_it() -> None:
    """A full stop ends a title from 30 characters on, a colon from 45; a shorter first
    clause takes the next one with it (whatever its length)."""
    assert _titled("A" * 29 + ". Next clause. Tail.") == "A" * 29 + ". Next clause"
    assert _titled("B" * 45 + ": and then what it says.") == "B" * 45
    assert _titled("B" * 44 + ": and then. Tail.") == "B" * 44 + ": and then"
    assert _titled("C" * 30 + "; and then. Tail.") == "C" * 30
    assert _titled("C" * 29 + "; and then. Tail.") == "C" * 29 + "; and then"
    assert _titled("Short: the rest of it goes on. Then more.") == "Short: the rest of it goes on"


def test_a_clause_does_not_end_inside_brackets() -> None:
    text = "Words (a. B; c: d) and more words go on, long enough. Tail."
    assert _titled(text) == "Words (a. B; c: d) and more words go on, long enough"
    text = "Words (nested (a. B) c. D) then the words of the clause; tail"
    assert _titled(text) == "Words (nested (a. B) c. D) then the words of the clause"


def test_a_long_title_is_cut_at_a_word_before_80_characters() -> None:
    assert _titled("x" * 80) == "x" * 80
    assert _titled("x" * 75 + " yyyy") == "x" * 75 + " yyyy"
    assert _titled("x" * 75 + " yyyyy") == "x" * 75 + " …"
    assert _titled("a" * 70 + " bbbbbb, cccccccccccc") == "a" * 70 + " bbbbbb …"
    words = "One two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    assert _titled(words + " fifteen") == words.rsplit(" ", 1)[0] + " …"


def test_a_title_drops_markup_and_surrounding_space() -> None:
    assert _titled("  The **Board** runs `it`.") == "The Board runs it"


def test_a_title_ends_at_a_colon_or_semicolon_ending_the_text() -> None:
    assert _titled("C" * 30 + ";") == "C" * 30
    assert _titled("C" * 45 + ":") == "C" * 45


def test_only_stops_colons_and_semicolons_end_a_clause() -> None:
    """Letters end nothing, even capitals; a clause's last letters are kept, dots only
    are dropped."""
    assert _titled("A" * 31 + " X then the rest. Tail.") == "A" * 31 + " X then the rest"
    assert _titled("A" * 30 + " X. Tail.") == "A" * 30 + " X"


def test_a_very_short_first_clause_takes_the_next_one_with_it() -> None:
    """A clause of one letter ("A;") is short too: the title runs to the end of the
    next clause, not further."""
    assert _titled("A; b c d. Tail. More words") == "A; b c d"


def test_a_long_title_is_cut_at_a_space() -> None:
    """Cut at the last space before 80 characters (only a comma before it is dropped,
    not the letters of the word)."""
    assert _titled("x" * 70 + "  " + "y" * 20) == "x" * 70 + "  …"
    assert _titled("a" * 70 + " bbbbbX cccccccccccc") == "a" * 70 + " bbbbbX …"
