"""Send a stored issue: walk the ledger, one committed result per recipient.

Transports: `outbox` writes one .eml per recipient to a folder; `smtp` hands messages to an
SMTP server over one persistent aiosmtplib connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from digest.config import Config, SmtpSettings
from digest.errors import DeliveryError

RETRIES = 3
BACKOFF = 0.5  # seconds, doubled per retry


class PermanentFailure(DeliveryError):
    """The server refused this message for good (5xx)."""


class TemporaryFailure(DeliveryError):
    """Try again later (4xx, a dropped connection)."""


class Transport(Protocol):
    async def open(self) -> None: ...
    async def send(self, msg: EmailMessage, recipient: str) -> None: ...
    async def close(self) -> None: ...


@dataclass
class OutboxTransport:
    """Writes `<outbox>/<list>/<number>/<address>.eml`, atomically."""

    folder: Path

    async def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    async def send(self, msg: EmailMessage, recipient: str) -> None:
        name = re.sub(r"[^A-Za-z0-9@._+-]", "_", recipient)[:200] + ".eml"
        path = self.folder / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(msg.as_bytes())
        os.replace(tmp, path)

    async def close(self) -> None:
        return None


class SmtpTransport:
    """One persistent connection, reopened when the server drops it."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None

    def _password(self) -> str | None:
        env = self.settings.password_env
        if not self.settings.username:
            return None
        if not env or not os.environ.get(env):
            raise DeliveryError(
                f"smtp.username is set but the password is missing: set the environment "
                f"variable named by smtp.password_env ({env or 'unset'})"
            )
        return os.environ[env]

    def _tls_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(
            cafile=str(self.settings.ca_file) if self.settings.ca_file else None
        )
        if not self.settings.verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    async def open(self) -> None:
        s = self.settings
        password = self._password()
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            timeout=s.timeout,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            tls_context=self._tls_context() if s.security != "none" else None,
        )
        try:
            await client.connect()
            if s.username and password is not None:
                await client.login(s.username, password)
        except aiosmtplib.SMTPAuthenticationError as exc:
            await _shut(client)
            raise DeliveryError(
                f"SMTP login as {s.username!r} refused: {exc.code} {exc.message}"
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            await _shut(client)  # a half-open connection (a failed STARTTLS) is not leaked
            raise DeliveryError(
                f"cannot connect to SMTP {s.host}:{s.port} ({s.security}): {exc}"
            ) from exc
        self.client = client

    async def send(self, msg: EmailMessage, recipient: str) -> None:
        if self.client is None or not self.client.is_connected:
            await self.open()
        assert self.client is not None
        try:
            await self.client.send_message(msg, recipients=[recipient])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            err = exc.recipients[0] if exc.recipients else None
            code = err.code if err else 550
            text = f"{code} {err.message if err else 'recipient refused'}"
            raise (PermanentFailure if code >= 500 else TemporaryFailure)(text) from exc
        except aiosmtplib.SMTPResponseException as exc:
            text = f"{exc.code} {exc.message}"
            raise (PermanentFailure if exc.code >= 500 else TemporaryFailure)(text) from exc
        except (
            aiosmtplib.SMTPServerDisconnected,
            aiosmtplib.SMTPConnectError,
            aiosmtplib.SMTPTimeoutError,
            OSError,
        ) as exc:
            self.client = None
            raise TemporaryFailure(f"connection lost: {exc}") from exc

    async def close(self) -> None:
        if self.client is not None:
            if self.client.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException):
                    await self.client.quit()
            await _shut(self.client)
        self.client = None


async def _shut(client: aiosmtplib.SMTP) -> None:
    """Close the connection and wait (at most 1 s) until the socket is really closed: a TLS
    connection needs a few loop turns to say goodbye."""
    protocol = client.protocol
    client.close()
    for _ in range(100):
        if protocol is None or protocol.transport is None:
            return
        await asyncio.sleep(0.01)


def transport_for(config: Config, list_id: str, number: int) -> Transport:
    if config.delivery.transport == "smtp":
        return SmtpTransport(config.smtp)
    return OutboxTransport(config.delivery.outbox_dir / list_id / f"{number:04d}")


async def deliver(
    transport: Transport,
    msg: EmailMessage,
    recipient: str,
) -> tuple[bool, int, str | None]:
    """Send one message, retrying temporary failures. -> (sent, attempts, error).

    A transport that cannot connect at all raises DeliveryError: the caller stops and
    leaves the remaining rows pending for the next run."""
    error: str | None = None
    for attempt in range(1, RETRIES + 1):
        try:
            await transport.send(msg, recipient)
            return True, attempt, None
        except PermanentFailure as exc:
            return False, attempt, str(exc)
        except TemporaryFailure as exc:
            error = str(exc)
            if attempt < RETRIES:
                await asyncio.sleep(BACKOFF * 2 ** (attempt - 1))
    return False, RETRIES, error
