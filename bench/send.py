"""Delivery speed: digest's real send path against the raw floor, both to one aiosmtpd sink.

For each size (10k recipients; 100k with --large) the subscribers are imported into a real
SQLite file and one issue is stored and rendered once, then left pending (digest's own
`send_list`, stopped before its first message). For DKIM off and on, two measurements run,
each in a fresh child process against a fresh sink process (aiosmtpd on 127.0.0.1):

  floor  the same number of aiosmtplib connections pushing prebuilt bytes (one message as
         digest builds it for the first recipient) to every recipient: no database, no
         building, no signing.
  real   `pipeline.send_list` resuming that issue: recipients streamed from the ledger,
         each message personalised, built (and signed), sent, its result committed.

The sink runs in its own process so it does not share the GIL with the sender (the machine
has 2 cores: one for the sink, one for the sender, for the floor and the real path alike).
Each child reports its wall time, CPU time and peak RSS (ru_maxrss of that child alone);
the sink reports what it received, which is checked: every recipient exactly once.

The machine is shared and noisy, so each case runs `--rounds` floor/real pairs back to back
(3 at 10k, `--large-rounds` 1 at 100k) and the median of the pairs' ratios is the figure.

    .venv/bin/python bench/send.py            # 10k, DKIM off and on
    .venv/bin/python bench/send.py --large    # also 100k (about 20 minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # the only address this script talks to
NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)
CONNECTIONS = 4  # digest's default [delivery] connections
ARTICLES = 20
CHILD_TIMEOUT = 1800.0  # seconds, for any one child process
TARGET_PLAIN, TARGET_DKIM, TARGET_RSS = 0.90, 0.70, 1.2


# --- the sink --------------------------------------------------------------------------


def run_sink() -> None:
    """aiosmtpd on a free port of 127.0.0.1: accepts everything, keeps only counts. Prints
    its port, and its tally as JSON on SIGTERM."""
    from aiosmtpd.smtp import SMTP

    seen: dict[str, int] = {}
    tally = {"messages": 0, "bytes": 0}

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            tally["messages"] += 1
            tally["bytes"] += len(envelope.original_content or b"")
            for rcpt in envelope.rcpt_tos:
                seen[rcpt] = seen.get(rcpt, 0) + 1
            return "250 OK"

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        handler = Counting()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="sink.invalid", decode_data=False), HOST, 0
        )
        done = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, done.set)
        print(server.sockets[0].getsockname()[1], flush=True)
        await done.wait()
        server.close()
        twice = sum(1 for n in seen.values() if n > 1)
        print(json.dumps(tally | {"recipients": len(seen), "twice": twice}), flush=True)

    asyncio.run(serve())


class Sink:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--sink"], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def stop(self) -> dict[str, int]:
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        return dict(json.loads(out.strip().splitlines()[-1]))


# --- the children ----------------------------------------------------------------------


def peak_rss_kb() -> int:
    """This process's own peak RSS. Linux's ru_maxrss also keeps the high-water mark of the
    parent's memory image this child was forked from (it survives exec), so a large parent
    would show in every child; VmHWM belongs to the process's own address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def report(**figures: Any) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures |= {"cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": peak_rss_kb()}
    print(json.dumps(figures), flush=True)


def child_floor(port: int, message: Path, count: int, connections: int) -> None:
    import aiosmtplib

    raw = message.read_bytes()

    async def push() -> float:
        queue = deque(range(count))

        async def worker() -> None:
            client = aiosmtplib.SMTP(hostname=HOST, port=port, timeout=30)
            await client.connect()
            try:
                while queue:
                    i = queue.popleft()
                    await client.sendmail("digest@example.org", [recipient(i)], raw)
            finally:
                await client.quit()

        started = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for _ in range(connections):
                group.create_task(worker())
        return time.perf_counter() - started

    report(elapsed=asyncio.run(push()), sent=count)


def child_real(config_path: Path) -> None:
    from digest import config, pipeline, store

    cfg = config.load(config_path)
    engine = store.open_engine(cfg.settings.database)
    started = time.perf_counter()
    outcome = asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW, build=False))
    elapsed = time.perf_counter() - started
    report(elapsed=elapsed, sent=outcome.sent, failed=outcome.failed, pending=outcome.pending)


def run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=os.environ | {"DIGEST_SECRET": "bench-secret"},
    )
    if done.returncode:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- the setup -------------------------------------------------------------------------


