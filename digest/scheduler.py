"""When each list's issue is due (the daemon builds on this)."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from digest.config import MailingList


def trigger(lst: MailingList) -> CronTrigger:
    return CronTrigger.from_crontab(lst.schedule, timezone=lst.timezone)


def next_run(lst: MailingList, now: datetime) -> datetime | None:
    """The list's next scheduled send after `now`, in the list's time zone."""
    return trigger(lst).get_next_fire_time(None, now)
