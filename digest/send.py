"""Send a stored issue: walk the ledger, one committed result per recipient.

Transports: `outbox` writes one .eml per recipient to a folder; `smtp` hands messages to an
SMTP server over one persistent aiosmtplib connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from digest.config import Config, SmtpSettings
from digest.errors import DeliveryError
from digest.models import Delivery

RETRIES = 3
BACKOFF = 0.5  # seconds, doubled per retry


class PermanentFailure(DeliveryError):
    """The server refused this message for good (5xx)."""


class TemporaryFailure(DeliveryError):
    """Try again later (4xx, a dropped connection)."""


Message = EmailMessage | bytes  # bytes: exactly what goes on the wire (say, DKIM-signed)


class Transport(Protocol):
    async def open(self) -> None: ...
    async def send(self, msg: Message, recipient: str, sender: str = "") -> None: ...
    async def close(self) -> None: ...


@dataclass
class OutboxTransport:
    """Writes `<outbox>/<list>/<number>/<address>.eml`, atomically."""

    folder: Path

    async def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    async def send(self, msg: Message, recipient: str, sender: str = "") -> None:
        name = re.sub(r"[^A-Za-z0-9@._+-]", "_", recipient)[:200] + ".eml"
        path = self.folder / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(msg if isinstance(msg, bytes) else msg.as_bytes())
        os.replace(tmp, path)

    async def close(self) -> None:
        return None


class SmtpTransport:
    """One persistent connection, reopened when the server drops it, and renewed after
    `reconnect_after` messages (0: never)."""

    def __init__(self, settings: SmtpSettings, reconnect_after: int = 0) -> None:
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None
        self.reconnect_after = reconnect_after
        self.sent = 0
        self.connections = 0  # opened so far (for tests and logs)

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

    async def send(self, msg: Message, recipient: str, sender: str = "") -> None:
        if self.reconnect_after and self.sent >= self.reconnect_after:
            await self.close()
        if self.client is None or not self.client.is_connected:
            if self.client is not None:  # dropped (a 421, say): close our side before reopening
                await _shut(self.client)
            await self.open()
            self.connections += 1
            self.sent = 0
        assert self.client is not None
        try:
            if isinstance(msg, bytes):
                await self.client.sendmail(sender, [recipient], msg)
            else:
                await self.client.send_message(msg, recipients=[recipient])
            self.sent += 1
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
            await _shut(self.client)  # the socket may still be open on our side
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
        return SmtpTransport(config.smtp, config.delivery.reconnect_after)
    return OutboxTransport(config.delivery.outbox_dir / list_id / f"{number:04d}")


@dataclass(frozen=True, slots=True)
class Result:
    sent: bool
    attempts: int
    error: str | None = None
    permanent: bool = False  # a 5xx: the address is refused for good (a hard bounce)

    @property
    def status(self) -> str:
        return "sent" if self.sent else ("bounced" if self.permanent else "failed")


async def deliver(
    transport: Transport,
    msg: Message,
    recipient: str,
    retries: int = RETRIES,
    sender: str = "",
) -> Result:
    """Send one message, retrying temporary failures with exponential backoff.

    A transport that cannot connect at all raises DeliveryError: the caller stops and
    leaves the remaining rows pending for the next run."""
    error: str | None = None
    for attempt in range(1, retries + 1):
        try:
            await transport.send(msg, recipient, sender)
            return Result(True, attempt)
        except PermanentFailure as exc:
            return Result(False, attempt, str(exc), permanent=True)
        except TemporaryFailure as exc:
            error = str(exc)
            if attempt < retries:
                await asyncio.sleep(BACKOFF * 2 ** (attempt - 1))
    return Result(False, retries, error)


class RateLimit:
    """At most `per_second` message starts per second across all connections."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next = 0.0
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self.lock:
            loop = asyncio.get_running_loop()
            delay = self.next - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.next = max(self.next, loop.time()) + self.interval