def recipient(i: int) -> str:
    return f"reader{i:06d}@example.net"


def write_config(folder: Path, port: int, dkim: bool, transport: str = "smtp") -> Path:
    dkim_part = (
        '[dkim]\ndomain = "example.org"\nselector = "bench"\nkey_file = "../dkim.pem"\n'
        if dkim
        else ""
    )
    path = folder / "digest.toml"
    path.write_text(
        f"""
[digest]
title = "World Digest"
database = "digest.db"
public_url = "https://news.example.org"
story_window = "0"
[[themes]]
id = "russia"
title = "Russia"
terms = ["Russia*", "Kremlin"]
[[themes]]
id = "korea"
title = "Korean peninsula"
terms = ["Pyongyang", "North Korea"]
[[themes]]
id = "climate"
title = "Climate"
terms = ["climate"]
[[lists]]
id = "weekly"
title = "The Weekly"
from = "World Digest <digest@example.org>"
[delivery]
transport = "{transport}"
outbox_dir = "outbox"
connections = {CONNECTIONS}
[smtp]
host = "{HOST}"
port = {port}
security = "none"
{dkim_part}""",
        encoding="utf-8",
    )
    return path


def make_key(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def prepare(folder: Path, count: int) -> None:
    """A SQLite file with `count` subscribers and one stored issue, every recipient pending."""
    from digest import config, pipeline, store, subscribers
    from digest.models import Article, CollectResult, SourceReport

    folder.mkdir(parents=True)
    cfg = config.load(write_config(folder, 25, dkim=False, transport="outbox"))
    engine = store.open_engine(cfg.settings.database)
    words = ["Russia", "Pyongyang", "Kremlin", "North Korea", "climate"]
    arts = tuple(
        Article(
            key=f"a{i}",
            source="Wire",
            title=f"{words[i % 5]}: story number {i} of the week, with a longer headline",
            url=f"https://wire.example.org/2026/11/{i}",
            published=NOW - timedelta(hours=i + 1),
            excerpt=("Officials said on Monday that talks would continue next week. " * 4),
            text=("Officials said on Monday that talks would continue next week. " * 12),
            content_hash=f"h{i}",
            site="Wire",
        )
        for i in range(ARTICLES)
    )
    store.save_collect(engine, CollectResult((SourceReport("Wire", arts),)), NOW)
    csv = folder / "subscribers.csv"
    names = ["", "Camille Dupont", "Zoë Ærø", "Kim Min-jun", ""]
    csv.write_text(
        "email,name,locale\n"
        + "".join(
            f"{recipient(i)},{names[i % 5]},{'fr' if i % 10 == 0 else ''}\n" for i in range(count)
        ),
        encoding="utf-8",
    )
    report_ = subscribers.import_csv(engine, "weekly", csv, NOW)
    assert report_.added == count, report_
    stop = asyncio.Event()
    stop.set()  # store the issue and its ledger, send nothing
    outcome = asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW, stop=stop))
    assert outcome.pending == count, outcome
    engine.dispose()


def first_message(folder: Path, dkim: bool) -> bytes:
    """What digest sends to the first recipient, built by the outbox transport."""
    from digest import config, pipeline, store

    work = folder.parent / f"first-{folder.name}-{dkim}"
    shutil.copytree(folder, work)
    cfg = config.load(write_config(work, 25, dkim, transport="outbox"))
    engine = store.open_engine(cfg.settings.database)
    with engine.begin() as conn:  # only the first recipient stays pending
        conn.execute(
            store.deliveries.update()
            .where(store.deliveries.c.email != recipient(0))
            .values(status="skipped")
        )
    outcome = asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW, build=False))
    assert outcome.sent == 1, outcome
    engine.dispose()
    (eml,) = (work / "outbox").rglob("*.eml")
    return eml.read_bytes()


def measure(base: Path, setup: Path, count: int, dkim: bool, round_: int) -> dict[str, Any]:
    """One round: the floor, then the real path, each against a fresh sink."""
    tag = f"{count}-{'dkim' if dkim else 'plain'}"
    message = base / f"message-{tag}.eml"
    if not message.exists():
        message.write_bytes(first_message(setup, dkim))

    sink = Sink()
    try:
        floor = run_child("floor", str(sink.port), str(message), str(count), str(CONNECTIONS))
    finally:
        got = sink.stop()
    assert got["messages"] == count and got["recipients"] == count, got
    floor["bytes"] = got["bytes"] / got["messages"]

    work = base / f"run-{tag}-{round_}"
    shutil.copytree(setup, work)
    sink = Sink()
    try:
        real = run_child("real", str(write_config(work, sink.port, dkim)))
    finally:
        got = sink.stop()
    shutil.rmtree(work, ignore_errors=True)
    assert real["sent"] == count and got["recipients"] == count and not got["twice"], (real, got)
    real["bytes"] = got["bytes"] / got["messages"]
    return {"count": count, "dkim": dkim, "floor": floor, "real": real}


