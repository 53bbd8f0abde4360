"""Run the real `digest` CLI in a subprocess, the way a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_digest(
    cwd: Path,
    *args: str,
    secret: str | None = "test-secret",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m digest ARGS` in `cwd`, with a wide terminal and a clean environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("DIGEST_CONFIG", "DIGEST_SECRET")}
    base["COLUMNS"] = "250"
    if secret is not None:
        base["DIGEST_SECRET"] = secret
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "digest", *args],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
