from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from digest import mail

TOKEN = "4.m70xp0YGU1zjWSG6i3dBwHoKYd-dmC4IWAkAa7PXPm8"


def build(
    subject: str = "La lettre du lundi n°1 — 24 novembre 2026", to_name: str = "Camille"
) -> bytes:
    msg = mail.build(
        from_addr="Digest <digest@example.org>",
        to="camille@example.org",
        to_name=to_name,
        subject=subject,
        html="<p>é</p>",
        text="é\n",
        message_id=mail.message_id("weekly-fr", 1, "camille@example.org", "digest@example.org"),
        date=datetime(2026, 11, 24, 7, tzinfo=UTC),
        list_id=mail.list_id_header("La lettre du lundi", "weekly-fr", "https://news.example.org"),
        unsubscribe_url=f"https://news.example.org/u/{TOKEN}",
        unsubscribe_mailto=mail.unsubscribe_mailto("Digest <digest@example.org>", TOKEN),
    )
    return msg.as_bytes()


def test_list_unsubscribe_is_two_plain_uris_never_encoded_words() -> None:
    raw = build()
    assert b"=?utf-8?q?=3Cmailto" not in raw
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    value = " ".join(str(parsed["List-Unsubscribe"]).split())
    assert value == (
        f"<https://news.example.org/u/{TOKEN}>, "
        f"<mailto:digest@example.org?subject=unsubscribe%20{TOKEN}>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] == "La lettre du lundi <weekly-fr.news.example.org>"


def test_headers_decode_and_message_id_is_stable() -> None:
    parsed = email.message_from_bytes(build(), policy=email.policy.default)
    assert parsed["Subject"] == "La lettre du lundi n°1 — 24 novembre 2026"
    assert parsed["To"] == "Camille <camille@example.org>"
    assert parsed["Message-ID"] == mail.message_id(
        "weekly-fr", 1, "CAMILLE@example.org", "Digest <digest@example.org>"
    )
    assert parsed.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in parsed.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parsed.iter_parts())


def test_no_header_injection_from_a_subject_or_a_name() -> None:
    raw = build(subject="Hello\r\nBcc: evil@example.com", to_name="Eve\nBcc: x@example.com")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Hello Bcc: evil@example.com"
