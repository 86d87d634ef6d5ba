"""The annual report prints none of a review's personal values and none of the items
supplied under its information requests unless cleared for publication (SAR-I-6,
SAR-P-6), over random histories: which items were supplied under which request, which
were disclosed, to the public or to someone else, and which words the texts quote."""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from scr_engine.personal import REDACTED
from scr_engine.protocols.sar.annual.compute import compute, withheld
from scr_engine.protocols.sar.information_records import PUBLIC
from support.annual import history

WORDS = ("alder", "birch", "cedar", "damson", "elder", "fig tree", "ginkgo", "hazel")
"""What texts quote: none holds another, so which are struck is exact."""

REQUESTS = ("IR-1", "IR-2")

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5)
supplies = st.lists(st.tuples(st.sampled_from(REQUESTS), words), max_size=3)
disclosures = st.lists(
    st.tuples(st.sampled_from(REQUESTS), st.sampled_from([PUBLIC, "sab", "u-lead"]), words),
    max_size=4,
)


def _text(quoted: list[str]) -> str:
    return "we read " + " and ".join(quoted)


@given(
    supplies,
    disclosures,
    st.lists(st.sampled_from(WORDS), max_size=2),
    words,
    words,
)
def test_a_published_report_quotes_only_what_is_cleared(
    supplied: list[tuple[str, list[str]]],
    disclosed: list[tuple[str, str, list[str]]],
    personal: list[str],
    finding: list[str],
    reasons: list[str],
) -> None:
    """SAR-I-6, SAR-P-6: a word is struck from a finding and from the reasons for not
    implementing one exactly when it is a personal value of the review (a path one of
    its events commits to) or an item supplied under a request that no disclosure to
    ``public`` under that same request cleared; a disclosure to anyone else clears
    nothing, and nothing else is touched."""
    steps: list[tuple[str, date, str, dict[str, Any]]] = [
        ("confirm_review", date(2026, 5, 1), "screened", {}),
        (
            "record_information_response",
            date(2026, 5, 2),
            "screened",
            {"request": "IR-0", "items": []},
        ),
    ]
    for request, items in supplied:
        steps.append(
            (
                "record_information_response",
                date(2026, 6, 1),
                "commissioned",
                {"request": request, "items": items},
            )
        )
    for request, to, items in disclosed:
        steps.append(
            (
                "record_disclosure",
                date(2026, 7, 1),
                "commissioned",
                {"request": request, "to": to, "purpose": "carrying_out_a_sar", "items": items},
            )
        )
    steps.extend(
        [
            (
                "submit_report",
                date(2026, 8, 1),
                "report_drafted",
                {"report": {"findings": [{"id": "F1", "text": _text(finding)}]}},
            ),
            (
                "decide_finding",
                date(2026, 9, 1),
                "report_drafted",
                {"finding": "F1", "decision": "not_implement", "reasons": _text(reasons)},
            ),
            ("ratify", date(2026, 10, 1), "ratified", {}),
        ]
    )
    events = history("r1", steps)
    # The referral's people: personal values the first event commits to.
    events[0] = evolve(
        events[0],
        payload={**events[0].payload, "people": list(personal)},
        commitments={f"/people/{n}": "c" for n in range(len(personal))},
    )
    cleared: dict[str, set[str]] = {}
    for request, to, items in disclosed:
        if to == PUBLIC:
            cleared.setdefault(request, set()).update(items)
    struck = set(personal) | {
        word
        for request, items in supplied
        for word in items
        if word not in cleared.get(request, set())
    }

    def expected(quoted: list[str]) -> str:
        return _text([REDACTED if w in struck else w for w in quoted])

    year = compute([events], 2026)
    (concluded,) = year.concluded
    assert [f.text for f in concluded.findings] == [expected(finding)]
    assert [d.reasons for d in year.not_implemented] == [expected(reasons)]
    assert withheld(events)(" ".join(WORDS)) == " ".join(
        REDACTED if w in struck else w for w in WORDS
    )


def test_a_commitment_whose_value_is_gone_does_not_hide_the_next() -> None:
    """SAR-P-6: a path an event commits to that its payload no longer holds is passed
    over, and the values at the event's other paths are still struck."""
    events = history("r1", [("confirm_review", date(2026, 5, 1), "screened", {})])
    events[0] = evolve(
        events[0],
        payload={**events[0].payload, "people": ["hazel"]},
        commitments={"/gone/0": "c", "/people/0": "c"},
    )
    assert withheld(events)("we met hazel") == f"we met {REDACTED}"
