"""DKIM: every message signed with the key in [dkim], verifiable against its public key."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from digest import config, pipeline, store, subscribers
from digest.errors import ConfigError
from digest.models import Article, CollectResult, SourceReport
from tests.helpers.smtpserver import SmtpServer, start_server

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def dns_for(key: rsa.RSAPrivateKey) -> Any:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)

    def txt(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"mail2026._domainkey.example.org." else None

    return txt


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server, controller = start_server()
    try:
        yield server
    finally:
        controller.stop()


def site(tmp_path: Path, key: rsa.RSAPrivateKey, delivery: str) -> config.Config:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "dkim.pem").write_bytes(pem)
    (tmp_path / "digest.toml").write_text(
        f"""
[digest]
database = "d.db"
[[themes]]
id = "russia"
terms = ["Russia*"]
[[lists]]
id = "weekly"
from = "Digest <digest@example.org>"
[dkim]
domain = "example.org"
selector = "mail2026"
key_file = "dkim.pem"
{delivery}
""",
        encoding="utf-8",
    )
    return config.load(tmp_path / "digest.toml")


def send_one(cfg: config.Config) -> None:
    engine = store.open_engine(cfg.settings.database)
    art = Article(
        key="a",
        source="Wire",
        title="Russia — l’été",
        url="https://e.org/a",
        published=NOW - timedelta(minutes=1),
        excerpt="Été, Россия, 북한.",
        text="x",
        content_hash="a",
    )
    store.save_collect(engine, CollectResult((SourceReport("Wire", (art,)),)), NOW)
    subscribers.add(engine, "weekly", "reader@example.net", NOW)
    assert asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW)).sent == 1


def test_signed_in_the_outbox_and_verifiable(
    tmp_path: Path, key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_SECRET", "dkim")
    cfg = site(tmp_path, key, '[delivery]\ntransport = "outbox"\noutbox_dir = "outbox"')
    send_one(cfg)
    (path,) = (tmp_path / "outbox").rglob("*.eml")
    raw = path.read_bytes()
    assert raw.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;")
    signed = raw.split(b"\r\n\r\n", 1)[0].split(b" h=", 1)[1].split(b";", 1)[0].lower()
    assert b"list-unsubscribe-post" in signed and b"list-unsubscribe" in signed
    assert dkim.verify(raw, dnsfunc=dns_for(key))
    assert not dkim.verify(raw.replace(b"Russia", b"Prussia", 1), dnsfunc=dns_for(key))


def test_signed_as_received_over_smtp(
    tmp_path: Path, key: rsa.RSAPrivateKey, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_SECRET", "dkim")
    cfg = site(
        tmp_path,
        key,
        f'[delivery]\ntransport = "smtp"\n[smtp]\nhost = "127.0.0.1"\n'
        f'port = {smtp.port}\nsecurity = "none"',
    )
    send_one(cfg)
    (got,) = smtp.messages
    assert got.mail_from == "digest@example.org"
    assert dkim.verify(got.content, dnsfunc=dns_for(key))


def test_a_missing_key_file_is_a_config_error(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    site(tmp_path, key, "")
    (tmp_path / "dkim.pem").unlink()
    with pytest.raises(ConfigError, match=r"dkim.key_file: no such file: .*dkim.pem"):
        config.load(tmp_path / "digest.toml")
