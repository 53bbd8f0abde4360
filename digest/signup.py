"""Double opt-in: a subscribe request makes a pending subscriber and a confirmation email
with a signed link; following it (a POST, so that link scanners cannot confirm) activates.

The answer to a request never says whether the address was on the list already. A pending
request is confirmed within CONFIRM_WITHIN; a new request for the same address renews it
(a new link: the old one stops working) but mails again only after RESEND_AFTER, so a form
cannot be used to flood someone's inbox. An address that left may come back this way: it
is their own, confirmed choice.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from digest import mail, subscribers
from digest.config import LOCALES, Config, MailingList
from digest.errors import NotFound
from digest.i18n import gettext
from digest.models import Subscriber
from digest.store import subscribers as table

CONFIRM_WITHIN = timedelta(days=7)
RESEND_AFTER = timedelta(minutes=10)
PURPOSE = "confirm"


@dataclass(frozen=True, slots=True)
class Request:
    """What the form sent, checked."""

    list_id: str
    email: str
    name: str = ""
    locale: str | None = None
    themes: tuple[str, ...] | None = None


def request(engine: Engine, req: Request, now: datetime) -> Subscriber | None:
    """Record the request; the subscriber to mail a confirmation link to, or None when no
    mail should go (already active, or mailed less than RESEND_AFTER ago)."""
    themes = subscribers.themes_json(req.themes)
    try:
        return _request(engine, req, themes, now)
    except sa.exc.IntegrityError:  # the same address, asked twice at once: one mail is enough
        return None


def _request(engine: Engine, req: Request, themes: str | None, now: datetime) -> Subscriber | None:
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(table).where(table.c.list_id == req.list_id, table.c.email == req.email)
        ).first()
        values = dict(name=req.name, locale=req.locale, themes=themes, updated=now)
        if row is None:
            conn.execute(
                sa.insert(table).values(
                    list_id=req.list_id,
                    email=req.email,
                    status="pending",
                    bounces=0,
                    created=now,
                    **values,
                )
            )
        elif row.status == "active" or (
            row.status == "pending" and now - _aware(row.updated) < RESEND_AFTER
        ):
            return None
        else:
            conn.execute(
                sa.update(table).where(table.c.id == row.id).values(status="pending", **values)
            )
        new = conn.execute(
            sa.select(table).where(table.c.list_id == req.list_id, table.c.email == req.email)
        ).one()
    return subscribers.row_to_subscriber(new)


def token(secret: bytes, sub: Subscriber) -> str:
    """The confirmation link's token: good for this request only (it signs its time)."""
    return subscribers.make_token(secret, sub.id, _purpose(sub))


def confirm(engine: Engine, secret: bytes, tok: str, now: datetime) -> Subscriber | None:
    """Activate the pending subscriber of a genuine, unexpired token. An active subscriber's
    genuine token answers as confirmed again (a second click); anything else is None."""
    sub = pending_for(engine, secret, tok, now)
    if sub is None or sub.status == "active":
        return sub
    with engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.id == sub.id, table.c.status == "pending")
            .values(status="active", bounces=0)
        )
    return subscribers.get(engine, sub.id)


def pending_for(engine: Engine, secret: bytes, tok: str, now: datetime) -> Subscriber | None:
    """The subscriber a genuine confirmation token names, without changing anything."""
    sid = tok.partition(".")[0]
    if not sid.isdigit() or len(sid) > 18:
        return None
    try:
        sub = subscribers.get(engine, int(sid))
    except NotFound:
        return None
    if subscribers.read_token(secret, tok, _purpose(sub)) is None:
        return None
    if sub.status == "active":  # a second click: confirming keeps the token's time
        return sub
    if sub.status != "pending" or sub.updated is None or now - sub.updated > CONFIRM_WITHIN:
        return None
    return sub


def _purpose(sub: Subscriber) -> str:
    stamp = int(sub.updated.timestamp()) if sub.updated else 0
    return f"{PURPOSE}:{sub.list_id}:{stamp}"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_form(fields: dict[str, list[str]], lst: MailingList, theme_ids: Sequence[str]) -> Request:
    """The form's fields, checked; raises DigestError with a message fit for the page."""
    email = subscribers.normalize_email((fields.get("email") or [""])[0][:320])
    name = " ".join((fields.get("name") or [""])[0].split())[:200]
    locale = (fields.get("locale") or [lst.locale])[0]
    if locale not in LOCALES:
        locale = lst.locale
    chosen = tuple(t for t in fields.get("themes", []) if t in theme_ids)
    themes = chosen if chosen and set(chosen) != set(theme_ids) else None
    return Request(lst.id, email, name, locale, themes)


def confirmation(config: Config, sub: Subscriber, url: str, now: datetime) -> EmailMessage:
    """The confirmation email, in the subscriber's language. Transactional: no list headers."""
    lst = config.get_list(sub.list_id)
    locale = sub.locale or lst.locale
    subject = gettext(locale, "Confirm your subscription to %(list)s", list=lst.title)
    intro = gettext(
        locale,
        "Someone, probably you, asked to receive %(list)s at this address.",
        list=lst.title,
    )
    action = gettext(locale, "Confirm my subscription")
    ignore = gettext(
        locale,
        "If it was not you, ignore this email: you will get nothing more from us.",
    )
    text = f"{intro}\n\n{action}:\n{url}\n\n{ignore}\n"
    html = (
        f'<!doctype html><html lang="{locale}"><body style="font:16px/1.5 sans-serif">'
        f"<p>{_esc(intro)}</p>"
        f'<p><a href="{_esc(url)}" style="display:inline-block;padding:12px 20px;'
        f'background:#2b6cb0;color:#fff;border-radius:6px;text-decoration:none">'
        f"{_esc(action)}</a></p><p>{_esc(ignore)}</p></body></html>"
    )
    msg = EmailMessage(policy=mail.POLICY)
    msg["From"] = lst.from_addr
    msg["To"] = sub.email
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("digest-confirm", mail.domain_of(lst.from_addr))
    msg["Auto-Submitted"] = "auto-generated"
    msg["MIME-Version"] = "1.0"
    if lst.reply_to:
        msg["Reply-To"] = lst.reply_to
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


async def send_confirmation(config: Config, sub: Subscriber, secret: bytes, now: datetime) -> None:
    """Mail the confirmation link, through the configured transport. Raises DeliveryError
    (or OSError) when it could not go: the request stays pending, and may be made again."""
    from digest.pipeline import signer_for
    from digest.send import OutboxTransport, SmtpTransport, Transport

    url = f"{config.settings.public_url}/confirm/{token(secret, sub)}"
    msg = confirmation(config, sub, url, now)
    raw = mail.to_bytes(msg, signer_for(config))
    transport: Transport = (
        SmtpTransport(config.smtp)
        if config.delivery.transport == "smtp"
        else OutboxTransport(config.delivery.outbox_dir / sub.list_id / "confirm")
    )
    sender = parseaddr(config.get_list(sub.list_id).from_addr)[1]
    await transport.open()
    try:
        await transport.send(raw, sub.email, sender)
    finally:
        await transport.close()
