"""S46-S47: the transaction content form's checks, as pure functions."""

from __future__ import annotations

import pytest

from intermediary.portal.contents_form import Contents, Fields, Problem, check
from intermediary.portal.dates import day_start

OFFERED = {"Aa": "renewable", "Aw": "renewable", "Ab": "fossil"}
GOOD = Fields(usage_start="2026-04-01", usage_end="2027-03-31", planned_kwh="20.5", target_pct="40",
              providers=("Ab", "Aa", "Aa"))


def test_good_fields_become_the_contents_to_store() -> None:
    from datetime import date

    assert check(GOOD, OFFERED) == Contents(usage_start=day_start(date(2026, 4, 1)),
                                            usage_end=day_start(date(2027, 4, 1)),  # the end date is inclusive
                                            planned_wh=20_500, target_pct=40, providers=("Aa", "Ab"))
    assert day_start(date(2026, 4, 1)) == 1_774_969_200  # 2026-04-01 00:00 JST = 2026-03-31 15:00 UTC


@pytest.mark.parametrize(("change", "field", "problem"), [
    ({"usage_start": ""}, "usage_start", Problem("e_date_missing")),
    ({"usage_start": "1/4/2026"}, "usage_start", Problem("e_date_bad", "1/4/2026")),
    ({"usage_end": "2026-02-30"}, "usage_end", Problem("e_date_bad", "2026-02-30")),
    ({"usage_end": "2026-04-01"}, "usage_end", Problem("e_end_before")),
    ({"usage_end": "2026-03-01"}, "usage_end", Problem("e_end_before")),
    ({"planned_kwh": "-1"}, "planned_kwh", Problem("e_planned", "-1")),
    ({"planned_kwh": "1.2345"}, "planned_kwh", Problem("e_planned", "1.2345")),
    ({"planned_kwh": "x" * 100}, "planned_kwh", Problem("e_planned", "x" * 40 + "…")),
    ({"target_pct": "101"}, "target_pct", Problem("e_pct", "101")),
    ({"target_pct": "4.5"}, "target_pct", Problem("e_pct", "4.5")),
    ({"target_pct": ""}, "target_pct", Problem("e_pct", "")),
    ({"providers": ("Ab",)}, "providers", Problem("e_no_renewable")),
    ({"providers": ()}, "providers", Problem("e_no_renewable")),
    ({"providers": ("Aa", "Xk")}, "providers", Problem("e_foreign_provider")),
])
def test_each_wrong_field_is_named_with_its_problem(change: dict[str, object], field: str, problem: Problem) -> None:
    fields = Fields(**{**GOOD.__dict__, **change})  # type: ignore[arg-type]
    assert check(fields, OFFERED) == {field: problem}


def test_a_share_of_zero_needs_no_renewable_provider() -> None:
    fields = Fields(**{**GOOD.__dict__, "target_pct": "0", "providers": ("Ab",)})
    outcome = check(fields, OFFERED)
    assert isinstance(outcome, Contents) and outcome.providers == ("Ab",)


def test_every_problem_is_reported_at_once() -> None:
    assert set(check(Fields(), OFFERED)) == {"usage_start", "usage_end", "planned_kwh", "target_pct"}
