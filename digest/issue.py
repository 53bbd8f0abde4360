"""Build an issue (pure): which articles go where, in what order, with what subject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from jinja2.sandbox import SandboxedEnvironment

from digest.config import MailingList
from digest.i18n import gettext, long_date, ngettext
from digest.models import Article, Classification, Issue, IssueItem, Section, Theme

OTHER = "other"
OTHER_COLOR = "#4a5568"


@dataclass(frozen=True, slots=True)
class LeftOut:
    article: Article
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    """What the next issue of a list would be, and what was left out and why."""

    issue: Issue
    left_out: tuple[LeftOut, ...]
    classifications: dict[str, Classification]  # by article key


def since(lst: MailingList, now: datetime) -> datetime:
    return now - timedelta(days=lst.max_age_days)


def build(
    lst: MailingList,
    themes: Sequence[Theme],
    digest_title: str,
    candidates: Sequence[Article],
    classifications: dict[str, Classification],
    number: int,
    now: datetime,
) -> Plan:
    """Sections in the list's theme order, then Other; newest first; capped at max_items."""
    order = [t.id for t in themes]
    buckets: dict[str, list[IssueItem]] = {tid: [] for tid in [*order, OTHER]}
    left_out: list[LeftOut] = []
    for article in sorted(candidates, key=_newest_first):
        matches = [m for m in classifications[article.key].matches if m.theme_id in order]
        if matches:
            buckets[matches[0].theme_id].append(
                IssueItem(article, tuple(m.theme_id for m in matches[1:]))
            )
        elif lst.other:
            buckets[OTHER].append(IssueItem(article))
        else:
            left_out.append(LeftOut(article, "matches none of the list's themes"))
    kept, over = _cap(buckets, lst.max_items)
    left_out += [LeftOut(i.article, f"over the list's max_items ({lst.max_items})") for i in over]
    by_id = {t.id: t for t in themes}
    sections = tuple(
        Section(tid, "", by_id[tid].color if tid in by_id else OTHER_COLOR, tuple(items))
        for tid, items in kept.items()
        if items
    )
    issue = Issue(lst.id, number, now, "", "", lst.locale, sections)
    return Plan(
        variant(issue, lst, themes, digest_title, lst.locale), tuple(left_out), classifications
    )


def variant_key(locale: str, choice: Sequence[str] | None = None) -> str:
    """What a rendition is for: a language and a choice of themes ("*" for all)."""
    return f"{locale}:{'+'.join(sorted(choice)) if choice else '*'}"


def variant(
    issue: Issue,
    lst: MailingList,
    themes: Sequence[Theme],
    digest_title: str,
    locale: str,
    choice: Sequence[str] | None = None,
) -> Issue:
    """The issue in `locale`, keeping only the sections of `choice` (None: every section)."""
    by_id = {t.id: t for t in themes}
    sections = tuple(
        replace(
            s,
            title=by_id[s.theme_id].label(locale)
            if s.theme_id in by_id
            else gettext(locale, "Other"),
        )
        for s in issue.sections
        if not choice or s.theme_id in choice
    )
    base = Issue(issue.list_id, issue.number, issue.created, "", "", locale, sections, issue.id)
    return replace(
        base, subject=make_subject(lst, digest_title, base), preheader=make_preheader(base)
    )


def _newest_first(a: Article) -> tuple[float, int]:
    when = a.published or a.first_seen
    return (-(when.timestamp() if when else 0.0), -(a.id or 0))


def _cap(
    buckets: dict[str, list[IssueItem]],
    limit: int,
) -> tuple[dict[str, list[IssueItem]], list[IssueItem]]:
    """Take items round-robin across sections so one busy theme cannot crowd out the rest."""
    kept: dict[str, list[IssueItem]] = {k: [] for k in buckets}
    queues = {k: list(v) for k, v in buckets.items()}
    taken = 0
    while taken < limit and any(queues.values()):
        for key, queue in queues.items():
            if queue and taken < limit:
                kept[key].append(queue.pop(0))
                taken += 1
    return kept, [i for q in queues.values() for i in q]


_subjects = SandboxedEnvironment(autoescape=False)


def make_subject(lst: MailingList, digest_title: str, issue: Issue) -> str:
    values = dict(
        title=lst.title,
        digest=digest_title,
        number=issue.number,
        date=long_date(issue.created, issue.locale),
        count=len(issue.articles),
    )
    if lst.subject:
        text = _subjects.from_string(lst.subject).render(**values)
    else:
        text = "{title} — {date}".format(**values)
    return " ".join(text.split())[:200]


def make_preheader(issue: Issue) -> str:
    total = ngettext(issue.locale, "%(num)s article", "%(num)s articles", len(issue.articles))
    parts = ", ".join(f"{s.title} ({len(s.items)})" for s in issue.sections)
    if not parts:
        return total
    return gettext(issue.locale, "%(count)s: %(sections)s", count=total, sections=parts)
