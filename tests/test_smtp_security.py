"""SMTP over STARTTLS and implicit TLS with certificate verification, and AUTH, against a
real aiosmtpd using a self-signed CA made for the test (trustme)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from digest.config import SmtpSettings
from digest.errors import DeliveryError
from digest.send import SmtpTransport
from tests.helpers.smtpserver import SmtpServer, start_server

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    return ctx


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == b"digest" and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def serve(**options: Any) -> Iterator[SmtpServer]:
    server, controller = start_server(**options)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def starttls_server(ca: trustme.CA) -> Iterator[SmtpServer]:
    yield from serve(
        tls_context=server_context(ca),
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[SmtpServer]:
    yield from serve(ssl_context=server_context(ca))


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "d@example.org", "a@example.org", "hi"
    msg.set_content("hello")
    return msg


def deliver(settings: SmtpSettings) -> None:
    async def main() -> None:
        transport = SmtpTransport(settings)
        await transport.open()
        try:
            await transport.send(message(), "a@example.org")
        finally:
            await transport.close()

    asyncio.run(main())


def test_starttls_with_verification_and_auth(
    starttls_server: SmtpServer, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PW", PASSWORD)
    deliver(
        SmtpSettings(
            host="127.0.0.1",
            port=starttls_server.port,
            security="starttls",
            username="digest",
            password_env="SMTP_PW",
            ca_file=ca_file,
        )
    )
    (got,) = starttls_server.messages
    assert got.rcpt_tos == ["a@example.org"]


def test_an_untrusted_certificate_is_refused_by_default(
    starttls_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PW", PASSWORD)
    with pytest.raises(DeliveryError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify"):
        deliver(
            SmtpSettings(
                host="127.0.0.1",
                port=starttls_server.port,
                security="starttls",
                username="digest",
                password_env="SMTP_PW",
            )
        )
    assert starttls_server.messages == []


def test_a_wrong_or_missing_password_is_a_clear_error(
    starttls_server: SmtpServer, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = SmtpSettings(
        host="127.0.0.1",
        port=starttls_server.port,
        security="starttls",
        username="digest",
        password_env="SMTP_PW",
        ca_file=ca_file,
    )
    monkeypatch.setenv("SMTP_PW", "wrong")
    with pytest.raises(DeliveryError, match="SMTP login as 'digest' refused: 535"):
        deliver(settings)
    monkeypatch.delenv("SMTP_PW")
    with pytest.raises(DeliveryError, match=r"smtp.password_env \(SMTP_PW\)"):
        deliver(settings)
    assert starttls_server.messages == []


def test_plain_text_is_refused_where_the_server_requires_starttls(
    starttls_server: SmtpServer,
) -> None:
    with pytest.raises(DeliveryError):
        deliver(SmtpSettings(host="127.0.0.1", port=starttls_server.port, security="none"))
    assert starttls_server.messages == []


def test_implicit_tls(tls_server: SmtpServer, ca_file: Path) -> None:
    deliver(SmtpSettings(host="127.0.0.1", port=tls_server.port, security="tls", ca_file=ca_file))
    assert len(tls_server.messages) == 1
