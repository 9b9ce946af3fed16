"""The Justice offices that hold bail cases: the central office and one per province.

The list ships as ``data/offices.json``. Codes are ISO 3166-2:TH (``TH-10`` is Bangkok);
regions follow the six-region system of the National Geographical Committee (1977), in
which the lower northern provinces (e.g. Phitsanulok, Nakhon Sawan) are central.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

CENTRAL_CODE = "central"
REGIONS = frozenset({"north", "northeast", "central", "east", "west", "south"})


@dataclass(frozen=True)
class OfficeData:
    """One office as shipped with the service."""

    code: str
    name_th: str
    name_en: str
    province_th: str | None
    province_en: str | None
    region: str

    @property
    def is_central(self) -> bool:
        """Say whether this is the central Justice Fund office."""
        return self.code == CENTRAL_CODE


def load_offices() -> list[OfficeData]:
    """Return the shipped offices, the central office first, then provinces by ISO code."""
    text = (
        resources.files("reporting_api").joinpath("data/offices.json").read_text(encoding="utf-8")
    )
    offices = [OfficeData(**entry) for entry in json.loads(text)]
    for office in offices:
        # A typo in the shipped file should stop the service at start-up, not mislabel reports.
        if office.region not in REGIONS:
            raise ValueError(f"office {office.code} has unknown region {office.region!r}")
    return offices
