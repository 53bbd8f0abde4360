"""When each list's issue is due, and `digest daemon`: the process ops start and leave.

Every issue belongs to a period: the list's scheduled time, as local wall-clock time in the
list's time zone. One issue per list and period, whoever sends it (the daemon, a catch-up
after downtime, or a manual `digest send`), and a second firing for the same wall-clock time
(an autumn daylight-saving night) finds the issue already there.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from digest.config import MailingList

_DOW = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _cron_dow(field: str) -> str:
    """Cron's numeric days (0 or 7 Sunday, 1 Monday) as names: APScheduler 3 counts from
    Monday, so `0 7 * * 1` would otherwise fire on Tuesdays."""
    return re.sub(
        r"\d+", lambda m: _DOW[int(m.group())] if int(m.group()) <= 7 else m.group(), field
    )


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A cron expression: `minute hour day month weekday`, or six fields with seconds first.
    Raises ValueError with the reason."""
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise ValueError(
            f"expected 5 fields (minute hour day month weekday) or 6 (seconds "
            f"first), got {len(fields)}"
        )
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, dow = fields
    return CronTrigger(
        second=second,
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_cron_dow(dow),
        timezone=timezone,
    )


def trigger(lst: MailingList) -> CronTrigger:
    return cron_trigger(lst.schedule, lst.timezone)


def next_run(lst: MailingList, now: datetime) -> datetime | None:
    """The list's next scheduled send after `now`, in the list's time zone."""
    return trigger(lst).get_next_fire_time(None, now)


def previous_run(lst: MailingList, now: datetime) -> datetime | None:
    """The list's latest scheduled time at or before `now` (None if none in 400 days)."""
    cron = trigger(lst)
    window = timedelta(minutes=1)
    while window <= timedelta(days=400):
        when = cron.get_next_fire_time(None, now - window)
        if when is not None and when <= now:
            last = when
            while (
                nxt := cron.get_next_fire_time(last, last + timedelta(microseconds=1))
            ) and nxt <= now:
                last = nxt
            return last
        window *= 2
    return None


def period_key(lst: MailingList, when: datetime) -> str:
    """The period an issue belongs to: the scheduled wall-clock time in the list's zone."""
    return when.astimezone(trigger(lst).timezone).strftime("%Y-%m-%dT%H:%M:%S")


def current_period(lst: MailingList, now: datetime) -> str:
    """The period `now` falls in (the latest scheduled time at or before it)."""
    last = previous_run(lst, now)
    return period_key(lst, last) if last else "before-first-schedule"


def risky_dst_hour(lst: MailingList) -> bool:
    """Schedules between 01:00 and 03:59 local time can fire twice or not at all on
    daylight-saving nights."""
    hour = lst.schedule.split()[-4]
    if "*" in hour or "/" in hour:
        return False  # every hour: each run is its own period anyway
    hours: set[int] = set()
    for part in hour.split(","):
        low, _, high = part.partition("-")
        if low.isdigit():
            hours.update(range(int(low), int(high if high.isdigit() else low) + 1))
    return bool(hours & {1, 2, 3})
