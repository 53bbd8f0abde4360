"""`digest send` SIGKILLed at random points, ten times, then run again: every recipient ends
with exactly one copy, except messages in flight at the kill (at most one per SMTP
connection), which carry the same Message-ID. The counts of each run are printed (in the test log).

The kill points are drawn from a seeded generator (the seed is printed; DIGEST_KILL_SEED
replays a run): some while the process starts or builds the issue, most after a random
number of messages reached the server. A real SQLite file and a real aiosmtpd throughout.
"""

from __future__ import annotations

import functools
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.smtpserver import SmtpServer, start_server
from tests.test_daemon import (
    CONNECTIONS,
    SECRET,
    SlowHandler,
    article,
    cli,
    config,
    copies,
    issues,
    subscribe,
    until,
)

RUNS = 10
RECIPIENTS = 40


@pytest.fixture
def slow_smtp() -> Iterator[SmtpServer]:
    server, controller = start_server(handler_class=SlowHandler)
    try:
        yield server
    finally:
        controller.stop()


def send_in_background(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "-c", "digest.toml", "send", "weekly"],
        cwd=root,
        env={**os.environ, "DIGEST_SECRET": SECRET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_ten_random_sigkills_then_a_rerun_deliver_exactly_once(
    tmp_path: Path, slow_smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():  # the counts belong in the test log, even without -s
        _suite(tmp_path, slow_smtp)


def reached(server: SmtpServer, count: int) -> bool:
    return len(server.messages) >= count


def _suite(tmp_path: Path, slow_smtp: SmtpServer) -> None:
    seed = int(os.environ.get("DIGEST_KILL_SEED", str(time.time_ns() % 1_000_000)))
    rng = random.Random(seed)
    print(f"\nSIGKILL suite: seed {seed} (DIGEST_KILL_SEED={seed} replays it)")
    print("run  kill point                 before  after rerun  recipients  twice  lost")
    problems: list[str] = []
    for run in range(RUNS):
        root = tmp_path / f"run{run}"
        root.mkdir()
        config(root, "0 7 * * mon", smtp_port=slow_smtp.port)
        article(root, f"a{run}")
        recipients = subscribe(root, RECIPIENTS)
        assert cli(root, "collect").returncode == 0
        slow_smtp.clear()
        proc = send_in_background(root)
        target = rng.randint(0, RECIPIENTS - 1)
        if target == 0:
            delay = rng.uniform(0.05, 1.5)
            time.sleep(delay)
            point = f"{delay:.2f}s after start"
        else:
            until(functools.partial(reached, slow_smtp, target), 30, f"{target} messages")
            point = f"after {target} messages"
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=10)
        before = len(slow_smtp.messages)
        if code != -signal.SIGKILL:
            point += " (had finished)"
        rerun = cli(root, "send", "weekly")
        assert rerun.returncode == 0, rerun.stderr
        count, ids = copies(slow_smtp)
        twice = sorted(r for r, n in count.items() if n > 1)
        lost = sorted(set(recipients) - set(count))
        print(
            f"{run:>3}  {point:<26} {before:>6}  {len(slow_smtp.messages):>11}"
            f"  {len(count):>10}  {len(twice):>5}  {len(lost):>4}"
        )
        states = issues(root)
        if len(states) != 1 or states[0][2] != "done":
            problems.append(f"run {run}: issues {states}")
        if lost:
            problems.append(f"run {run}: never got it: {lost}")
        if any(n > 2 for n in count.values()) or len(twice) > CONNECTIONS:
            problems.append(f"run {run}: too many copies: {count.most_common(3)}")
        if any(len(ids[r]) != 1 for r in twice):
            problems.append(f"run {run}: a second copy with another Message-ID: {twice}")
        if set(count) - set(recipients):
            problems.append(f"run {run}: mail to strangers: {set(count) - set(recipients)}")
    assert not problems, "\n".join(problems)
