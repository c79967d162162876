"""Deterministic half-hourly demo profiles: what the smart meters measure (S61) and report (S62, S81).

Every value is integer Wh for the interval ``[t, t + 1800)``, ``t`` in Unix seconds aligned to 1,800 s.
Randomness comes only from ``random.Random`` instances seeded from ``(seed, site id, stream, day)``; there is
no wall clock and no global RNG. Each value depends only on the interval, the site and the seed, never on the
window asked for, so a month computed in one call equals the same month computed day by day.

* solar: clear-sky output of tilted panels follows the sun (NOAA approximate solar position, Meinel air-mass
  attenuation), a bell over the day scaled by elevation, times a per-day cloudiness varying inside the day;
* wind: a mean-reverting (Ornstein–Uhlenbeck) walk, mapped to a Weibull-distributed wind speed, through a
  turbine power curve (cut-in 3 m/s, rated 12 m/s, cut-out 25 m/s);
* oil: near-flat dispatch at 60–90 % with one planned maintenance outage of a few hours per calendar month;
* usage: office/factory weekday pattern or shop opening hours, per-day and per-interval variation.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, datetime

from field.errors import IntervalError, SiteError
from field.sites import Consumer, Producer, max_interval_wh
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.certificate import JST_ZONE as JST

DEFAULT_SEED = 0
_JST_OFFSET_S = int(JST.utcoffset(None).total_seconds())
_DAY_S = 86400
_PER_DAY = _DAY_S // INTERVAL_S  # 48


def check_start(start: int) -> None:
    """Raise ``IntervalError`` unless ``start`` is a non-negative integer multiple of 1,800 s."""
    if isinstance(start, bool) or not isinstance(start, int):
        raise IntervalError(f"expected start as integer Unix seconds, found {type(start).__name__} {start!r}")
    if start < 0 or start % INTERVAL_S:
        raise IntervalError(f"expected start to be a non-negative multiple of {INTERVAL_S} s, found {start} "
                            f"({start % INTERVAL_S} s past a boundary)")


def _check_window(start: int, intervals: int) -> None:
    check_start(start)
    if isinstance(intervals, bool) or not isinstance(intervals, int) or intervals < 0:
        raise IntervalError(f"expected a non-negative integer number of intervals, found {intervals!r}")


def _rng(seed: int, site_id: str, stream: str, index: int) -> random.Random:
    return random.Random(f"greencert/field/{seed}/{site_id}/{stream}/{index}")


def _jst_day(t: int) -> int:
    """Days since 1970-01-01 in JST, for persistence per local day."""
    return (t + _JST_OFFSET_S) // _DAY_S


def _slot(t: int) -> int:
    """The interval's index 0–47 within its JST day."""
    return (t + _JST_OFFSET_S) % _DAY_S // INTERVAL_S


# --- solar -------------------------------------------------------------------------------------------------


def sun_direction(latitude: float, longitude: float, t: float) -> tuple[float, float, float]:
    """The unit vector towards the sun in local (east, north, up) axes at Unix time ``t``.

    NOAA's approximate solar position: fractional year → equation of time and declination → hour angle.
    """
    moment = datetime.fromtimestamp(t, UTC)
    hours = moment.hour + moment.minute / 60 + (moment.second + moment.microsecond / 1e6) / 3600
    gamma = 2 * math.pi / 365 * (moment.timetuple().tm_yday - 1 + (hours - 12) / 24)
    eqtime = 229.18 * (0.000075 + 0.001868 * math.cos(gamma) - 0.032077 * math.sin(gamma)
                       - 0.014615 * math.cos(2 * gamma) - 0.040849 * math.sin(2 * gamma))
    decl = (0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma)
            - 0.006758 * math.cos(2 * gamma) + 0.000907 * math.sin(2 * gamma)
            - 0.002697 * math.cos(3 * gamma) + 0.00148 * math.sin(3 * gamma))
    true_solar_minutes = hours * 60 + eqtime + 4 * longitude
    hour_angle = math.radians(true_solar_minutes / 4 - 180)
    lat = math.radians(latitude)
    east = -math.cos(decl) * math.sin(hour_angle)
    north = math.cos(lat) * math.sin(decl) - math.sin(lat) * math.cos(decl) * math.cos(hour_angle)
    up = math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(hour_angle)
    return east, north, up


