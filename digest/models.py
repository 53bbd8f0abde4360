"""Values passed between pipeline stages. Frozen, typed, tz-aware."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Article:
    """One item from a feed or a saved page, cleaned and bounded."""

    key: str  # identity: canonical URL, else "guid:...", else "hash:..."
    source: str
    title: str
    url: str | None  # http(s) only, tracking parameters dropped
    published: datetime | None
    excerpt: str  # plain text, about 300 characters
    text: str  # plain text, bounded
    content_hash: str
    site: str | None = None
    author: str | None = None
    lang: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    id: int | None = None  # database id once stored
    first_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourceFailure:
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class SourceReport:
    """What one source yielded in one collection."""

    source: str
    articles: tuple[Article, ...] = ()
    failure: SourceFailure | None = None
    unchanged: bool = False  # HTTP 304 or folder with no changed file
    warnings: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None  # after a permanent redirect
    skipped: str | None = None  # not asked this time, and why (Retry-After, 410)
    retry_after: datetime | None = None  # the server asked not to be asked before this
    gone: bool = False  # HTTP 410: stop asking
    files: dict[str, tuple[int, int]] | None = None  # folder: files read or unchanged
    unchanged_files: int = 0  # folder: files not read again (not touched since)


@dataclass(frozen=True, slots=True)
class CollectResult:
    reports: tuple[SourceReport, ...]

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for r in self.reports for a in r.articles)

    @property
    def failures(self) -> tuple[SourceFailure, ...]:
        return tuple(r.failure for r in self.reports if r.failure)


@dataclass(frozen=True, slots=True)
class StoreResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    title: dict[str, str]  # locale -> label
    terms: tuple[str, ...]
    min_score: int = 2
    color: str = "#2b6cb0"
    exclude: tuple[str, ...] = ()  # terms whose matches cancel the hits lying inside them
    patterns: tuple[str, ...] = ()  # regular expressions on the folded text, counted as terms

    def label(self, locale: str) -> str:
        return self.title.get(locale) or self.title.get("en") or next(iter(self.title.values()))


@dataclass(frozen=True, slots=True)
class TermHit:
    term: str
    where: str  # "title" or "text"
    matched: str  # the text that matched


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    theme_id: str
    score: int
    hits: tuple[TermHit, ...]


@dataclass(frozen=True, slots=True)
class Classification:
    """Every theme that matched an article, best first. Empty means Other."""

    matches: tuple[ThemeMatch, ...]

    @property
    def primary(self) -> str | None:
        return self.matches[0].theme_id if self.matches else None

    @property
    def secondary(self) -> tuple[str, ...]:
        return tuple(m.theme_id for m in self.matches[1:])


@dataclass(frozen=True, slots=True)
class IssueItem:
    article: Article
    tags: tuple[str, ...] = ()  # secondary theme ids
    also: tuple[Article, ...] = ()  # the same story from other sources ("also reported by")


@dataclass(frozen=True, slots=True)
class Section:
    theme_id: str  # "other" for the Other bucket
    title: str
    color: str
    items: tuple[IssueItem, ...]


@dataclass(frozen=True, slots=True)
class Issue:
    list_id: str
    number: int
    created: datetime
    subject: str
    preheader: str
    locale: str
    sections: tuple[Section, ...]
    id: int | None = None

    @property
    def articles(self) -> tuple[Article, ...]:
        """The articles shown, one per story."""
        return tuple(i.article for s in self.sections for i in s.items)

    @property
    def all_articles(self) -> tuple[Article, ...]:
        """Every article the issue carries, "also reported by" included."""
        return tuple(a for s in self.sections for i in s.items for a in (i.article, *i.also))


@dataclass(frozen=True, slots=True)
class RenderedIssue:
    """Rendered once per issue and locale; holds placeholders for per-recipient values."""

    subject: str
    preheader: str
    html: str
    text: str


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    list_id: str
    email: str
    name: str = ""
    locale: str | None = None
    status: str = "active"
    themes: tuple[str, ...] | None = None  # chosen themes; None: every theme of the list
    bounces: int = 0
    updated: datetime | None = None  # when its status or choices last changed


@dataclass(frozen=True, slots=True)
class Delivery:
    issue_id: int
    subscriber_id: int
    email: str
    status: str  # pending | sent | failed | bounced | skipped
    attempts: int = 0
    error: str | None = None
    message_id: str | None = None
    variant: str = ""
