"""The demo's sites: producers with smart meters (seed Fig. 9B) and consumers (seed Fig. 9A, Fig. 10A).

Capacities are integer watts; a meter may report at most ``capacity_w × 0.5 h`` per 30-minute interval
(DESIGN "The ledger": capacity bound). A site's meter key is not part of the site: each installation generates
its own (``greencert.world`` keeps them as owner-only key files) and the registry binds it to the provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from field.errors import SiteError
from ledger_lite.certificate import INTERVAL_S

Method = Literal["solar", "wind", "oil"]
Category = Literal["renewable", "fossil"]
UsageProfile = Literal["office", "shop"]

# Production method → category (same classes as ``printing.document.METHOD_CATEGORY``).
METHOD_CATEGORY: dict[str, Category] = {"solar": "renewable", "wind": "renewable", "oil": "fossil"}
# Production method → display names (English, Japanese), seed Fig. 10B "type of production method".
METHOD_NAMES: dict[str, tuple[str, str]] = {
    "solar": ("Solar", "太陽光"), "wind": ("Wind", "風力"), "oil": ("Oil", "石油"),
}


def max_interval_wh(capacity_w: int) -> int:
    """The most a meter of ``capacity_w`` watts can report for one interval: capacity × 0.5 h, in Wh."""
    return capacity_w * INTERVAL_S // 3600


@dataclass(frozen=True)
class Producer:
    """A generating site with a smart meter (seed Fig. 9B: provider ID, name, production method, amount)."""

    id: str
    name_en: str
    name_ja: str
    method: Method
    category: Category
    capacity_w: int
    latitude: float  # degrees north
    longitude: float  # degrees east

    def __post_init__(self) -> None:
        _check_common(self.id, self.capacity_w, self.latitude, self.longitude)
        if self.method not in METHOD_CATEGORY:
            raise SiteError(f"producer {self.id}: expected a method in {sorted(METHOD_CATEGORY)}, "
                            f"found {self.method!r}")
        if METHOD_CATEGORY[self.method] != self.category:
            raise SiteError(f"producer {self.id}: expected category {METHOD_CATEGORY[self.method]!r} "
                            f"for method {self.method!r}, found {self.category!r}")

    @property
    def max_interval_wh(self) -> int:
        return max_interval_wh(self.capacity_w)


@dataclass(frozen=True)
class Consumer:
    """A consuming site with a smart meter (seed Fig. 9A user, Fig. 10A contract: renewable %, providers).

    ``capacity_w`` is the contracted demand; its meter never reports more than capacity × 0.5 h.
    """

    id: str
    name_en: str
    name_ja: str
    profile: UsageProfile
    renewable_target_pct: int
    providers: tuple[str, ...]  # selectable provider ids (Fig. 9A)
    capacity_w: int
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        _check_common(self.id, self.capacity_w, self.latitude, self.longitude)
        if not 0 <= self.renewable_target_pct <= 100:
            raise SiteError(f"consumer {self.id}: expected a renewable target of 0–100 %, "
                            f"found {self.renewable_target_pct}")
        if self.profile not in ("office", "shop"):
            raise SiteError(f"consumer {self.id}: expected profile 'office' or 'shop', "
                            f"found {self.profile!r}")

    @property
    def max_interval_wh(self) -> int:
        return max_interval_wh(self.capacity_w)


def _check_common(site_id: str, capacity_w: int, latitude: float, longitude: float) -> None:
    if not site_id:
        raise SiteError("expected a non-empty site id, found ''")
    if isinstance(capacity_w, bool) or not isinstance(capacity_w, int) or capacity_w <= 0:
        raise SiteError(f"site {site_id}: expected a positive integer capacity_w, found {capacity_w!r}")
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise SiteError(f"site {site_id}: expected latitude in [-90, 90] and longitude in [-180, 180], "
                        f"found ({latitude}, {longitude})")


TOKYO = (35.68, 139.69)

PRODUCER_AA = Producer(
    id="Aa", name_en="Producer Aa", name_ja="生産者Aa", method="solar", category="renewable",
    capacity_w=500_000, latitude=TOKYO[0], longitude=TOKYO[1],
)
WIND_FARM_AW = Producer(
    id="Aw", name_en="Wind Farm Aw", name_ja="風力発電所Aw", method="wind", category="renewable",
    capacity_w=2_000_000, latitude=35.73, longitude=140.83,  # Chiba coast
)
PRODUCER_AB = Producer(
    id="Ab", name_en="Producer Ab", name_ja="生産者Ab", method="oil", category="fossil",
    capacity_w=1_000_000, latitude=35.52, longitude=139.70,  # Kawasaki bay
)
CONSUMER_CA = Consumer(
    id="Ca", name_en="Consumer Ca", name_ja="需要家Ca", profile="office", renewable_target_pct=40,
    providers=("Aa", "Aw", "Ab"), capacity_w=1_300_000, latitude=TOKYO[0], longitude=TOKYO[1],
)
CONSUMER_CB = Consumer(
    id="Cb", name_en="Consumer Cb", name_ja="需要家Cb", profile="shop", renewable_target_pct=70,
    providers=("Aa", "Aw", "Ab"), capacity_w=350_000, latitude=35.44, longitude=139.64,  # Yokohama
)

DEMO_PRODUCERS: tuple[Producer, ...] = (PRODUCER_AA, WIND_FARM_AW, PRODUCER_AB)
DEMO_CONSUMERS: tuple[Consumer, ...] = (CONSUMER_CA, CONSUMER_CB)
DEMO_SITES: tuple[Producer | Consumer, ...] = (*DEMO_PRODUCERS, *DEMO_CONSUMERS)


def producer(site_id: str) -> Producer:
    """The demo producer with id ``site_id``."""
    for site in DEMO_PRODUCERS:
        if site.id == site_id:
            return site
    raise SiteError(f"expected a producer id in {[p.id for p in DEMO_PRODUCERS]}, found {site_id!r}")


def consumer(site_id: str) -> Consumer:
    """The demo consumer with id ``site_id``."""
    for site in DEMO_CONSUMERS:
        if site.id == site_id:
            return site
    raise SiteError(f"expected a consumer id in {[c.id for c in DEMO_CONSUMERS]}, found {site_id!r}")
