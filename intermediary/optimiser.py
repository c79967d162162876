"""Sharing a short renewable supply across every consumer of one interval at once (issue 15).

A linear programme, solved with HiGHS (``highspy``) in two steps:

1. maximise the renewable Wh allocated (= minimise the total shortfall against what the consumers ask), with
   ``x[c, g] >= 0`` the Wh of supply group ``g`` given to consumer ``c``, ``sum_c x[c, g] <= supply[g]`` and
   ``sum_g x[c, g] <= want[c]`` (a consumer takes only from its own groups, its providers);
2. keeping that total, minimise ``z``, the largest share of any consumer's ask left unmet
   (``want[c] - sum_g x[c, g] <= z * want[c]``): max-min fairness, nobody is starved to feed another.

The solution is then made integer Wh deterministically: each value rounded down, then the Wh the rounding lost
handed out one at a time, to the consumers furthest from their ask first (ties by consumer id, then group name),
never past a group's supply or a consumer's want. Equal inputs give equal results: the model is built in sorted
order and HiGHS runs single-threaded.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from intermediary.errors import Error


class OptimiserError(Error):
    """The solver did not find the allocation it must always find (an empty allocation is always feasible)."""

    code = "optimiser_failed"


@dataclass(frozen=True)
class Claim:
    consumer: str
    want_wh: int              # what the consumer asks of the renewable supply (at most its usage)
    groups: frozenset[str]    # the supply groups it may take from (its providers' assets)


_banner_lock = threading.Lock()
_banner_shown = False


def _solver() -> highspy.Highs:
    """A silent, single-threaded, deterministic HiGHS (its first construction prints a banner on stdout: the
    service's and the benchmark's stdout carry data, so it goes to /dev/null)."""
    global _banner_shown
    with _banner_lock:
        if _banner_shown:
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "wb") as null:
                    os.dup2(null.fileno(), 1)
                    highs = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_shown = True
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    return highs


def _check(claims: Sequence[Claim], supply: Mapping[str, int]) -> None:
    seen: set[str] = set()
    for claim in claims:
        if claim.consumer in seen:
            raise ValueError(f"expected one claim per consumer, found {claim.consumer!r} twice")
        seen.add(claim.consumer)
        if claim.want_wh < 0:
            raise ValueError(f"expected a want of 0 Wh or more, found {claim.want_wh} for {claim.consumer!r}")
    bad = {g: wh for g, wh in supply.items() if wh < 0}
    if bad:
        raise ValueError(f"expected supplies of 0 Wh or more, found {bad}")


def share(claims: Sequence[Claim], supply: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """Integer Wh per consumer and supply group: the least total shortfall, then the fairest (module docstring).
    Consumers and groups with nothing to give or take are left out of the answer."""
    _check(claims, supply)
    claims = sorted((c for c in claims if c.want_wh > 0), key=lambda c: c.consumer)
    cells = [(i, g) for i, c in enumerate(claims) for g in sorted(c.groups) if supply.get(g, 0) > 0]
    if not cells:
        return {}
    values, best = _solve(claims, supply, cells)
    return _integer(claims, supply, cells, values, math.floor(best + 1e-6))


def _solve(claims: list[Claim], supply: Mapping[str, int],
           cells: list[tuple[int, str]]) -> tuple[list[float], float]:
    """The fair solution's values per cell, and the most Wh that can be given (step 1's optimum)."""
    groups = sorted({g for _, g in cells})
    n = len(cells)
    z = n  # the fairness variable's column
    highs = _solver()
    inf = highspy.kHighsInf
    # Columns: x[c, g] in [0, min(want, supply)], then z in [0, 1]; step 1 maximises sum x (cost -1 each).
    upper = [float(min(claims[i].want_wh, supply[g])) for i, g in cells] + [1.0]
    highs.addCols(n + 1, np.array([-1.0] * n + [0.0]), np.zeros(n + 1), np.array(upper), 0,
                  np.array([], dtype=np.int32), np.array([], dtype=np.int32), np.array([], dtype=np.float64))
    rows: list[tuple[float, float, list[int], list[float]]] = []
    for g in groups:  # sum_c x[c, g] <= supply[g]
        cols = [k for k, (_, cg) in enumerate(cells) if cg == g]
        rows.append((-inf, float(supply[g]), cols, [1.0] * len(cols)))
    by_claim: dict[int, list[int]] = {}
    for k, (i, _) in enumerate(cells):
        by_claim.setdefault(i, []).append(k)
    for i, cols in sorted(by_claim.items()):  # sum_g x[c, g] <= want[c]
        rows.append((-inf, float(claims[i].want_wh), cols, [1.0] * len(cols)))
    for i, cols in sorted(by_claim.items()):  # sum_g x[c, g] + want[c] * z >= want[c]
        want = float(claims[i].want_wh)
        rows.append((want, inf, [*cols, z], [1.0] * len(cols) + [want]))
    _add_rows(highs, rows)
    # Step 1 ignores z (cost 0): the third kind of row always holds with z = 1. Dual simplex.
    best = sum(_run(highs, n + 1)[:n])
    # Step 2: keep the total (less the solver's tolerance, a millionth) and minimise z. This LP is degenerate for
    # the simplex method (10,000 consumers: 23 s); the interior point method with crossover takes under 2 s.
    _add_rows(highs, [(best * (1 - 1e-6), inf, list(range(n)), [1.0] * n)])
    highs.changeColsCost(n + 1, np.arange(n + 1, dtype=np.int32), np.array([0.0] * n + [1.0]))
    highs.setOptionValue("solver", "ipm")
    return _run(highs, n + 1)[:n], best


def _add_rows(highs: highspy.Highs, rows: list[tuple[float, float, list[int], list[float]]]) -> None:
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    for _, _, cols, coefs in rows:
        starts.append(len(index))
        index += cols
        value += coefs
    highs.addRows(len(rows), np.array([r[0] for r in rows]), np.array([r[1] for r in rows]), len(index),
                  np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(value))


def _run(highs: highspy.Highs, columns: int) -> list[float]:
    highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise OptimiserError(f"expected an optimal allocation from HiGHS, found {highs.modelStatusToString(status)}")
    values = list(highs.getSolution().col_value)
    if len(values) != columns:
        raise OptimiserError(f"expected {columns} values from HiGHS, found {len(values)}")
    return values


def _integer(claims: list[Claim], supply: Mapping[str, int], cells: list[tuple[int, str]], values: list[float],
             best: int) -> dict[str, dict[str, int]]:
    """Round down (a thousandth of a Wh of solver noise counts as whole), clamp to the bounds, then hand out the
    Wh the rounding lost one at a time, furthest-from-its-ask consumer first, up to ``best`` Wh in all."""
    got = [max(0, math.floor(v + 1e-3)) for v in values]
    room_g = dict(supply)
    room_c = [c.want_wh for c in claims]
    for k, (i, g) in enumerate(cells):  # clamp: never past a group's supply or a consumer's want
        got[k] = min(got[k], room_g[g], room_c[i])
        room_g[g] -= got[k]
        room_c[i] -= got[k]
    lost = max(0, best - sum(got))
    while lost > 0:
        order = sorted(range(len(cells)), key=lambda k: (-room_c[cells[k][0]] / claims[cells[k][0]].want_wh,
                                                         claims[cells[k][0]].consumer, cells[k][1]))
        given = False
        for k in order:
            i, g = cells[k]
            if lost and room_c[i] > 0 and room_g[g] > 0:
                got[k] += 1
                room_c[i] -= 1
                room_g[g] -= 1
                lost -= 1
                given = True
        if not given:
            break
    answer: dict[str, dict[str, int]] = {}
    for k, (i, g) in enumerate(cells):
        if got[k] > 0:
            answer.setdefault(claims[i].consumer, {})[g] = got[k]
    return answer
