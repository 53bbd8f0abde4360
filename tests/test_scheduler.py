from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest import scheduler
from digest.config import MailingList


def lst(schedule: str, tz: str = "Europe/Paris") -> MailingList:
    return MailingList("w", "W", "en", "d@example.org", schedule, tz, None, True, 7)


SUNDAY = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "weekday"),
    [
        ("0 7 * * 1", "Mon"),
        ("0 7 * * mon", "Mon"),
        ("0 7 * * 0", "Sun"),
        ("0 7 * * 7", "Sun"),
        ("0 7 * * 5", "Fri"),
        ("0 7 * * 1-5", "Mon"),
    ],
)
def test_weekdays_follow_cron_not_apscheduler(schedule: str, weekday: str) -> None:
    nxt = scheduler.next_run(lst(schedule), SUNDAY)
    assert nxt is not None and nxt.strftime("%a") == weekday
    assert nxt.strftime("%H:%M") == "07:00"  # local time in the list's zone


def test_six_fields_have_seconds_first_and_other_counts_are_refused() -> None:
    nxt = scheduler.next_run(lst("*/15 * * * * *", "UTC"), SUNDAY.replace(second=1))
    assert nxt == datetime(2026, 11, 22, 12, 0, 15, tzinfo=UTC)
    with pytest.raises(ValueError, match="expected 5 fields"):
        scheduler.cron_trigger("0 7 * *", "UTC")


def test_previous_run_and_period() -> None:
    weekly = lst("0 7 * * mon")
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)  # a Tuesday
    assert scheduler.previous_run(weekly, now) == datetime(2026, 11, 23, 6, tzinfo=UTC)
    assert scheduler.current_period(weekly, now) == "2026-11-23T07:00:00"
    at = datetime(2026, 11, 23, 6, tzinfo=UTC)  # exactly the scheduled time
    assert scheduler.previous_run(weekly, at) == at


def test_the_repeated_autumn_hour_is_one_period() -> None:
    nightly = lst("30 2 * * *")
    # 2026-10-25 in Paris: 02:30 happens twice, at 00:30 and at 01:30 UTC
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert scheduler.period_key(nightly, first) == scheduler.period_key(nightly, second)
    assert scheduler.risky_dst_hour(nightly)
    assert not scheduler.risky_dst_hour(lst("0 7 * * mon"))
    assert not scheduler.risky_dst_hour(lst("0 */2 * * *"))
    assert scheduler.risky_dst_hour(lst("0 0,3 * * *"))
