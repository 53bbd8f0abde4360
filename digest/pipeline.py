"""One run, as data flows: collect -> store -> select -> themes -> issue -> render -> send.

The CLI, the daemon and the web preview call these functions; none holds business logic.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import make_msgid, parseaddr

from sqlalchemy.engine import Connection, Engine

from digest import cluster as cluster_stage
from digest import collect as collect_stage
from digest import issue as issue_stage
from digest import language, mail, scheduler, send, store, subscribers
from digest.config import Config
from digest.errors import DigestError
from digest.models import (
    Article,
    Classification,
    CollectResult,
    Delivery,
    Issue,
    RenderedIssue,
    SourceReport,
    StoreResult,
    Subscriber,
    TermHit,
    ThemeMatch,
)
from digest.render import RECIPIENT, UNSUBSCRIBE, personalise, render_issue, template_dirs
from digest.themes import classify

DEV_SECRET = b"digest-development-secret-not-for-real-mail"


def now_utc() -> datetime:
    return datetime.now(UTC)


async def collect(
    config: Config,
    engine: Engine,
    now: datetime,
    on_done: Callable[[SourceReport], None] | None = None,
) -> tuple[CollectResult, dict[str, StoreResult]]:
    urls = {s.name: s.url or str(s.path) for s in config.sources}
    result = await collect_stage.collect(
        config.sources,
        now,
        store.feed_states(engine, urls),
        config.settings.public_url,
        on_done,
        settings=config.collect,
        is_known=lambda key, digest_: store.is_known(engine, key, digest_),
    )
    result = with_languages(result, config.settings.languages)
    return result, store.save_collect(engine, result, now, urls)


def with_languages(result: CollectResult, languages: tuple[str, ...]) -> CollectResult:
    """Each article's language, detected among the configured ones (declared otherwise)."""
    if len(languages) < 2:
        return result

    def tagged(a: Article) -> Article:
        return replace(a, lang=language.detect(a.title, a.text or a.excerpt, languages, a.lang))

    return CollectResult(
        tuple(replace(r, articles=tuple(map(tagged, r.articles))) for r in result.reports)
    )


def plan(config: Config, engine: Engine, list_id: str, now: datetime) -> issue_stage.Plan:
    """What the next issue of the list would hold now. Reads only; changes nothing."""
    lst = config.get_list(list_id)
    candidates = store.candidates(engine, lst.id, issue_stage.since(lst, now))
    classes = {a.key: classify_for(config, a) for a in candidates}
    with engine.connect() as conn:
        number = store.next_issue_number(conn, lst.id)
    built = issue_stage.build(
        lst,
        config.list_themes(lst),
        config.settings.title,
        candidates,
        classes,
        number,
        now,
        stories_of(config, candidates),
    )
    since = issue_stage.since(lst, now)
    old = tuple(
        issue_stage.LeftOut(
            a, f"published {a.published:%Y-%m-%d}, older than max_age_days ({lst.max_age_days})"
        )
        for a in store.too_old(engine, lst.id, since)
        if a.published
    )
    sent = tuple(
        issue_stage.LeftOut(a, f"already in issue {number}")
        for a, number in store.already_in_issues(engine, lst.id, since)
    )
    return replace(built, left_out=built.left_out + old + sent)


def classify_for(config: Config, article: Article) -> Classification:
    """The article's themes by their terms; with none, its source's default themes."""
    found = classify(article, config.themes)
    if found.matches:
        return found
    source = config.source(article.source)
    if source is None or not source.themes:
        return found
    hit = TermHit("themes of the source", "source", source.name)
    return Classification(tuple(ThemeMatch(tid, 0, (hit,)) for tid in source.themes))


def stories_of(config: Config, articles: Sequence[Article]) -> list[tuple[str, ...]]:
    """Keys of the articles that tell the same story, grouped (stories of one left out)."""
    window = config.settings.story_window
    if not window or len(articles) < 2:
        return []
    found = cluster_stage.cluster(
        articles, window=timedelta(seconds=window), terms=config.settings.news_terms
    )
    return [c.keys for c in found if len(c.keys) > 1]


def signer_for(config: Config) -> mail.Signer | None:
    """The DKIM signer of [dkim], or None when the config has none."""
    d = config.dkim
    return mail.Signer.from_file(d.domain, d.selector, d.key_file) if d else None


GMAIL_CLIP_BYTES = 102 * 1024  # Gmail clips a message whose HTML is larger