def solar_elevation(latitude: float, longitude: float, t: float) -> float:
    """The sun's elevation above the horizon in degrees at Unix time ``t``."""
    return math.degrees(math.asin(max(-1.0, min(1.0, sun_direction(latitude, longitude, t)[2]))))


_PANEL_TILT = math.radians(30)  # fixed panels facing the equator, tilted about as steeply as usual in Japan
_PERFORMANCE_RATIO = 0.85  # inverter, wiring and temperature losses


def _clear_sky_power(site: Producer, t: float) -> float:
    """Clear-sky output as a fraction of capacity (0 while the sun is below the horizon)."""
    _, north, up = sun_direction(site.latitude, site.longitude, t)
    if up <= 0.0:
        return 0.0
    # Meinel's beam irradiance through the air mass 1/sin(elevation), in kW/m² (1 kW/m² = rated output).
    beam = 1.353 * math.pow(0.7, math.pow(min(1.0 / up, 38.0), 0.678))
    towards_equator = -north if site.latitude >= 0 else north
    incidence = up * math.cos(_PANEL_TILT) + towards_equator * math.sin(_PANEL_TILT)
    diffuse = 0.1 * beam * (1 + math.cos(_PANEL_TILT)) / 2  # isotropic sky seen by the tilted panel
    return _PERFORMANCE_RATIO * (beam * max(0.0, incidence) + diffuse)


def _clear_sky_fraction(site: Producer, t: int) -> float:
    """Mean clear-sky output over the interval, sampled at its start, quarters and end."""
    return sum(_clear_sky_power(site, t + k * INTERVAL_S / 4) for k in range(5)) / 5


def _cloud_day(seed: int, site_id: str, day: int) -> list[float]:
    """Per-interval cloud factors (0–1) for one JST day: a daily clearness plus autocorrelated variation."""
    rng = _rng(seed, site_id, "cloud", day)
    weather = rng.random()
    if weather < 0.45:
        clearness = rng.uniform(0.85, 1.0)  # sunny
    elif weather < 0.75:
        clearness = rng.uniform(0.45, 0.85)  # partly cloudy
    else:
        clearness = rng.uniform(0.12, 0.45)  # overcast or rain
    factors, wobble = [], 0.0
    for _ in range(_PER_DAY):
        wobble = 0.75 * wobble + 0.35 * rng.gauss(0.0, 1.0)
        factors.append(min(1.0, max(0.05, clearness + (1.0 - clearness) * 0.5 * wobble)))
    return factors


def _solar_series(site: Producer, start: int, intervals: int, seed: int) -> list[float]:
    days: dict[int, list[float]] = {}
    out = []
    for i in range(intervals):
        t = start + i * INTERVAL_S
        clear = _clear_sky_fraction(site, t)
        if clear <= 0.0:
            out.append(0.0)
            continue
        day = _jst_day(t)
        if day not in days:
            days[day] = _cloud_day(seed, site.id, day)
        out.append(clear * days[day][_slot(t)])
    return out


# --- wind --------------------------------------------------------------------------------------------------

_WIND_PHI = 0.95  # half-hourly autocorrelation of the latent walk (correlation time ≈ 10 h)
_WIND_WARMUP_DAYS = 3  # each UTC day's walk starts this many days earlier from the mean; 0.95**144 < 0.1 %
_WEIBULL_K = 2.2
_MEAN_SPEED = 6.5  # m/s at hub height, a little higher in winter
_CUT_IN, _RATED, _CUT_OUT = 3.0, 12.0, 25.0
_WIND_AVAILABILITY = 0.92  # turbine availability and wake/electrical losses