class Ledger:
    """Results go to the ledger in batches, committed on a thread: while one batch is being
    made durable (an fsync), the other connections go on sending, and their results make
    the next batch. A worker waits until its own result is durable (and reported) before
    it sends again, so a kill repeats at most the message in flight on each connection.

    `commit` writes a batch (on the thread); `report` then runs on the event loop, in
    order, for each result of it."""

    def __init__(
        self,
        commit: Callable[[Sequence[tuple[Delivery, Result]]], None],
        report: Callable[[Delivery, Result], None],
    ) -> None:
        self.commit = commit
        self.report = report
        self.waiting: list[tuple[Delivery, Result, asyncio.Future[None]]] = []
        self.writer: asyncio.Task[None] | None = None

    def submit(self, d: Delivery, result: Result) -> asyncio.Future[None]:
        """Hand in a result; the future is done when it is durable (and reported)."""
        loop = asyncio.get_running_loop()
        durable: asyncio.Future[None] = loop.create_future()
        self.waiting.append((d, result, durable))
        if self.writer is None or self.writer.done():
            # Not a task of the workers' group: a worker cancelled while it waits does not
            # stop its result from being written.
            self.writer = loop.create_task(self._write())
        return durable

    async def _write(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting, []
            try:
                await asyncio.to_thread(self.commit, [(d, r) for d, r, _ in batch])
            except Exception as exc:
                for _, _, durable in batch:
                    if not durable.done():
                        durable.set_exception(exc)
                continue
            for d, result, durable in batch:
                try:
                    self.report(d, result)
                except Exception as exc:
                    if not durable.done():
                        durable.set_exception(exc)
                else:
                    if not durable.done():
                        durable.set_result(None)

    async def close(self) -> None:
        """Wait until every result handed in is written; any the writer did not take (it
        was cancelled) is written here."""
        try:
            if self.writer is not None:
                await asyncio.wait([self.writer])
        finally:
            batch, self.waiting = self.waiting, []
            if batch:
                self.commit([(d, r) for d, r, _ in batch])
                for d, result, _ in batch:
                    self.report(d, result)


async def deliver_all(
    pending: Iterable[Delivery],
    compose: Callable[[Delivery], Message | None],
    commit: Callable[[Sequence[tuple[Delivery, Result]]], None],
    report: Callable[[Delivery, Result], None],
    make_transport: Callable[[], Transport],
    connections: int = 1,
    per_second: float = 0.0,
    retries: int = RETRIES,
    stop: asyncio.Event | None = None,
    sender: str = "",
    wanted: Callable[[Delivery], bool] | None = None,
) -> None:
    """Deliver over `connections` transports at once, taking recipients from `pending` as
    they go (it may be a generator reading the ledger in chunks). `compose` gives a
    recipient's message (None: skipped, and it recorded why); `commit` makes a batch of
    results durable and `report` follows for each (see Ledger). A transport that cannot
    connect stops every worker; the rest stays pending.

    Each connection builds its next message while its last result is being made durable;
    `wanted` is asked again just before that message goes (False: skipped, and it recorded
    why), so an unsubscribe that lands in between is still honoured."""
    rows = iter(pending)
    first = list(itertools.islice(rows, max(1, connections)))
    queue = itertools.chain(first, rows)
    limit = RateLimit(per_second)
    ledger = Ledger(commit, report)

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    def take() -> tuple[Delivery, Message] | None:
        """The next recipient to send to, and its message (skipped ones are passed over)."""
        while not stopped():
            d = next(queue, None)
            if d is None:
                return None
            msg = compose(d)
            if msg is not None:
                return d, msg
        return None

    async def worker() -> None:
        transport = make_transport()
        await transport.open()
        try:
            job = take()
            while job is not None and not stopped():  # one built ahead stays pending
                d, msg = job
                if wanted is not None and not wanted(d):
                    job = take()
                    continue
                await limit.wait()
                durable = ledger.submit(d, await deliver(transport, msg, d.email, retries, sender))
                try:
                    # While the result is being made durable, build the next message; it is
                    # not sent before this result is durable, so a kill still repeats at
                    # most one message per connection.
                    await asyncio.sleep(0)  # the ledger's writer hands its batch over first
                    job = take()
                finally:
                    await durable
        finally:
            await transport.close()

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, min(connections, len(first)))):
                group.create_task(worker())
    except* DeliveryError as failures:
        raise failures.exceptions[0] from None
    finally:
        await ledger.close()
