"""`digest daemon`: collect every `collect_every`, send each list on its schedule, catch up a
missed send within `catch_up`, finish interrupted sends, and stop cleanly on a signal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from digest import config as config_mod
from digest import pipeline, scheduler, store
from digest.errors import DigestError
from digest.render import check_templates, template_dirs

log = logging.getLogger("digest.daemon")
STOP_SECONDS = 30.0  # how long a stop waits for the message in flight


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(fmt: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


@contextlib.contextmanager
def single_instance(engine: Engine) -> Iterator[None]:
    try:
        with store.exclusive(engine, "daemon"):
            yield
    except store.Busy as exc:
        raise DigestError(
            f"another digest daemon is running on this database ({exc.holder}); stop it first"
        ) from None


@dataclass
class Daemon:
    config_path: Path
    config: config_mod.Config
    engine: Engine
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    running: set[asyncio.Task[Any]] = field(default_factory=set)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_tick: datetime | None = None
    sched: AsyncIOScheduler | None = None
    http_task: asyncio.Task[None] | None = None
    # one send at a time: a tick finishing an issue and a scheduled send (or a catch-up)
    # would otherwise walk the same pending rows together and deliver twice
    sending: asyncio.Lock = field(default_factory=asyncio.Lock)

    # --- jobs ----------------------------------------------------------------------------

    async def _tracked(self, name: str, job: Callable[[], Awaitable[None]]) -> None:
        if self.stop.is_set():
            return
        task = asyncio.current_task()
        assert task is not None
        self.running.add(task)
        try:
            await job()
        except DigestError as exc:  # transient: recorded, retried on the next tick
            log.error("%s: %s", name, exc)
        except Exception:
            log.exception("%s: unexpected error; will try again on the next tick", name)
        finally:
            self.running.discard(task)

    async def tick(self) -> None:
        """Collect, then finish any interrupted send (an SMTP outage, a restart)."""

        async def job() -> None:
            now = datetime.now(UTC)
            result, stats = await pipeline.collect(self.config, self.engine, now)
            new = sum(s.new for s in stats.values())
            log.info(
                "collected %d sources: %d new, %d failed",
                len(result.reports),
                new,
                len(result.failures),
            )
            for failure in result.failures:
                log.warning("source %s: %s", failure.source, failure.reason)
            for lst in self.config.lists:
                await self._send(lst.id, build=False)
            self.last_tick = datetime.now(UTC)

        await self._tracked("collect", job)

    async def send_due(self, list_id: str) -> None:
        await self._tracked(f"send {list_id}", lambda: self._send(list_id, build=True))

    async def _send(self, list_id: str, build: bool) -> None:
        async with self.sending:
            if self.stop.is_set():
                return
            outcome = await pipeline.send_list(
                self.config, self.engine, list_id, datetime.now(UTC), stop=self.stop, build=build
            )
        if outcome.note:
            if build:
                log.info("%s", outcome.note)
            return
        log.info(
            "issue %s of %s: %d sent, %d failed, %d skipped, %d pending",
            outcome.number,
            list_id,
            outcome.sent,
            outcome.failed,
            outcome.skipped,
            outcome.pending,
        )

    # --- schedule ------------------------------------------------------------------------

    def schedule(self) -> None:
        """(Re)define every job from the config."""
        assert self.sched is not None
        cfg = self.config
        self.sched.add_job(
            self.tick,
            IntervalTrigger(seconds=cfg.settings.collect_every),
            id="collect",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
        )
        wanted = {"collect"}
        for lst in cfg.lists:
            job_id = f"send:{lst.id}"
            wanted.add(job_id)
            self.sched.add_job(
                self.send_due,
                scheduler.trigger(lst),
                args=[lst.id],
                id=job_id,
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=int(cfg.settings.catch_up),
            )
        for job in self.sched.get_jobs():
            if job.id not in wanted:
                job.remove()

    async def catch_up(self) -> None:
        """A send time missed while down, still within `catch_up`, is sent once now (the
        period key makes it a no-op when that issue already went out)."""
        now = datetime.now(UTC)
        for lst in self.config.lists:
            last = scheduler.previous_run(lst, now)
            if last and (now - last).total_seconds() <= self.config.settings.catch_up:
                log.info("%s: catching up the send of %s", lst.id, scheduler.period_key(lst, last))
                await self.send_due(lst.id)

    def reload(self) -> None:
        try:
            fresh = config_mod.load(self.config_path)
            problems = check_templates(template_dirs(fresh.settings.templates))
            if problems:
                raise DigestError("; ".join(problems))
        except DigestError as exc:
            log.error("config reload refused, keeping the running config: %s", exc)
            return
        self.config = fresh
        self.schedule()
        log.info("config reloaded from %s", self.config_path)

    def status(self) -> dict[str, Any]:
        jobs = self.sched.get_jobs() if self.sched else []
        return {
            "scheduler": "running" if self.sched and self.sched.running else "stopped",
            "started": self.started.isoformat(),
            "last_collect": self.last_tick.isoformat() if self.last_tick else None,
            "jobs": {j.id: j.next_run_time.isoformat() if j.next_run_time else None for j in jobs},
        }

    # --- run -----------------------------------------------------------------------------

    async def run(self, http_port: int | None = None) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._request_stop, sig)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        self.sched = AsyncIOScheduler(timezone=UTC)
        self.sched.start()
        self.schedule()
        server = self._http(http_port) if http_port else None
        log.info(
            "daemon started (pid %d): collect every %ds, lists %s",
            os.getpid(),
            int(self.config.settings.collect_every),
            ", ".join(f"{lst.id} at '{lst.schedule}' {lst.timezone}" for lst in self.config.lists)
            or "none",
        )
        await self.tick()  # collect first, so a catch-up sends what came in meanwhile
        await self.catch_up()
        await self.stop.wait()
        self.sched.shutdown(wait=False)
        if self.running:
            log.info("stopping: finishing %d job(s) in flight", len(self.running))
            await asyncio.wait(list(self.running), timeout=STOP_SECONDS)
        if server is not None:
            server.should_exit = True
        log.info("daemon stopped")

    def _request_stop(self, sig: signal.Signals) -> None:
        log.info("%s received: finishing the message in flight, then stopping", sig.name)
        self.stop.set()

    def _http(self, port: int) -> Any:
        import uvicorn

        from digest.web import create_app

        secret = self.config.secret() or pipeline.DEV_SECRET
        app = create_app(self.config, self.engine, secret, health=self.status)
        server = _quiet_server_class()(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        self.http_task = asyncio.get_running_loop().create_task(server.serve())
        return server


def _quiet_server_class() -> type:
    import uvicorn

    class QuietServer(uvicorn.Server):
        """uvicorn, leaving SIGTERM and SIGINT to the daemon."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return QuietServer


def main(config_path: Path, log_format: str, http_port: int | None) -> None:
    """Start the daemon. Fatal problems (config, templates, lock) raise DigestError."""
    setup_logging(log_format)
    cfg = config_mod.load(config_path)
    problems = check_templates(template_dirs(cfg.settings.templates))
    if problems:
        raise DigestError("templates: " + "; ".join(problems))
    for lst in cfg.lists:
        if scheduler.risky_dst_hour(lst):
            log.warning(
                "%s: schedule '%s' falls between 01:00 and 03:59 in %s, where "
                "daylight-saving nights skip or repeat an hour; the issue key keeps a "
                "repeated run from sending twice",
                lst.id,
                lst.schedule,
                lst.timezone,
            )
    engine = store.open_engine(cfg.settings.database)
    with single_instance(engine):
        asyncio.run(Daemon(config_path, cfg, engine).run(http_port))