def preview_for(
    config: Config,
    engine: Engine,
    list_id: str,
    address: str | None,
    now: datetime,
) -> tuple[issue_stage.Plan, Issue, str]:
    """The next issue as one subscriber would get it (their language and themes), or as
    the list's own version: (plan, that version, the address to show)."""
    lst = config.get_list(list_id)
    p = plan(config, engine, lst.id, now)
    if address is None:
        return p, p.issue, "subscriber@example.org"
    email = subscribers.normalize_email(address)
    found = [s for s in subscribers.list_all(engine, lst.id) if s.email == email]
    if not found:
        raise DigestError(
            f"{email} is not on list {lst.id} ('digest subscribers list {lst.id}' shows who is)"
        )
    sub = found[0]
    version = issue_stage.variant(
        p.issue, lst, config.themes, config.settings.title, sub.locale or lst.locale, sub.themes
    )
    return p, version, sub.email


def render(config: Config, issue: Issue) -> RenderedIssue:
    lst = config.get_list(issue.list_id)
    return render_issue(
        issue,
        config.themes,
        config.settings.title,
        lst.title,
        config.settings.public_url,
        template_dirs(config.settings.templates),
    )


def secret_for(config: Config) -> tuple[bytes, str | None]:
    """The HMAC secret, and a warning when a development secret stands in for it."""
    secret = config.secret()
    if secret:
        return secret, None
    name = config.settings.secret_env
    if config.delivery.transport == "smtp":
        raise DigestError(
            f"environment variable {name} (digest.secret_env) is not set; it signs "
            "unsubscribe links. Set it to a long random string before sending."
        )
    return DEV_SECRET, (
        f"{name} is not set: using a development secret, so these unsubscribe "
        "links are forgeable. Set it before sending real mail."
    )


@dataclass(frozen=True, slots=True)
class SendOutcome:
    issue_id: int | None
    number: int | None
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0
    resumed: bool = False
    note: str = ""
    warning: str | None = None
    articles: int = 0


async def send_list(
    config: Config,
    engine: Engine,
    list_id: str,
    now: datetime,
    dry_run: bool = False,
    on_sent: Callable[[str, str], None] | None = None,
    period: str | None = None,
    stop: asyncio.Event | None = None,
    build: bool = True,
) -> SendOutcome:
    """Finish the list's unfinished issue; else build and send the issue of the current
    period (one per period, whoever asks). `build=False` only finishes. `stop` set:
    finish the message in flight, leave the rest pending. One sender per list at a time,
    across processes: another one gets a clear DigestError instead of sending twice."""
    lst = config.get_list(list_id)
    try:
        with store.exclusive(engine, f"send-{lst.id}"):
            return await _send_list(
                config, engine, lst.id, now, dry_run, on_sent, period, stop, build
            )
    except store.Busy as exc:
        raise DigestError(
            f"another digest process is sending {lst.id} right now "
            f"({exc.holder}); let it finish: nothing is sent twice"
        ) from None


async def _send_list(
    config: Config,
    engine: Engine,
    list_id: str,
    now: datetime,
    dry_run: bool,
    on_sent: Callable[[str, str], None] | None,
    period: str | None,
    stop: asyncio.Event | None,
    build: bool,
) -> SendOutcome:
    lst = config.get_list(list_id)
    secret, warning = secret_for(config)
    open_issue = store.unfinished_issue(engine, lst.id)
    if open_issue is None:
        if not build:
            return SendOutcome(None, None, note=f"{lst.id}: nothing unfinished")
        period = period or scheduler.current_period(lst, now)
        done = store.issue_for_period(engine, lst.id, period)
        if done is not None:
            upcoming = scheduler.next_run(lst, now)
            return SendOutcome(
                done.id,
                done.number,
                warning=warning,
                note=(
                    f"issue {done.number} of {lst.id} already went out for the period of "
                    f"{period.replace('T', ' ')}; nothing new is sent before the next one"
                    + (f" ({upcoming:%Y-%m-%d %H:%M %Z})" if upcoming else "")
                ),
            )
        p = plan(config, engine, lst.id, now)
        if not p.issue.articles and not lst.send_empty:
            return SendOutcome(
                None,
                None,
                warning=warning,
                note=(
                    f"nothing new for {lst.id} in the last {lst.max_age_days} days; nothing sent"
                ),
            )
        active = subscribers.list_all(engine, lst.id, status="active")
        if not active:
            raise DigestError(
                f"list {lst.id} has no active subscribers; add some with "
                f"'digest subscribers add {lst.id} ADDRESS' or 'import'"
            )
        if dry_run:
            return SendOutcome(
                None,
                p.issue.number,
                pending=len(active),
                warning=warning,
                articles=len(p.issue.articles),
                note=f"dry run: issue {p.issue.number} would go to "
                f"{len(active)} subscribers; nothing stored or sent",
            )
        open_issue = _store_issue(config, engine, p.issue, active, period)
        resumed = False
    else:
        resumed = True
        if dry_run:
            pending = len(store.pending_deliveries(engine, open_issue.id))
            return SendOutcome(
                open_issue.id,
                open_issue.number,
                pending=pending,
                resumed=True,
                warning=warning,
                note=f"dry run: issue {open_issue.number} is unfinished; "
                f"{pending} recipients would get it now",
            )
    counts = await _deliver_issue(config, engine, open_issue, secret, now, on_sent, stop)
    return SendOutcome(
        open_issue.id,
        open_issue.number,
        resumed=resumed,
        warning=warning,
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        skipped=counts.get("skipped", 0),
        pending=counts.get("pending", 0),
    )


