"""Stores of the synthetic chain, their UTC offsets and their local timestamps."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from schemas import weeks

STORES_HEADER = ("store_id", "name", "region", "country")

#: Country -> (standard UTC offset in hours, cities with their region).
COUNTRIES: dict[str, tuple[int, tuple[tuple[str, str], ...]]] = {
    "FR": (
        1,
        (
            ("Paris", "Paris Region"),
            ("Lyon", "South-East"),
            ("Marseille", "South-East"),
            ("Bordeaux", "South-West"),
            ("Lille", "North"),
            ("Nantes", "West"),
            ("Toulouse", "South-West"),
            ("Strasbourg", "East"),
            ("Nice", "South-East"),
        ),
    ),
    "DE": (
        1,
        (
            ("Berlin", "East"),
            ("Hamburg", "North"),
            ("Munich", "South"),
            ("Cologne", "West"),
            ("Frankfurt", "Central"),
            ("Stuttgart", "South"),
            ("Dusseldorf", "West"),
            ("Leipzig", "East"),
        ),
    ),
    "ES": (
        1,
        (
            ("Madrid", "Centre"),
            ("Barcelona", "North-East"),
            ("Valencia", "East"),
            ("Seville", "South"),
            ("Bilbao", "North"),
            ("Malaga", "South"),
        ),
    ),
    "IT": (
        1,
        (
            ("Milan", "North"),
            ("Rome", "Centre"),
            ("Turin", "North"),
            ("Naples", "South"),
            ("Florence", "Centre"),
            ("Bologna", "North"),
        ),
    ),
    "NL": (
        1,
        (
            ("Amsterdam", "North Holland"),
            ("Rotterdam", "South Holland"),
            ("Utrecht", "Utrecht"),
            ("Eindhoven", "North Brabant"),
        ),
    ),
    "GB": (
        0,
        (
            ("London", "London"),
            ("Manchester", "North West"),
            ("Birmingham", "Midlands"),
            ("Leeds", "Yorkshire"),
            ("Glasgow", "Scotland"),
            ("Bristol", "South West"),
            ("Edinburgh", "Scotland"),
            ("Liverpool", "North West"),
        ),
    ),
    "IE": (0, (("Dublin", "Leinster"), ("Cork", "Munster"), ("Galway", "Connacht"))),
}
_COUNTRY_ORDER = ("FR", "GB", "DE", "ES", "IT", "NL", "IE")
_COUNTRY_WEIGHTS = (25, 18, 20, 12, 12, 8, 5)
_SITES = (
    "Centre",
    "Station",
    "Mall",
    "Retail Park",
    "High Street",
    "Airport",
    "Old Town",
    "Riverside",
    "Outlet",
    "Galleria",
    "North",
    "South",
)


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """One store, with the traffic weight that scales how much it generates."""

    store_id: str
    name: str
    region: str
    country: str
    weight: float
    index: int

    def row(self) -> tuple[str, ...]:
        """The stores.csv row."""
        return (self.store_id, self.name, self.region, self.country)


def build_stores(count: int, rng: random.Random) -> list[StoreInfo]:
    """`count` stores; the first seven cover every country so small samples mix UTC offsets."""
    width = max(3, len(str(count)))
    used: dict[str, int] = {}
    stores = []
    for index in range(count):
        if index < len(_COUNTRY_ORDER):
            country = _COUNTRY_ORDER[index]
        else:
            country = rng.choices(_COUNTRY_ORDER, _COUNTRY_WEIGHTS)[0]
        city, region = rng.choice(COUNTRIES[country][1])
        name = f"{city} {rng.choice(_SITES)}"
        used[name] = used.get(name, 0) + 1
        if used[name] > 1:
            name = f"{name} {used[name]}"
        weight = round(rng.uniform(0.5, 2.0), 3)
        stores.append(StoreInfo(f"S{index + 1:0{width}d}", name, region, country, weight, index))
    return stores


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def utc_offset(country: str, day: date) -> str:
    """The store's UTC offset on a local day, EU summer time included: 'FR', 2026-11-17 -> '+01:00'.

    Summer time runs from the last Sunday of March to the last Sunday of October (the switch
    happens at night, outside trading hours, so the day decides).
    """
    hours = COUNTRIES[country][0]
    if _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10):
        hours += 1
    return f"+{hours:02d}:00"


def timestamp(day: date, seconds: int, offset: str) -> str:
    """ISO 8601 local timestamp from a day, seconds since local midnight and an offset."""
    hours, rest = divmod(seconds, 3600)
    return f"{day.isoformat()}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}{offset}"


def iso_week(day: date) -> str:
    """The ISO week label used in file names: 2026-11-17 -> '2026-W47' (schemas.weeks)."""
    return weeks.iso_week(day)
