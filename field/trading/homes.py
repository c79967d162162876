"""The neighbourhood's houses 100: rooftop PV 102 and a household's load, half-hourly, seeded and deterministic.

PV output comes from ``field.profiles`` (the same sun, panels and clouds as the demo's solar producer, so no
output at night); the load is a Japanese household's day: a night base, a morning peak, a low daytime on
weekdays, an evening peak, varied per home, per day and per half hour from ``random.Random`` seeded by
``(seed, home, day)``. Every value is integer Wh for ``[t, t + 1800)``.

Positions are metres along the neighbourhood's feeders from the battery's connection point; ``line_loss_ppm``
turns them into the share of energy lost on the way (modification 7: matching prefers lower line loss).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from field.errors import SiteError
from field.profiles import DEFAULT_SEED, check_start, generation_series
from field.sites import TOKYO, Producer, max_interval_wh
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.certificate import JST_ZONE as JST

DAY_S = 86_400
# A household's mean demand by JST hour in watts (about 11 kWh a day on a weekday, 13 at the weekend).
_WEEKDAY_W = (260, 240, 230, 230, 240, 300, 620, 900, 700, 420, 360, 350,
              380, 350, 340, 360, 420, 640, 980, 1050, 900, 700, 480, 320)
_WEEKEND_W = (280, 250, 240, 230, 240, 270, 380, 600, 820, 760, 640, 600,
              660, 600, 560, 580, 640, 820, 1050, 1100, 950, 760, 520, 340)
LOSS_PPM_PER_M = 10  # 1 % per kilometre of low-voltage line (ppm of the energy per metre)


@dataclass(frozen=True)
class HomeSite:
    """One house: its PV capacity, how much it uses, and where it hangs on the grid."""

    id: str
    name_en: str
    name_ja: str
    pv_capacity_w: int
    load_scale_pct: int  # this household's demand relative to the typical one
    grid_node: str  # the grid node it hangs on: a path from the feeder to the house, e.g. "F1/T2/H04"
    distance_m: int  # line length to the battery's connection point
    latitude: float = TOKYO[0]
    longitude: float = TOKYO[1]

    def __post_init__(self) -> None:
        if not self.id:
            raise SiteError("expected a non-empty home id, found ''")
        for name in ("pv_capacity_w", "load_scale_pct", "distance_m"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SiteError(f"home {self.id}: expected {name} as a non-negative integer, found {value!r}")

    @property
    def pv(self) -> Producer:
        """The rooftop PV 102 as a solar site (``field.profiles`` computes its output)."""
        return Producer(id=f"pv-{self.id}", name_en=f"PV of {self.name_en}", name_ja=f"{self.name_ja}の太陽光",
                        method="solar", category="renewable", capacity_w=max(1, self.pv_capacity_w),
                        latitude=self.latitude, longitude=self.longitude)

    @property
    def line_loss_ppm(self) -> int:
        return self.distance_m * LOSS_PPM_PER_M

    @property
    def max_load_wh(self) -> int:
        return max_interval_wh(4_800 * self.load_scale_pct // 100)  # a 40 A contract at 100 V, scaled


def pv_series(home: HomeSite, start: int, intervals: int, *, seed: int = DEFAULT_SEED) -> list[int]:
    """PV 102's output in Wh per half hour (0 at night)."""
    if home.pv_capacity_w == 0:
        check_start(start)
        return [0] * intervals
    return generation_series(home.pv, start, intervals, seed=seed)


def _day_factors(seed: int, home_id: str, day: int) -> list[float]:
    rng = random.Random(f"greencert/field/home/{seed}/{home_id}/load/{day}")
    level = rng.uniform(0.85, 1.15)
    return [max(0.3, level * (1.0 + rng.gauss(0.0, 0.12))) for _ in range(DAY_S // INTERVAL_S)]


def load_series(home: HomeSite, start: int, intervals: int, *, seed: int = DEFAULT_SEED) -> list[int]:
    """The household's consumption as power meter 103 measures it, in Wh per half hour."""
    check_start(start)
    offset = int(JST.utcoffset(None).total_seconds())
    days: dict[int, list[float]] = {}
    out = []
    for i in range(intervals):
        t = start + i * INTERVAL_S
        day = (t + offset) // DAY_S
        if day not in days:
            days[day] = _day_factors(seed, home.id, day)
        local = datetime.fromtimestamp(t, JST)
        watts = (_WEEKDAY_W if local.weekday() < 5 else _WEEKEND_W)[local.hour]
        factor = days[day][(t + offset) % DAY_S // INTERVAL_S] * home.load_scale_pct / 100
        out.append(min(home.max_load_wh, round(watts * factor * INTERVAL_S / 3600)))
    return out


FEEDERS = ("F1", "F2", "F3")


def demo_homes(count: int = 12, *, seed: int = DEFAULT_SEED) -> tuple[HomeSite, ...]:
    """``count`` houses: two in three with PV of 3–6 kW, spread over three feeders (grid nodes
    ``F<feeder>/T<pole transformer>/H<house>``, two houses per transformer and feeder), 80–900 m of line from
    the battery."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise SiteError(f"expected a positive number of homes, found {count!r}")
    rng = random.Random(f"greencert/field/homes/{seed}")
    homes = []
    for i in range(count):
        has_pv = i % 3 != 2  # every third house has no panels: it only buys
        number = f"{i + 1:02d}"
        homes.append(HomeSite(
            id=f"H{number}", name_en=f"House {number}", name_ja=f"住宅{number}",
            pv_capacity_w=rng.choice((3_000, 4_000, 4_500, 5_000, 5_500, 6_000)) if has_pv else 0,
            load_scale_pct=rng.randint(70, 140),
            grid_node=f"{FEEDERS[i % len(FEEDERS)]}/T{i // (2 * len(FEEDERS)) + 1}/H{number}",
            distance_m=80 + (i // len(FEEDERS)) % 7 * 120 + rng.randint(0, 60),
            latitude=TOKYO[0] + rng.uniform(-0.004, 0.004), longitude=TOKYO[1] + rng.uniform(-0.004, 0.004)))
    return tuple(homes)
