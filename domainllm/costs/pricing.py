"""Lab 10 (ROI): the dated, sourced price table behind the cost model (``data/pricing.yml``).

Users edit the YAML file, not code. Each leaf of the file is one :class:`Price` with a value,
unit, currency, source URL and the date it was read; :func:`load_pricing` checks every leaf and
stops at the first problem with a :class:`PricingError` that names the file, the dotted key and
the reason, e.g. ``data/pricing.yml: llm_api.gpt_4o_mini.input: price is negative (-0.15)``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from domainllm.files import DataFileError, read_text_utf8
from domainllm.paths import DATA_DIR

__all__ = [
    "CURRENCIES",
    "DEFAULT_PRICING_PATH",
    "UNITS",
    "Price",
    "Pricing",
    "PricingError",
    "load_pricing",
]

DEFAULT_PRICING_PATH = DATA_DIR / "pricing.yml"

# A small explicit set: a typo such as "USS" or "usd " fails loudly instead of mixing currencies.
CURRENCIES = frozenset(
    {"USD", "EUR", "GBP", "SEK", "NOK", "DKK", "CHF", "INR", "JPY", "CNY", "CAD", "AUD", "SGD"}
)
# Units the cost model knows how to use; a price "per 1K tokens" would be silently 1000x off.
UNITS = frozenset({"per 1M tokens", "per hour", "per month", "per 1M read units"})
KINDS = frozenset({"price", "assumption"})
_FIELDS = frozenset({"value", "unit", "currency", "source", "read_on", "note", "kind"})


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported with its key."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class PricingError(ValueError):
    """A problem in a pricing file; ``file``, ``key`` and ``reason`` are also attributes."""

    def __init__(self, file: str | Path, key: str, reason: str) -> None:
        self.file = str(file)
        self.key = key
        self.reason = reason
        super().__init__(f"{self.file}: {key or '<top level>'}: {reason}")


@dataclass(frozen=True)
class Price:
    """One price (or assumption) from the table, in ``currency`` per ``unit``."""

    key: str
    value: float
    unit: str
    currency: str
    source: str
    read_on: dt.date
    kind: Literal["price", "assumption"] = "price"
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, e.g. for a table of prices in the book."""
        return {
            "key": self.key,
            "value": self.value,
            "unit": self.unit,
            "currency": self.currency,
            "kind": self.kind,
            "source": self.source,
            "read_on": self.read_on.isoformat(),
            "note": self.note or "",
        }


@dataclass(frozen=True)
class Pricing:
    """All prices from one file, looked up by dotted key (``"gpu.aws_g5_xlarge.hourly"``)."""

    path: Path
    prices: Mapping[str, Price] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prices", MappingProxyType(dict(self.prices)))

    def __getitem__(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            near = sorted(k for k in self.prices if k.startswith(key.rsplit(".", 1)[0] + "."))
            hint = f" (keys under that group: {', '.join(near)})" if near else ""
            raise PricingError(self.path, key, f"no such price{hint}") from None

    def __contains__(self, key: object) -> bool:
        return key in self.prices

    def __iter__(self) -> Iterator[str]:
        return iter(self.prices)

    def __len__(self) -> int:
        return len(self.prices)

    def value(self, key: str, unit: str | None = None, currency: str | None = None) -> float:
        """The number at ``key``; with ``unit``/``currency`` given, also check they match."""
        price = self[key]
        if unit is not None and price.unit != unit:
            raise PricingError(self.path, key, f"unit is {price.unit!r}, expected {unit!r}")
        if currency is not None and price.currency != currency:
            raise PricingError(
                self.path, key, f"currency is {price.currency}, but this model is in {currency}"
            )
        return price.value

    def group(self, prefix: str) -> dict[str, Price]:
        """Every price whose key starts with ``prefix + "."``."""
        return {k: p for k, p in self.prices.items() if k.startswith(prefix + ".")}

    def names(self, group: str) -> list[str]:
        """The item names directly under a top-level group, e.g. the LLMs under ``llm_api``."""
        return sorted({k.split(".")[1] for k in self.group(group)})

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per price, in file order (for a DataFrame or a Markdown table)."""
        return [p.to_dict() for p in self.prices.values()]


def load_pricing(path: str | Path = DEFAULT_PRICING_PATH, today: dt.date | None = None) -> Pricing:
    """Read and check a pricing file; raise :class:`PricingError` at the first bad entry.

    ``today`` (default: the local date) bounds ``read_on``: a date more than one day after it
    is rejected as in the future (the one day absorbs time-zone differences).
    """
    path = Path(path)
    today = today or dt.date.today()
    try:
        text = read_text_utf8(path)
    except FileNotFoundError:
        raise PricingError(path, "", "file not found") from None
    except DataFileError as exc:
        raise PricingError(path, "", str(exc)) from exc
    try:
        data = yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, ValueError) as exc:
        raise PricingError(path, "", f"not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not data:
        raise PricingError(path, "", "expected a mapping of price groups (llm_api, gpu, ...)")
    prices: dict[str, Price] = {}
    _walk(path, data, "", prices, today)
    return Pricing(path, prices)


def _walk(path: Path, node: Any, prefix: str, out: dict[str, Price], today: dt.date) -> None:
    if not isinstance(node, dict):
        raise PricingError(path, prefix, "missing price: expected a mapping with a 'value'")
    if prefix and _FIELDS & set(map(str, node)):
        out[prefix] = _parse_price(path, prefix, node, today)
        return
    if not node:
        raise PricingError(path, prefix, "missing price: empty group")
    for name, child in node.items():
        if not isinstance(name, str) or not name or "." in name:
            raise PricingError(path, f"{prefix}.{name}" if prefix else str(name), "bad key name")
        _walk(path, child, f"{prefix}.{name}" if prefix else name, out, today)


def _parse_price(path: Path, key: str, entry: dict[Any, Any], today: dt.date) -> Price:
    def fail(reason: str) -> PricingError:
        return PricingError(path, key, reason)

    unknown = sorted(map(str, set(entry) - _FIELDS))
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_FIELDS))}")
    value = entry.get("value")
    if value is None:
        raise fail("missing price: no 'value'")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"price is not a number ({value!r})")
    if not math.isfinite(value):
        raise fail(f"price is not finite ({value!r})")
    if value < 0:
        raise fail(f"price is negative ({value!r}); prices must be >= 0")
    unit = entry.get("unit")
    if unit not in UNITS:
        raise fail(f"unknown unit {unit!r}; allowed: {', '.join(sorted(UNITS))}")
    currency = entry.get("currency")
    if currency not in CURRENCIES:
        raise fail(f"unknown currency {currency!r}; allowed: {', '.join(sorted(CURRENCIES))}")
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise fail("missing source: give the URL the price was read from")
    read_on = _parse_date(entry.get("read_on"), fail)
    if read_on > today + dt.timedelta(days=1):
        raise fail(f"read_on {read_on.isoformat()} is in the future (today is {today.isoformat()})")
    kind = entry.get("kind", "price")
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r}; allowed: {', '.join(sorted(KINDS))}")
    note = entry.get("note")
    if note is not None and not isinstance(note, str):
        raise fail("note must be text")
    return Price(key, float(value), unit, currency, source.strip(), read_on, kind, note)


def _parse_date(raw: Any, fail: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if raw is None:
        raise fail("missing read_on date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise fail(f"read_on {raw!r} is not a date in YYYY-MM-DD form") from None
