"""Build an issue (pure): which articles go where, in what order, with what subject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
    stories: dict[str, str] = field(default_factory=dict)  # article key -> its story's lead key


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
    stories: Sequence[Sequence[str]] = (),
) -> Plan:
    """Sections in the list's theme order, then Other.

    `stories` groups article keys that tell the same story (see digest.cluster): each
    story shows once, led by an article in the list's language where there is one, with
    the others as "also reported by". Within a section, stories carried by more sources
    come first, then the newest. Sections hold at most max_per_theme stories, and the
    issue max_items, shared round-robin between sections.
    """
    order = [t.id for t in themes]
    left_out: list[LeftOut] = []
    eligible: list[Article] = []
    for article in candidates:
        if lst.languages is not None and (article.lang or "") not in lst.languages:
            lang = article.lang or "an unknown language"
            wanted = ", ".join(lst.languages)
            left_out.append(LeftOut(article, f"in {lang}, not in the list's languages ({wanted})"))
        else:
            eligible.append(article)
    by_key = {a.key: a for a in eligible}
    groups: list[list[Article]] = []
    grouped: set[str] = set()
    for keys in stories:
        members = [by_key[k] for k in dict.fromkeys(keys) if k in by_key and k not in grouped]
        if members:
            groups.append(members)
            grouped.update(a.key for a in members)
    groups += [[a] for a in eligible if a.key not in grouped]

    def matches(a: Article) -> list[str]:
        return [m.theme_id for m in classifications[a.key].matches if m.theme_id in order]

    buckets: dict[str, list[IssueItem]] = {tid: [] for tid in [*order, OTHER]}
    story_of: dict[str, str] = {}
    for members in groups:
        lead = _lead(members, lst.locale)
        others = tuple(a for a in members if a is not lead)
        placed = next((a for a in [lead, *others] if matches(a)), None)
        for a in members:
            story_of[a.key] = lead.key
        if placed is not None:
            ids = matches(placed)
            section, tags = ids[0], tuple(ids[1:])
        elif lst.other:
            section, tags = OTHER, ()
        else:
            left_out += [LeftOut(a, "matches none of the list's themes") for a in members]
            continue
        buckets[section].append(IssueItem(lead, tags, others))
        left_out += [
            LeftOut(a, f"same story as {_quote(lead)}, shown there as also reported by")
            for a in others
        ]
    for items in buckets.values():
        items.sort(key=_story_rank)
    if lst.max_per_theme:
        for tid, items in buckets.items():
            for item in items[lst.max_per_theme :]:
                left_out += [
                    LeftOut(a, f"over the list's max_per_theme ({lst.max_per_theme}) in {tid}")
                    for a in (item.article, *item.also)
                ]
            del items[lst.max_per_theme :]
    kept, over = _cap(buckets, lst.max_items)
    left_out += [
        LeftOut(a, f"over the list's max_items ({lst.max_items})")
        for i in over
        for a in (i.article, *i.also)
    ]
    by_id = {t.id: t for t in themes}
    sections = tuple(
        Section(tid, "", by_id[tid].color if tid in by_id else OTHER_COLOR, tuple(items))
        for tid, items in kept.items()
        if items
    )
    issue = Issue(lst.id, number, now, "", "", lst.locale, sections)
    return Plan(
        variant(issue, lst, themes, digest_title, lst.locale),
        tuple(left_out),
        classifications,
        story_of,
    )


def _lead(members: Sequence[Article], locale: str) -> Article:
    """The story's first article (members come in the clustering's order) in the list's
    language, else its first."""
    return next((a for a in members if (a.lang or "").split("-")[0] == locale), members[0])


def _quote(a: Article) -> str:
    title = a.title if len(a.title) <= 70 else a.title[:69] + "…"
    return f"“{title}” ({a.source})"


def _when(a: Article) -> float:
    when = a.published or a.first_seen
    return when.timestamp() if when else 0.0


def _story_rank(item: IssueItem) -> tuple[int, float, int]:
    """More sources first, then the newest story, then the newest article id."""
    members = (item.article, *item.also)
    sources = len({a.source for a in members})
    return (-sources, -max(_when(a) for a in members), -(item.article.id or 0))


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
        base,
        subject=make_subject(lst, digest_title, base),
        preheader=make_preheader(base, lst, digest_title),
    )


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


def _values(lst: MailingList, digest_title: str, issue: Issue) -> dict[str, object]:
    """What a list's subject and preheader templates may use."""
    return dict(
        title=lst.title,
        digest=digest_title,
        number=issue.number,
        date=long_date(issue.created, issue.locale),
        count=len(issue.articles),
        sections=", ".join(f"{s.title} ({len(s.items)})" for s in issue.sections),
        top=issue.articles[0].title if issue.articles else "",
    )


def make_subject(lst: MailingList, digest_title: str, issue: Issue) -> str:
    values = _values(lst, digest_title, issue)
    if lst.subject:
        text = _subjects.from_string(lst.subject).render(**values)
    else:
        text = "{title} — {date}".format(**values)
    return " ".join(text.split())[:200]


def make_preheader(issue: Issue, lst: MailingList | None = None, digest_title: str = "") -> str:
    """The line inbox lists show after the subject: the list's template, else the counts."""
    if lst is not None and lst.preheader:
        text = _subjects.from_string(lst.preheader).render(**_values(lst, digest_title, issue))
        return " ".join(text.split())[:200]
    total = ngettext(issue.locale, "%(num)s article", "%(num)s articles", len(issue.articles))
    parts = ", ".join(f"{s.title} ({len(s.items)})" for s in issue.sections)
    if not parts:
        return total
    return gettext(issue.locale, "%(count)s: %(sections)s", count=total, sections=parts)
