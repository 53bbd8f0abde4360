"""Load and validate the TOML config once, into typed objects.

Every problem is collected and reported together, each naming its key path.
Relative paths resolve against the folder of the config file.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import ConfigError
from digest.i18n import available_locales
from digest.models import Theme

DEFAULT_CONFIG_NAME = "digest.toml"
CONFIG_ENV = "DIGEST_CONFIG"
LOCALES = available_locales()  # en, and each catalog in digest/locales/
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
THEME_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PALETTE = ("#2b6cb0", "#c53030", "#2f855a", "#b7791f", "#6b46c1", "#2c7a7b", "#97266d")


@dataclass(frozen=True, slots=True)
class Settings:
    title: str
    database: str  # SQLAlchemy URL
    public_url: str
    secret_env: str
    templates: Path | None
    user_agent_contact: str = ""
    collect_every: float = 1800.0  # seconds between two collections in the daemon
    catch_up: float = 12 * 3600.0  # seconds after a missed send time that it is still sent
    languages: tuple[str, ...] = ()  # ISO 639-1 codes detected in articles; () keeps declared
    story_window: float = 3 * 86400.0  # seconds one story may span; 0: no story clustering
    news_terms: Path | None = None  # more news terms for stories across languages


@dataclass(frozen=True, slots=True)
class CollectSettings:
    """How politely and how far digest fetches."""

    concurrency: int = 8  # requests in flight overall
    per_host: int = 2  # requests in flight to one host
    politeness_seconds: float = 1.0  # between the starts of two requests to one host
    timeout_seconds: float = 20.0  # connect and read, each
    total_seconds: float = 60.0  # one feed, redirects and body included
    max_bytes: int = 10 * 1024 * 1024  # a body over this stops with an error
    failing_after: int = 3  # consecutive failures before a source is flagged
    silent_after_days: int = 14  # days without a new item before a source is flagged


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    type: str  # "rss" | "folder"
    url: str | None = None  # rss: http(s) URL or absolute file path
    path: Path | None = None  # folder
    strip_lines: tuple[str, ...] = ()
    max_items: int = 200
    fetch_full_text: bool = False  # rss: fetch each new article's page for its main text
    themes: tuple[str, ...] = ()  # theme ids for its articles that match no theme by terms


@dataclass(frozen=True, slots=True)
class MailingList:
    id: str
    title: str
    locale: str
    from_addr: str
    schedule: str
    timezone: str
    themes: tuple[str, ...] | None
    other: bool
    max_age_days: int
    max_items: int = 50
    subject: str = ""  # Jinja template; empty means the default
    preheader: str = ""  # Jinja template; empty means the default (the sections and counts)
    reply_to: str | None = None
    send_empty: bool = False  # send an issue even when nothing is new
    languages: tuple[str, ...] | None = None  # only articles in these languages; None: all
    max_per_theme: int | None = None  # stories per section at most; None: no cap


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    transport: str  # "outbox" | "smtp"
    outbox_dir: Path
    connections: int = 4  # SMTP connections used at once
    rate_per_second: float = 0.0  # messages per second at most; 0: as fast as the server takes
    reconnect_after: int = 500  # messages per connection before it is renewed; 0: never
    retries: int = 3  # attempts for a temporary failure (4xx, a dropped connection)
    bounce_limit: int = 3  # hard bounces in a row before a subscriber is marked bounced


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 587
    security: str = "starttls"  # none | starttls | tls
    username: str | None = None
    password_env: str | None = None
    timeout: float = 30.0
    verify: bool = True
    ca_file: Path | None = None


@dataclass(frozen=True, slots=True)
class DkimSettings:
    domain: str
    selector: str
    key_file: Path  # the private key (PEM); keep it readable by digest only


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    settings: Settings
    sources: tuple[Source, ...]
    themes: tuple[Theme, ...]
    lists: tuple[MailingList, ...]
    delivery: DeliverySettings
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    collect: CollectSettings = field(default_factory=CollectSettings)
    dkim: DkimSettings | None = None

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def get_list(self, list_id: str) -> MailingList:
        for lst in self.lists:
            if lst.id == list_id:
                return lst
        known = ", ".join(x.id for x in self.lists) or "none"
        raise ConfigError([f"no list {list_id!r} in the config (lists: {known})"], str(self.path))

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)

    def list_themes(self, lst: MailingList) -> tuple[Theme, ...]:
        if lst.themes is None:
            return self.themes
        by_id = {t.id: t for t in self.themes}
        return tuple(by_id[t] for t in lst.themes)

    def secret(self) -> bytes | None:
        value = os.environ.get(self.settings.secret_env, "")
        return value.encode() if value else None


def find_config(explicit: str | None) -> Path:
    """--config FILE, else $DIGEST_CONFIG, else ./digest.toml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path(DEFAULT_CONFIG_NAME)


