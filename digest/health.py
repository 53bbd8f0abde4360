"""Source health, from what the store remembers of each collection (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from digest.config import CollectSettings, Source


@dataclass(frozen=True, slots=True)
class SourceHealth:
    name: str
    type: str
    last_success: datetime | None
    last_new: datetime | None
    failures: int
    last_error: str | None
    flag: str | None  # why ops should look, or None when all is well


def assess(
    sources: Sequence[Source],
    rows: Mapping[str, Mapping[str, Any]],
    settings: CollectSettings,
    now: datetime,
) -> list[SourceHealth]:
    """Flags: never collected, disabled (410), failing N times in a row, silent M days."""
    out = []
    silent = timedelta(days=settings.silent_after_days)
    for source in sources:
        row = rows.get(source.name) or {}
        failures = int(row.get("failures") or 0)
        last_success: datetime | None = row.get("last_success")
        last_new: datetime | None = row.get("last_new")
        heard = last_new or last_success
        flag: str | None = None
        if not row:
            flag = "never collected"
        elif row.get("disabled"):
            flag = "disabled: " + str(row["disabled"])
        elif failures >= settings.failing_after:
            flag = f"failing: {failures} time{'' if failures == 1 else 's'} in a row"
        elif heard and now - heard > silent:
            flag = f"silent: nothing new for over {settings.silent_after_days} days"
        elif row.get("retry_after") and row["retry_after"] > now:
            flag = f"waiting until {row['retry_after']:%Y-%m-%d %H:%M} UTC (Retry-After)"
        out.append(
            SourceHealth(
                source.name,
                source.type,
                last_success,
                last_new,
                failures,
                row.get("last_error"),
                flag,
            )
        )
    return out
