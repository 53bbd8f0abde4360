"""Build one RFC 5322 message per recipient: multipart/alternative, UTF-8, list headers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from urllib.parse import quote, urlsplit

import dkim

from digest.errors import DeliveryError


def domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2].lower() or "localhost"


def message_id(list_id: str, number: int, email: str, from_addr: str) -> str:
    """Stable per issue and recipient, so a resent message is recognisably the same one."""
    who = hashlib.sha256(email.lower().encode()).hexdigest()[:20]
    return f"<digest.{list_id}.{number}.{who}@{domain_of(from_addr)}>"


def list_id_header(list_title: str, list_id: str, public_url: str) -> str:
    host = urlsplit(public_url).hostname or "localhost"
    return f"{_plain(list_title)} <{list_id}.{host}>"


def unsubscribe_mailto(from_addr: str, token: str) -> str:
    return f"mailto:{parseaddr(from_addr)[1]}?subject={quote('unsubscribe ' + token)}"


# Header lines may run to RFC 5322's 998-character limit, so that a long URL in
# List-Unsubscribe is never folded into an RFC 2047 encoded-word (which breaks it).
POLICY = SMTP.clone(max_line_length=998)


def build(
    *,
    from_addr: str,
    to: str,
    to_name: str,
    subject: str,
    html: str,
    text: str,
    message_id: str,
    date: datetime,
    list_id: str,
    unsubscribe_url: str,
    unsubscribe_mailto: str,
    reply_to: str | None = None,
) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    msg["From"] = from_addr
    msg["To"] = formataddr((_plain(to_name), to)) if to_name else to
    msg["Subject"] = _plain(subject)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["List-Id"] = list_id
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{unsubscribe_mailto}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["MIME-Version"] = "1.0"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


def _plain(value: str) -> str:
    """One line: header injection through a feed title or a name is not possible."""
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"mime-version",
    b"content-type",
    b"reply-to",
)


@dataclass(frozen=True, slots=True)
class Signer:
    """DKIM (RFC 6376): relaxed/relaxed canonicalization, rsa-sha256, an RSA key in PEM."""

    domain: str
    selector: str
    key: bytes

    @classmethod
    def from_file(cls, domain: str, selector: str, path: Path) -> Signer:
        try:
            return cls(domain, selector, path.read_bytes())
        except OSError as exc:
            raise DeliveryError(f"dkim.key_file {path}: {exc.strerror}") from exc

    def sign(self, raw: bytes) -> bytes:
        headers = [h for h in SIGNED_HEADERS if _has_header(raw, h)]
        try:
            header = dkim.sign(
                raw,
                self.selector.encode(),
                self.domain.encode(),
                self.key,
                canonicalize=(b"relaxed", b"relaxed"),
                include_headers=headers,
            )
        except dkim.DKIMException as exc:
            raise DeliveryError(f"DKIM signing failed (dkim.key_file): {exc}") from exc
        return header + raw


def _has_header(raw: bytes, name: bytes) -> bool:
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    return head.startswith(name + b":") or b"\r\n" + name + b":" in head


def to_bytes(msg: EmailMessage, signer: Signer | None = None) -> bytes:
    """The message as sent: CRLF lines, DKIM-signed when a signer is given."""
    raw = msg.as_bytes(policy=POLICY)
    return signer.sign(raw) if signer else raw