def wind_power_fraction(speed: float) -> float:
    """A turbine power curve: fraction of rated power at hub-height wind ``speed`` (m/s)."""
    if speed < _CUT_IN or speed >= _CUT_OUT:
        return 0.0
    if speed >= _RATED:
        return 1.0
    return (speed**3 - _CUT_IN**3) / (_RATED**3 - _CUT_IN**3)


def _wind_speed(latent: float, day: int) -> float:
    """Map the standard-normal latent state to a Weibull wind speed whose mean varies with the season."""
    season = math.cos(2 * math.pi * ((day % 365.25) - 15) / 365.25)  # peaks mid-January
    scale = (_MEAN_SPEED + 0.4 * season) / math.gamma(1 + 1 / _WEIBULL_K)
    upper_tail = max(1e-12, 0.5 * math.erfc(latent / math.sqrt(2)))  # 1 − Φ(latent)
    return scale * math.pow(-math.log(upper_tail), 1 / _WEIBULL_K)


def _wind_series(site: Producer, start: int, intervals: int, seed: int) -> list[float]:
    shocks: dict[int, list[float]] = {}

    def day_shocks(day: int) -> list[float]:
        if day not in shocks:
            rng = _rng(seed, site.id, "wind", day)
            shocks[day] = [rng.gauss(0.0, 1.0) for _ in range(_PER_DAY)]
        return shocks[day]

    step = math.sqrt(1 - _WIND_PHI**2)  # keeps the latent walk at unit variance
    walks: dict[int, list[float]] = {}

    def day_walk(day: int) -> list[float]:
        # The walk for a UTC day starts from the mean a few days earlier and runs over the same shocks as
        # every other day's walk, so neighbouring days join within 0.1 % of the latent spread.
        if day not in walks:
            latent, values = 0.0, []
            for d in range(day - _WIND_WARMUP_DAYS, day + 1):
                for shock in day_shocks(d):
                    latent = _WIND_PHI * latent + step * shock
                    if d == day:
                        values.append(latent)
            walks[day] = values
        return walks[day]

    out = []
    for i in range(intervals):
        t = start + i * INTERVAL_S
        day = t // _DAY_S
        speed = _wind_speed(day_walk(day)[t % _DAY_S // INTERVAL_S], day)
        out.append(_WIND_AVAILABILITY * wind_power_fraction(speed))
    return out


# --- oil ---------------------------------------------------------------------------------------------------


def maintenance_outage(site: Producer, year: int, month: int, seed: int = DEFAULT_SEED) -> tuple[int, int]:
    """The planned outage ``[start, end)`` (Unix seconds) of a dispatchable plant in a JST calendar month."""
    rng = _rng(seed, site.id, "outage", year * 12 + month)
    day, hour, slots = rng.randint(3, 25), rng.randint(8, 13), rng.randint(8, 14)  # 4–7 h in daytime
    begin = int(datetime(year, month, day, hour, tzinfo=JST).timestamp())
    return begin, begin + slots * INTERVAL_S


def _dispatch_day(seed: int, site_id: str, day: int) -> list[float]:
    rng = _rng(seed, site_id, "dispatch", day)
    level = rng.uniform(0.68, 0.84)
    return [min(0.9, max(0.6, level + (0.04 if 8 <= slot // 2 < 20 else 0.0) + rng.gauss(0.0, 0.015)))
            for slot in range(_PER_DAY)]


def _oil_series(site: Producer, start: int, intervals: int, seed: int) -> list[float]:
    outages: dict[tuple[int, int], tuple[int, int]] = {}
    days: dict[int, list[float]] = {}
    out = []
    for i in range(intervals):
        t = start + i * INTERVAL_S
        local = datetime.fromtimestamp(t, JST)
        key = (local.year, local.month)
        if key not in outages:
            outages[key] = maintenance_outage(site, local.year, local.month, seed)
        begin, end = outages[key]
        if begin <= t < end:
            out.append(0.0)
            continue
        day = _jst_day(t)
        if day not in days:
            days[day] = _dispatch_day(seed, site.id, day)
        out.append(days[day][_slot(t)])
    return out


# --- consumption -------------------------------------------------------------------------------------------

# Fraction of contracted capacity by JST hour.
_OFFICE_WEEKDAY = (0.22, 0.22, 0.22, 0.22, 0.22, 0.24, 0.32, 0.5, 0.85, 0.9, 0.9, 0.9,
                   0.78, 0.9, 0.9, 0.9, 0.88, 0.85, 0.8, 0.55, 0.4, 0.3, 0.25, 0.22)
_OFFICE_WEEKEND = (0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.21, 0.24, 0.26, 0.26, 0.26,
                   0.26, 0.26, 0.26, 0.26, 0.25, 0.24, 0.23, 0.22, 0.21, 0.2, 0.2, 0.2)
_SHOP_DAY = (0.18, 0.18, 0.18, 0.18, 0.18, 0.18, 0.18, 0.2, 0.25, 0.5, 0.8, 0.85,
             0.88, 0.9, 0.9, 0.88, 0.86, 0.86, 0.88, 0.88, 0.82, 0.45, 0.22, 0.18)


def _usage_shape(consumer: Consumer, t: int) -> float:
    local = datetime.fromtimestamp(t, JST)
    if consumer.profile == "office":  # 8:00–19:00 on weekdays, low at night and weekends
        return (_OFFICE_WEEKDAY if local.weekday() < 5 else _OFFICE_WEEKEND)[local.hour]
    weekend = 1.06 if local.weekday() >= 5 and 10 <= local.hour < 21 else 1.0  # shop: 10:00–21:00 daily
    return _SHOP_DAY[local.hour] * weekend


def _usage_day(seed: int, site_id: str, day: int) -> list[float]:
    rng = _rng(seed, site_id, "usage", day)
    day_factor = rng.uniform(0.92, 1.06)  # weather, production schedule
    return [day_factor * (1.0 + rng.gauss(0.0, 0.03)) for _ in range(_PER_DAY)]


def usage_series(consumer: Consumer, start: int, intervals: int, *, seed: int = DEFAULT_SEED) -> list[int]:
    """The consumer's metered usage in Wh for each of ``intervals`` half hours from ``start`` (S81)."""
    _check_window(start, intervals)
    if not isinstance(consumer, Consumer):
        raise SiteError(f"expected a Consumer, found {type(consumer).__name__}")
    days: dict[int, list[float]] = {}
    fractions = []
    for i in range(intervals):
        t = start + i * INTERVAL_S
        day = _jst_day(t)
        if day not in days:
            days[day] = _usage_day(seed, consumer.id, day)
        fractions.append(_usage_shape(consumer, t) * days[day][_slot(t)])
    return _to_wh(fractions, consumer.capacity_w)


# --- public ------------------------------------------------------------------------------------------------

_GENERATORS: dict[str, Callable[[Producer, int, int, int], list[float]]] = {
    "solar": _solar_series, "wind": _wind_series, "oil": _oil_series,
}


def generation_series(site: Producer, start: int, intervals: int, *, seed: int = DEFAULT_SEED) -> list[int]:
    """The producer's metered generation in Wh for each of ``intervals`` half hours from ``start`` (S61)."""
    _check_window(start, intervals)
    if not isinstance(site, Producer):
        raise SiteError(f"expected a Producer, found {type(site).__name__}")
    if site.method not in _GENERATORS:
        raise SiteError(f"expected a method in {sorted(_GENERATORS)}, found {site.method!r}")
    return _to_wh(_GENERATORS[site.method](site, start, intervals, seed), site.capacity_w)


def _to_wh(fractions: list[float], capacity_w: int) -> list[int]:
    """Fractions of capacity → integer Wh per interval, never below 0 nor above capacity × 0.5 h."""
    cap = max_interval_wh(capacity_w)
    return [min(cap, max(0, round(f * cap))) for f in fractions]
