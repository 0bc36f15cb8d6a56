"""Data card: the fictional company, its counterparties, and the places and products its contracts mention."""

from __future__ import annotations

import random
from dataclasses import dataclass

COMPANY = "Kestrel Fluidics, Inc."
COMPANY_SHORT = "Kestrel"
COMPANY_ADDRESS = "4100 Harbor Mill Road, Wilmington, Delaware 19801, USA"
COMPANY_SIGNATORY = ("Dana Whitcombe", "General Counsel")
COMPANY_PROFILE = (
    "a mid-sized manufacturer of industrial pumps, valves and flow-control systems with plants in "
    "Delaware and Ohio"
)

_STEMS = [
    "Brightwater",
    "Northmere",
    "Calloway",
    "Ashgrove",
    "Veldhoven",
    "Tamsin",
    "Orrery",
    "Quillon",
    "Marrowby",
    "Fenwick",
    "Halberd",
    "Lindqvist",
    "Sorrento",
    "Pellham",
    "Greystone",
    "Ironbridge",
    "Kobalt",
    "Meridian",
    "Alder",
    "Ravensholm",
    "Cindral",
    "Ostrava",
    "Bellweather",
    "Tidewell",
    "Harrowgate",
    "Zennor",
    "Mistral",
    "Cardella",
    "Ulvik",
    "Praxton",
    "Westerlund",
    "Okonkwo",
    "Santiago",
    "Rhoswen",
    "Drummond",
    "Eskdale",
    "Vantor",
    "Hollis",
    "Marigold",
    "Stonecrest",
    "Fairhaven",
    "Kilbride",
    "Tessaro",
    "Amundsen",
    "Corvane",
    "Delmar",
    "Halvorsen",
    "Juniper",
    "Lockhart",
    "Monteverde",
]
_TRADES = [
    "Logistics",
    "Castings",
    "Polymers",
    "Controls",
    "Seals",
    "Motors",
    "Engineering",
    "Trading",
    "Industrial Supply",
    "Metals",
    "Electronics",
    "Automation",
    "Technologies",
    "Hydraulics",
    "Distribution",
    "Systems",
    "Components",
    "Instruments",
    "Fabrication",
    "Analytics",
    "Coatings",
    "Software",
    "Sales Partners",
    "Water Solutions",
    "Bearings",
    "Forge",
    "Precision Works",
    "Materials",
    "Services",
    "Robotics",
]
_FORMS = (
    ("GmbH", "Germany"),
    ("Ltd", "England and Wales"),
    ("Inc.", "New York"),
    ("B.V.", "the Netherlands"),
    ("AB", "Sweden"),
    ("S.A. de C.V.", "Mexico"),
    ("Pte. Ltd.", "Singapore"),
    ("LLC", "Texas"),
    ("S.p.A.", "Italy"),
    ("Corp.", "Ontario"),
    ("Oy", "Finland"),
    ("K.K.", "Japan"),
)
_STREETS = ("Industrial Way", "Harbour Road", "Market Street", "Canal Quay", "Station Avenue", "Park Lane")
_PEOPLE = (
    "Mara Lindgren",
    "Tobias Reiner",
    "Aiko Tanaka",
    "Samuel Osei",
    "Priya Raman",
    "Luis Ferreira",
    "Helen Voss",
    "Jonas Berg",
    "Claire Dubois",
    "Ravi Menon",
)
_TITLES = ("Managing Director", "Chief Executive Officer", "Director", "Head of Commercial", "President")


@dataclass(frozen=True)
class Counterparty:
    """A company Kestrel contracts with: full legal name, short name, home country and contact."""

    name: str
    short: str
    home: str
    address: str
    signatory: str
    signatory_title: str


def counterparties(count: int, rng: random.Random) -> list[Counterparty]:
    """``count`` distinct counterparties; short names are distinct while fewer than 1,500 are drawn."""
    combos = [(stem, trade) for stem in _STEMS for trade in _TRADES]
    rng.shuffle(combos)
    out = []
    for k in range(count):
        stem, trade = combos[k % len(combos)]
        form, home = _FORMS[(k // len(combos) + k) % len(_FORMS)]
        short = f"{stem} {trade}"
        number = 10 + (k * 37) % 890
        out.append(
            Counterparty(
                name=f"{short} {form}",
                short=short,
                home=home,
                address=f"{number} {_STREETS[k % len(_STREETS)]}, {home}",
                signatory=_PEOPLE[k % len(_PEOPLE)],
                signatory_title=_TITLES[k % len(_TITLES)],
            )
        )
    return out


@dataclass(frozen=True)
class Law:
    """A governing law: the short answer (``Delaware``) and the words that go before it in a clause."""

    name: str
    prefix: str


LAWS = (
    (Law("Delaware", "the State of "), 30),
    (Law("New York", "the State of "), 18),
    (Law("England and Wales", ""), 12),
    (Law("Ontario", "the Province of "), 6),
    (Law("Germany", "the Federal Republic of "), 8),
    (Law("Ohio", "the State of "), 10),
    (Law("Sweden", "the Kingdom of "), 4),
    (Law("Singapore", "the Republic of "), 5),
    (Law("Texas", "the State of "), 7),
)
TERRITORIES = (
    "Benelux",
    "the Nordic countries",
    "Mexico",
    "Brazil",
    "Japan",
    "the United Kingdom",
    "Poland",
    "South Africa",
    "Australia and New Zealand",
    "the Gulf Cooperation Council states",
    "Canada",
    "Iberia",
)
FIELDS_OF_USE = (
    "agricultural irrigation",
    "municipal water treatment",
    "marine propulsion",
    "food and beverage processing",
    "mining dewatering",
    "HVAC systems",
    "pharmaceutical manufacturing",
    "oil and gas midstream",
)
PRODUCTS = (
    "centrifugal pump housings",
    "precision valve seats",
    "elastomer seal kits",
    "motor controllers",
    "stainless steel impellers",
    "flow sensors",
    "hydraulic manifolds",
    "diaphragm pumps",
)
SERVICES = (
    "preventive maintenance of production lines",
    "software development for pump telemetry",
    "warehouse and fulfilment services",
    "calibration of test benches",
    "IT managed services",
    "engineering design support",
)
