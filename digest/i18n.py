"""Labels and dates per locale: gettext catalogs (.po, read at run time) and Babel.

English is the source language. A language is one file:
digest/locales/<locale>/LC_MESSAGES/digest.po.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locales"


def available_locales() -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/digest.po"))
    return ("en", *found)


@lru_cache(maxsize=32)
def translations(locale: str) -> NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "digest.po"
    if locale == "en" or not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def gettext(locale: str, message: str, **values: object) -> str:
    text = translations(locale).gettext(message)
    return text % values if values else text


def ngettext(locale: str, singular: str, plural: str, n: int, **values: object) -> str:
    text = translations(locale).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def long_date(when: datetime, locale: str) -> str:
    return format_date(when, format="long", locale=locale)


def medium_date(when: datetime, locale: str) -> str:
    return format_date(when, format="medium", locale=locale)


def time_ago(when: datetime, now: datetime, locale: str) -> str:
    """How long before `now` (the issue's date): "2 days ago", "il y a 2 jours". Under an
    hour, or a date after `now` (clocks and feeds disagree), is "just now"."""
    age = now - when
    if age < timedelta(hours=1):
        return gettext(locale, "just now")
    return format_timedelta(-age, add_direction=True, locale=locale)
