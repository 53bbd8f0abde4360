"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping every envelope it receives.

Use the `smtp_server` fixture (import it into a test module or a conftest):

    from tests.helpers import smtpserver
    smtp_server = smtpserver.smtp_server

    def test_x(smtp_server):
        ... send to smtp_server.host, smtp_server.port ...
        assert smtp_server.messages[0].rcpt_tos == ["a@example.org"]
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One envelope as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes  # the raw message, exactly as received after DATA

    def message(self) -> EmailMessage:
        msg = BytesParser(policy=policy.default).parsebytes(self.content)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class StoringHandler:
    """aiosmtpd handler: accept every message and keep it."""

    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        with self.lock:
            self.messages.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(raw))
            )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: StoringHandler

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(
    attempts: int = 5, handler_class: type[StoringHandler] | None = None, **options: Any
) -> tuple[SmtpServer, Controller]:
    """Start aiosmtpd on a free port of 127.0.0.1 (retrying if another process took it).

    `options` go to aiosmtpd's Controller (ssl_context for implicit TLS; and SMTP's
    own: tls_context, require_starttls, authenticator, auth_require_tls)."""
    last: Exception | None = None
    for _ in range(attempts):
        handler = (handler_class or StoringHandler)()
        port = _free_port()
        controller = Controller(handler, hostname=HOST, port=port, ready_timeout=10.0, **options)
        try:
            controller.start()
        except (OSError, RuntimeError) as exc:  # the port was taken between bind and start
            last = exc
            continue
        return SmtpServer(HOST, port, handler), controller
    raise RuntimeError(f"could not start the test SMTP server: {last}")


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server, controller = start_server()
    try:
        yield server
    finally:
        controller.stop()