def load(path: Path) -> Config:
    path = path.expanduser().resolve()
    if not path.is_file():
        raise ConfigError(
            [
                "file not found; pass --config FILE, set $DIGEST_CONFIG, or create ./digest.toml "
                "(copy config.example.toml)"
            ],
            str(path),
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(path)) from exc
    return _Reader(path).config(data)


class _Reader:
    """Reads sections, recording every problem instead of stopping at the first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.parent
        self.problems: list[str] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def table(self, data: dict[str, Any], key: str, known: set[str]) -> dict[str, Any]:
        value = data.get(key.rsplit(".", 1)[-1], {})
        if not isinstance(value, dict):
            self.fail(key, "expected a table")
            return {}
        self.unknown(value, key, known)
        return value

    def unknown(self, table: dict[str, Any], key: str, known: set[str]) -> None:
        for name in table:
            if name not in known:
                hint = difflib.get_close_matches(name, known, n=1)
                tip = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.fail(f"{key}.{name}" if key else name, f"unknown key{tip}")

    def get(
        self,
        table: dict[str, Any],
        key: str,
        path: str,
        kind: type | tuple[type, ...],
        default: Any = ...,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        if key not in table:
            if default is ...:
                self.fail(f"{path}.{key}", "required key is missing")
                return None
            return default
        value = table[key]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            self.fail(f"{path}.{key}", f"expected {_article(names)}, got {value!r}")
            return None if default is ... else default
        if check and (message := check(value)):
            self.fail(f"{path}.{key}", message)
        return value

    def resolve(self, raw: str) -> Path:
        p = Path(raw).expanduser()
        return p if p.is_absolute() else (self.base / p).resolve()

    def config(self, data: dict[str, Any]) -> Config:
        self.unknown(
            data,
            "",
            {"digest", "sources", "themes", "lists", "delivery", "smtp", "collect", "dkim"},
        )
        settings = self.settings(self.table(data, "digest", _SETTINGS_KEYS))
        sources = self.sources(data.get("sources", []))
        themes = self.themes(data.get("themes", []))
        lists = self.lists(data.get("lists", []), {t.id for t in themes})
        self.check_languages(settings, lists)
        self.check_source_themes(data.get("sources", []), sources, {t.id for t in themes})
        delivery = self.delivery(self.table(data, "delivery", _DELIVERY_KEYS))
        smtp = self.smtp(self.table(data, "smtp", _SMTP_KEYS))
        collect = self.collect(self.table(data, "collect", _COLLECT_KEYS))
        dkim = self.dkim(data) if "dkim" in data else None
        if self.problems:
            raise ConfigError(self.problems, str(self.path))
        return Config(self.path, settings, sources, themes, lists, delivery, smtp, collect, dkim)

    def check_languages(self, settings: Settings, lists: tuple[MailingList, ...]) -> None:
        for i, lst in enumerate(lists):
            for code in lst.languages or ():
                if settings.languages and code not in settings.languages:
                    self.fail(
                        f"lists[{i}].languages",
                        f"{code!r} is not in digest.languages "
                        f"({', '.join(settings.languages)}); add it there so that articles "
                        "can be detected as such",
                    )

    def check_source_themes(
        self, raw: Any, sources: tuple[Source, ...], theme_ids: set[str]
    ) -> None:
        names = [t.get("name") if isinstance(t, dict) else None for t in raw or []]
        for s in sources:
            for tid in s.themes:
                if tid not in theme_ids:
                    i = names.index(s.name) if s.name in names else 0
                    self.fail(
                        f"sources[{i}].themes",
                        f"unknown theme {tid!r} (themes: {', '.join(sorted(theme_ids)) or 'none'})",
                    )

    def dkim(self, data: dict[str, Any]) -> DkimSettings | None:
        t = self.table(data, "dkim", {"domain", "selector", "key_file"})
        domain = self.get(t, "domain", "dkim", str)
        selector = self.get(t, "selector", "dkim", str)
        key = self.get(t, "key_file", "dkim", str)
        if key and not self.resolve(key).is_file():
            self.fail("dkim.key_file", f"no such file: {self.resolve(key)} (a PEM private key)")
        if domain and selector and key:
            return DkimSettings(domain, selector, self.resolve(key))
        return None

    def collect(self, t: dict[str, Any]) -> CollectSettings:
        d = CollectSettings()
        number = (int, float)
        return CollectSettings(
            concurrency=self.get(t, "concurrency", "collect", int, d.concurrency, _positive),
            per_host=self.get(t, "per_host", "collect", int, d.per_host, _positive),
            politeness_seconds=float(
                self.get(
                    t, "politeness_seconds", "collect", number, d.politeness_seconds, _not_negative
                )
            ),
            timeout_seconds=float(
                self.get(t, "timeout_seconds", "collect", number, d.timeout_seconds, _positive)
            ),
            total_seconds=float(
                self.get(t, "total_seconds", "collect", number, d.total_seconds, _positive)
            ),
            max_bytes=self.get(t, "max_bytes", "collect", int, d.max_bytes, _positive),
            failing_after=self.get(t, "failing_after", "collect", int, d.failing_after, _positive),
            silent_after_days=self.get(
                t, "silent_after_days", "collect", int, d.silent_after_days, _positive
            ),
        )

    def settings(self, t: dict[str, Any]) -> Settings:
        db = self.get(t, "database", "digest", str, "digest.db") or "digest.db"
        url = db if "://" in db else f"sqlite:///{self.resolve(db)}"
        public = self.get(t, "public_url", "digest", str, "http://127.0.0.1:8080", check=_http_url)
        templates = self.get(t, "templates_dir", "digest", str, None)
        if "templates" in t:  # the key's first name, still read
            templates = templates or self.get(t, "templates", "digest", str, None)
        every = self.get(t, "collect_every", "digest", str, "30m", check=_duration)
        catch_up = self.get(t, "catch_up", "digest", str, "12h", check=_duration)
        languages = self.get(t, "languages", "digest", list, [], check=_languages)
        window = self.get(t, "story_window", "digest", str, "3d", check=_duration_or_zero)
        terms = self.get(t, "news_terms", "digest", str, None)
        terms_path = self.resolve(terms) if terms else None
        if terms_path is not None:
            from digest.newsterms import news_terms_problem

            if problem := news_terms_problem(terms_path):
                self.fail("digest.news_terms", f"{problem}; see digest/data/news_terms.toml")
        return Settings(
            title=self.get(t, "title", "digest", str, "Digest"),
            database=url,
            public_url=(public or "").rstrip("/"),
            secret_env=self.get(t, "secret_env", "digest", str, "DIGEST_SECRET"),
            templates=self.resolve(templates) if templates else None,
            collect_every=parse_duration(every) if _duration(every or "") is None else 1800.0,
            catch_up=parse_duration(catch_up) if _duration(catch_up or "") is None else 43200.0,
            languages=tuple(c.lower() for c in languages or ()),
            story_window=_story_window(window or ""),
            news_terms=terms_path,
        )

    def sources(self, items: Any) -> tuple[Source, ...]:
        if not isinstance(items, list):
            self.fail("sources", "expected an array of tables ([[sources]])")
            return ()
        out: list[Source] = []
        names: set[str] = set()
        for i, t in enumerate(items):
            key = f"sources[{i}]"
            if not isinstance(t, dict):
                self.fail(key, "expected a table")
                continue
            self.unknown(
                t,
                key,
                {
                    "name",
                    "type",
                    "url",
                    "path",
                    "strip_lines",
                    "max_items",
                    "fetch_full_text",
                    "themes",
                },
            )
            name = self.get(t, "name", key, str)
            if name in names:
                self.fail(f"{key}.name", f"duplicate source name {name!r}")
            names.add(name)
            kind = self.get(t, "type", key, str, check=_one_of("rss", "folder"))
            strip = self.get(t, "strip_lines", key, list, [], check=_regex_list)
            max_items = self.get(t, "max_items", key, int, 200, check=_positive)
            full_text = self.get(t, "fetch_full_text", key, bool, False)
            source_themes = self.get(t, "themes", key, list, [], check=_strings)
            url: str | None = None
            folder: Path | None = None
            if kind == "rss":
                raw = self.get(t, "url", key, str)
                if raw:
                    url = raw if re.match(r"^https?://", raw) else str(self.resolve(raw))
            elif kind == "folder":
                raw = self.get(t, "path", key, str)
                folder = self.resolve(raw) if raw else None
            if name and kind:
                out.append(
                    Source(
                        name,
                        kind,
                        url,
                        folder,
                        tuple(strip or ()),
                        max_items or 200,
                        bool(full_text),
                        tuple(source_themes or ()),
                    )
                )
        return tuple(out)

    def themes(self, items: Any) -> tuple[Theme, ...]:
        if not isinstance(items, list):
            self.fail("themes", "expected an array of tables ([[themes]])")
            return ()
        out: list[Theme] = []
        for i, t in enumerate(items):
            key = f"themes[{i}]"
            if not isinstance(t, dict):
                self.fail(key, "expected a table")
                continue
            self.unknown(
                t, key, {"id", "title", "terms", "min_score", "color", "exclude", "patterns"}
            )
            tid = self.get(t, "id", key, str, check=_theme_id)
            title = self.get(t, "title", key, (str, dict), None)
            if isinstance(title, dict) and not all(isinstance(v, str) for v in title.values()):
                self.fail(f"{key}.title", 'expected a string or a table of locale = "label"')
                title = None
            terms = self.get(t, "terms", key, list, check=_string_list)
            min_score = self.get(t, "min_score", key, int, 2, check=_positive)
            color = self.get(t, "color", key, str, PALETTE[i % len(PALETTE)], check=_color)
            exclude = self.get(t, "exclude", key, list, [], check=_strings)
            patterns = self.get(t, "patterns", key, list, [], check=_regex_list)
            if tid and terms:
                labels = title if isinstance(title, dict) else {"en": title or tid}
                out.append(
                    Theme(
                        tid,
                        dict(labels),
                        tuple(terms),
                        min_score or 2,
                        color,
                        tuple(exclude or ()),
                        tuple(patterns or ()),
                    )
                )
        if len({t.id for t in out}) != len(out):
            self.fail("themes", "theme ids must be unique")
        return tuple(out)

    def lists(self, items: Any, theme_ids: set[str]) -> tuple[MailingList, ...]:
        if not isinstance(items, list):
            self.fail("lists", "expected an array of tables ([[lists]])")
            return ()
        out: list[MailingList] = []
        for i, t in enumerate(items):
            key = f"lists[{i}]"
            if not isinstance(t, dict):
                self.fail(key, "expected a table")
                continue
            self.unknown(t, key, _LIST_KEYS)
            lid = self.get(t, "id", key, str, check=_theme_id)
            themes = self.get(t, "themes", key, list, None, check=_string_list)
            for name in themes or []:
                if name not in theme_ids:
                    self.fail(
                        f"{key}.themes",
                        f"unknown theme {name!r} (themes: "
                        f"{', '.join(sorted(theme_ids)) or 'none'})",
                    )
            lst = MailingList(
                id=lid or "",
                title=self.get(t, "title", key, str, lid or ""),
                locale=self.get(t, "locale", key, str, "en", check=_locale),
                from_addr=self.get(t, "from", key, str, check=_address),
                schedule=self.get(t, "schedule", key, str, "0 7 * * mon", check=_cron),
                timezone=self.get(t, "timezone", key, str, "UTC", check=_timezone),
                themes=tuple(themes) if themes is not None else None,
                other=self.get(t, "other", key, bool, True),
                max_age_days=self.get(t, "max_age_days", key, int, 7, check=_positive),
                max_items=self.get(t, "max_items", key, int, 50, check=_positive),
                subject=self.get(t, "subject", key, str, "", check=_template),
                preheader=self.get(t, "preheader", key, str, "", check=_template),
                reply_to=self.get(t, "reply_to", key, str, None, check=_address),
                send_empty=self.get(t, "send_empty", key, bool, False),
                languages=_lower(self.get(t, "languages", key, list, None, check=_languages)),
                max_per_theme=self.get(t, "max_per_theme", key, int, None, check=_positive),
            )
            if lid:
                out.append(lst)
        if len({x.id for x in out}) != len(out):
            self.fail("lists", "list ids must be unique")
        return tuple(out)

    def delivery(self, t: dict[str, Any]) -> DeliverySettings:
        transport = self.get(
            t, "transport", "delivery", str, "outbox", check=_one_of("outbox", "smtp")
        )
        outbox = self.get(t, "outbox_dir", "delivery", str, "out/outbox")
        d = DeliverySettings("outbox", Path())
        return DeliverySettings(
            transport or "outbox",
            self.resolve(outbox or "out/outbox"),
            connections=self.get(t, "connections", "delivery", int, d.connections, _positive),
            rate_per_second=float(
                self.get(
                    t, "rate_per_second", "delivery", (int, float), d.rate_per_second, _not_negative
                )
            ),
            reconnect_after=self.get(
                t, "reconnect_after", "delivery", int, d.reconnect_after, _not_negative
            ),
            retries=self.get(t, "retries", "delivery", int, d.retries, _positive),
            bounce_limit=self.get(t, "bounce_limit", "delivery", int, d.bounce_limit, _positive),
        )

    def smtp(self, t: dict[str, Any]) -> SmtpSettings:
        if "password" in t:
            self.fail(
                "smtp.password",
                "secrets do not belong in the config file; put the "
                "password in an environment variable and name it in smtp.password_env",
            )
        ca = self.get(t, "ca_file", "smtp", str, None)
        return SmtpSettings(
            host=self.get(t, "host", "smtp", str, "127.0.0.1"),
            port=self.get(t, "port", "smtp", int, 587, check=_port),
            security=self.get(
                t, "security", "smtp", str, "starttls", check=_one_of("none", "starttls", "tls")
            ),
            username=self.get(t, "username", "smtp", str, None),
            password_env=self.get(t, "password_env", "smtp", str, None),
            timeout=float(self.get(t, "timeout", "smtp", (int, float), 30.0)),
            verify=self.get(t, "verify", "smtp", bool, True),
            ca_file=self.resolve(ca) if ca else None,
        )


_SETTINGS_KEYS = {
    "title",
    "database",
    "public_url",
    "secret_env",
    "templates",
    "templates_dir",
    "collect_every",
    "catch_up",
    "languages",
    "story_window",
    "news_terms",
}
_SMTP_KEYS = {
    "host",
    "port",
    "security",
    "username",
    "password_env",
    "timeout",
    "verify",
    "ca_file",
    "password",
}
_DELIVERY_KEYS = {
    "transport",
    "outbox_dir",
    "connections",
    "rate_per_second",
    "reconnect_after",
    "retries",
    "bounce_limit",
}
_COLLECT_KEYS = {
    "concurrency",
    "per_host",
    "politeness_seconds",
    "timeout_seconds",
    "total_seconds",
    "max_bytes",
    "failing_after",
    "silent_after_days",
}
_LIST_KEYS = {
    "id",
    "title",
    "locale",
    "from",
    "schedule",
    "timezone",
    "themes",
    "other",
    "max_age_days",
    "max_items",
    "subject",
    "reply_to",
    "preheader",
    "send_empty",
    "languages",
    "max_per_theme",
}


def _article(names: str) -> str:
    return ("an " if names[0] in "aeiou" else "a ") + names


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"expected one of {', '.join(choices)}; got {value!r}"

    return check


def _positive(value: int) -> str | None:
    return None if value > 0 else f"expected a number above 0, got {value}"


def _not_negative(value: float) -> str | None:
    return None if value >= 0 else f"expected 0 or more, got {value}"


def _port(value: int) -> str | None:
    return None if 0 < value < 65536 else f"not a TCP port: {value}"


def _http_url(value: str) -> str | None:
    return None if re.match(r"^https?://[^\s/]+", value) else f"not an http(s) URL: {value!r}"


def _theme_id(value: str) -> str | None:
    return (
        None
        if THEME_ID.match(value)
        else (f"{value!r}: use lowercase letters, digits, '-' and '_'")
    )


def _string_list(value: list[Any]) -> str | None:
    if not value or not all(isinstance(v, str) and v.strip() for v in value):
        return "expected a non-empty list of non-empty strings"
    return None


def _strings(value: list[Any]) -> str | None:
    if not all(isinstance(v, str) and v.strip() for v in value):
        return "expected a list of non-empty strings"
    return None


def _regex_list(value: list[Any]) -> str | None:
    for item in value:
        if not isinstance(item, str):
            return f"expected strings, got {item!r}"
        try:
            re.compile(item)
        except re.error as exc:
            return f"not a regular expression: {item!r} ({exc})"
    return None


def _color(value: str) -> str | None:
    return None if HEX_COLOR.match(value) else f'expected a colour like "#2b6cb0", got {value!r}'


def _locale(value: str) -> str | None:
    if value in LOCALES:
        return None
    return f"unsupported locale {value!r}; supported: {', '.join(LOCALES)}"


def _address(value: str) -> str | None:
    _, addr = parseaddr(value)
    if "@" not in addr or " " in addr:
        return f'not an email address: {value!r} (e.g. "Digest <digest@example.org>")'
    return None


def _cron(value: str) -> str | None:
    from digest.scheduler import cron_trigger

    try:
        cron_trigger(value, "UTC")
    except ValueError as exc:
        return f"not a cron expression: {value!r} ({exc})"
    return None


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


def parse_duration(value: str) -> float:
    """ "90s", "30m", "12h", "1d" -> seconds."""
    m = _DURATION.match(value)
    if not m:
        raise ValueError(value)
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def _template(value: str) -> str | None:
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    try:
        SandboxedEnvironment().parse(value)
    except TemplateSyntaxError as exc:
        return f'not a valid template: {exc.message} (e.g. "{{{{ title }}}} — {{{{ date }}}}")'
    return None


def _story_window(value: str) -> float:
    if _duration_or_zero(value) is not None:
        return 3 * 86400.0  # reported as a problem already
    return 0.0 if _duration(value) is not None else parse_duration(value)


def _duration_or_zero(value: str) -> str | None:
    return None if value.strip() in ("0", "0s", "0m", "0h", "0d") else _duration(value)


def _languages(value: list[Any]) -> str | None:
    from digest.language import supported

    for code in value:
        if not isinstance(code, str) or not supported(code):
            return f'expected ISO 639-1 language codes (e.g. ["en", "fr", "ko"]), got {code!r}'
    return None


def _lower(value: list[str] | None) -> tuple[str, ...] | None:
    return tuple(c.lower() for c in value) if value is not None else None


def _duration(value: str) -> str | None:
    if not _DURATION.match(value) or parse_duration(value) <= 0:
        return f'not a duration: {value!r} (e.g. "90s", "30m", "12h", "1d")'
    return None


def _timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f'unknown time zone {value!r} (e.g. "Europe/Paris")'
    return None
