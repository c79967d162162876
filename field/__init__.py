"""GreenCert field devices: the demo's sites, their half-hourly profiles and the meters that sign readings.

``field.simulator`` (written separately) drives the node and the intermediary with what these produce.
"""

from field.errors import Error, IntervalError, ReadingError, SiteError
from field.meter import ASSET_GENERATE, USAGE_REPORT, SmartMeter
from field.profiles import (
    DEFAULT_SEED,
    check_start,
    generation_series,
    maintenance_outage,
    solar_elevation,
    usage_series,
    wind_power_fraction,
)
from field.sites import (
    DEMO_CONSUMERS,
    DEMO_PRODUCERS,
    METHOD_CATEGORY,
    METHOD_NAMES,
    Consumer,
    Producer,
    consumer,
    max_interval_wh,
    producer,
)
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.certificate import JST_ZONE as JST

__all__ = [
    "ASSET_GENERATE", "DEFAULT_SEED", "DEMO_CONSUMERS", "DEMO_PRODUCERS", "INTERVAL_S", "JST",
    "METHOD_CATEGORY", "METHOD_NAMES", "USAGE_REPORT", "Consumer", "Error", "IntervalError", "Producer",
    "ReadingError", "SiteError", "SmartMeter", "check_start", "consumer", "generation_series",
    "maintenance_outage", "max_interval_wh", "producer", "solar_elevation", "usage_series",
    "wind_power_fraction",
]