def show(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One line per round, then the medians: the ratio of each round is taken between two
    runs made back to back, so a slow spell of the shared machine touches both."""
    ratios = []
    for row in rounds:
        count, floor, real = row["count"], row["floor"], row["real"]
        f_rate, r_rate = count / floor["elapsed"], count / real["elapsed"]
        ratios.append(r_rate / f_rate)
        print(
            f"{count:>7,} DKIM {'on ' if row['dkim'] else 'off'}  "
            f"floor {f_rate:5.0f} msg/s  real {r_rate:5.0f} msg/s  ratio {ratios[-1]:4.2f}  "
            f"CPU/msg floor {1000 * floor['cpu'] / count:4.2f} "
            f"real {1000 * real['cpu'] / count:4.2f} ms  "
            f"peak RSS real {real['maxrss_kb'] / 1024:5.1f} MB (floor "
            f"{floor['maxrss_kb'] / 1024:.1f})  {real['bytes'] / 1024:.1f} KB/msg",
            flush=True,
        )
    first = rounds[0]
    target = TARGET_DKIM if first["dkim"] else TARGET_PLAIN
    ratio = statistics.median(ratios)
    rss = max(r["real"]["maxrss_kb"] for r in rounds)
    print(
        f"{first['count']:>7,} DKIM {'on ' if first['dkim'] else 'off'}  median ratio "
        f"{ratio:4.2f} over {len(rounds)} round(s) (target {target:.2f}"
        f"{'' if ratio >= target else ', MISSED'}), peak RSS {rss / 1024:.1f} MB",
        flush=True,
    )
    return {"count": first["count"], "dkim": first["dkim"], "maxrss_kb": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--large", action="store_true", help="also 100,000 recipients")
    parser.add_argument("--sizes", type=int, nargs="+", help="recipient counts (default 10000)")
    parser.add_argument("--dkim", choices=["off", "on", "both"], default="both")
    parser.add_argument(
        "--rounds", type=int, default=3, help="floor/real pairs per case, 10k (default 3)"
    )
    parser.add_argument(
        "--large-rounds", type=int, default=1, help="floor/real pairs per case, 100k (default 1)"
    )
    args = parser.parse_args()
    if args.sink:
        return run_sink()
    if args.child:
        kind, *rest = args.child
        if kind == "floor":
            return child_floor(int(rest[0]), Path(rest[1]), int(rest[2]), int(rest[3]))
        return child_real(Path(rest[0]))

    sizes = args.sizes or ([10_000, 100_000] if args.large else [10_000])
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.dkim]
    os.environ["DIGEST_SECRET"] = "bench-secret"
    rows = []
    with tempfile.TemporaryDirectory(prefix="digest-bench-send-") as tmp:
        base = Path(tmp)
        make_key(base / "dkim.pem")
        for count in sizes:
            setup = base / f"setup-{count}"
            started = time.perf_counter()
            prepare(setup, count)
            print(f"setup {count:,}: {time.perf_counter() - started:.1f} s", flush=True)
            rounds = args.rounds if count <= 10_000 else args.large_rounds
            for dkim in modes:
                rows.append(
                    show([measure(base, setup, count, dkim, n) for n in range(max(1, rounds))])
                )
            shutil.rmtree(setup, ignore_errors=True)
    by = {(r["count"], r["dkim"]): r["maxrss_kb"] for r in rows}
    for dkim in modes:
        small, large = by.get((min(sizes), dkim)), by.get((max(sizes), dkim))
        if small and large and len(sizes) > 1:
            growth = large / small
            missed = "" if growth <= TARGET_RSS else ", MISSED"
            print(
                f"peak RSS {max(sizes):,}/{min(sizes):,}, DKIM {'on' if dkim else 'off'}: "
                f"{growth:.2f}x (target <= {TARGET_RSS}x{missed})"
            )


if __name__ == "__main__":
    main()