async def send_test(
    config: Config, engine: Engine, list_id: str, address: str, now: datetime
) -> str:
    """One copy of the next issue to `address`, marked [TEST]: no issue stored, no ledger."""
    lst = config.get_list(list_id)
    address = subscribers.normalize_email(address)
    issue = plan(config, engine, lst.id, now).issue
    if not issue.articles:
        raise DigestError(f"nothing new for {lst.id}: the next issue would be empty")
    rendered = render(config, issue)
    url = f"{config.settings.public_url}/u/test"
    html, text = personalise(rendered, url, address)
    msg = mail.build(
        from_addr=lst.from_addr,
        to=address,
        to_name="",
        subject=f"[TEST] {rendered.subject}",
        html=html,
        text=text,
        message_id=make_msgid("digest-test", mail.domain_of(lst.from_addr)),
        date=now_utc(),
        list_id=mail.list_id_header(lst.title, lst.id, config.settings.public_url),
        unsubscribe_url=url,
        unsubscribe_mailto=mail.unsubscribe_mailto(lst.from_addr, "test"),
        reply_to=lst.reply_to,
    )
    transport = (
        send.SmtpTransport(config.smtp)
        if config.delivery.transport == "smtp"
        else send.OutboxTransport(config.delivery.outbox_dir / lst.id / "test")
    )
    await transport.open()
    try:
        raw = mail.to_bytes(msg, signer_for(config))
        result = await send.deliver(transport, raw, address, sender=parseaddr(lst.from_addr)[1])
    finally:
        await transport.close()
    if not result.sent:
        raise DigestError(f"the test copy to {address} failed: {result.error}")
    return address


def _store_issue(
    config: Config,
    engine: Engine,
    issue: Issue,
    active: list[Subscriber],
    period: str | None = None,
) -> store.StoredIssue:
    """Render each variant the subscribers need (their language, their themes) and the
    list's own (the web version), then store the frozen issue with its ledger."""
    lst = config.get_list(issue.list_id)
    themes = config.themes
    wanted: dict[str, Issue] = {issue_stage.variant_key(issue.locale): issue}
    recipients = []
    for sub in active:
        locale = sub.locale or lst.locale
        key = issue_stage.variant_key(locale, sub.themes)
        if key not in wanted:
            wanted[key] = issue_stage.variant(
                issue, lst, themes, config.settings.title, locale, sub.themes
            )
        empty = not wanted[key].articles and bool(issue.articles)
        recipients.append(
            store.Recipient(
                sub.id,
                sub.email,
                mail.message_id(lst.id, issue.number, sub.email, lst.from_addr),
                key,
                "nothing in the chosen themes this time" if empty else None,
            )
        )
    parts = []
    for key, version in wanted.items():
        rendered = render(config, version)
        parts.append(
            store.Rendition(key, rendered.subject, rendered.preheader, rendered.html, rendered.text)
        )
    sections = json.dumps(
        [
            {
                "theme": s.theme_id,
                "title": s.title,
                "articles": [
                    {"id": i.article.id, "tags": list(i.tags), "also": [a.id for a in i.also]}
                    for i in s.items
                ],
            }
            for s in issue.sections
        ],
        ensure_ascii=False,
    )
    with engine.begin() as conn:
        issue_id = store.insert_issue(conn, issue, sections, parts, recipients, period)
    return store.StoredIssue(issue_id, lst.id, issue.number, issue.locale)


async def _deliver_issue(
    config: Config,
    engine: Engine,
    stored_issue: store.StoredIssue,
    secret: bytes,
    now: datetime,
    on_sent: Callable[[str, str], None] | None,
    stop: asyncio.Event | None = None,
) -> dict[str, int]:
    issue_id, number = stored_issue.id, stored_issue.number
    lst = config.get_list(stored_issue.list_id)
    list_header = mail.list_id_header(lst.title, lst.id, config.settings.public_url)
    signer = signer_for(config)
    letters: dict[str, mail.Letter] = {}

    def letter(key: str) -> mail.Letter:
        """A version of the issue, made ready once: shared headers folded, bodies encoded."""
        if key not in letters:
            r = store.rendition(engine, issue_id, key)
            letters[key] = mail.Letter(
                from_addr=lst.from_addr,
                subject=r["subject"],
                html=r["html"],
                text=r["text"],
                list_id=list_header,
                reply_to=lst.reply_to,
                markers=PLACEHOLDERS,
                signer=signer,
            )
        return letters[key]

    people: dict[int, Subscriber] = {}

    looking = subscribers.reader(engine)  # held for the send: one read per recipient

    def wanted(d: Delivery) -> bool:
        """Still active? An unsubscribe during the send is honoured (asked again just
        before a message goes)."""
        sub = subscribers.get(looking, d.subscriber_id)
        if sub.status != "active":
            people.pop(sub.id, None)
            store.mark_delivery(engine, d, "skipped", now_utc(), f"subscriber is {sub.status}", 0)
            return False
        people[sub.id] = sub
        return True

    def compose(d: Delivery) -> bytes | None:
        if not wanted(d):
            return None
        sub = people[d.subscriber_id]
        token = subscribers.make_token(secret, sub.id)
        url = f"{config.settings.public_url}/u/{token}"
        html_values, text_values = _placeholder_values(url, sub.email)
        return letter(d.variant).message(
            to=sub.email,
            to_name=sub.name,
            message_id=d.message_id or "",
            date=now_utc(),
            unsubscribe_url=url,
            unsubscribe_mailto=mail.unsubscribe_mailto(lst.from_addr, token),
            html_values=html_values,
            text_values=text_values,
        )

    writer: list[Connection] = []  # the ledger writer's connection, held for the send

    def commit(results: Sequence[tuple[Delivery, send.Result]]) -> None:
        if not writer:
            writer.append(engine.connect())
        marks = [store.Mark(d, r.status, r.error, r.attempts) for d, r in results]
        store.mark_deliveries(writer[0], marks, now_utc())

    def report(d: Delivery, result: send.Result) -> None:
        sub = people.pop(d.subscriber_id)
        if result.permanent:
            subscribers.note_bounce(engine, sub, config.delivery.bounce_limit, now_utc())
        elif result.sent and sub.bounces:
            subscribers.clear_bounces(engine, sub.id)
        if on_sent:
            on_sent(d.email, result.status if result.sent else f"{result.status}: {result.error}")

    smtp = config.delivery.transport == "smtp"
    try:
        await send.deliver_all(
            store.iter_pending(engine, issue_id),
            compose,
            commit,
            report,
            lambda: send.transport_for(config, lst.id, number),
            config.delivery.connections if smtp else 1,  # the outbox gains nothing from more
            config.delivery.rate_per_second,
            config.delivery.retries,
            stop,
            sender=parseaddr(lst.from_addr)[1],
            wanted=wanted,
        )
    finally:
        for conn in writer:
            conn.close()
        looking.close()
    store.finish_issue_if_done(engine, issue_id)
    return store.delivery_counts(engine, issue_id)


PLACEHOLDERS = (UNSUBSCRIBE, RECIPIENT)


def _placeholder_values(url: str, email: str) -> tuple[dict[str, str], dict[str, str]]:
    """Each placeholder's value as the HTML and as the text part want it: personalise()
    applied to the bare placeholder, so the escaping rules stay in one place."""
    html: dict[str, str] = {}
    text: dict[str, str] = {}
    for mark in PLACEHOLDERS:
        html[mark], text[mark] = personalise(RenderedIssue("", "", mark, mark), url, email)
    return html, text
