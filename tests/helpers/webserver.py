"""Run an ASGI app under a real uvicorn server on 127.0.0.1, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

RUSSIA_PAGE = "La Russie et le blé - Carnet\n\nLa Russie exporte plus de blé cette année.\n"


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Yields the base URL; stops the server when the block ends."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serving_project(
    root: Path, config_text: str, secret: bytes, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """`digest serve`'s app for a project in `root`: its config, one saved page in
    `pages/` (about Russia, in French) and DIGEST_SECRET set. Yields the base URL."""
    from digest import config, store
    from digest.web import create_app

    (root / "digest.toml").write_text(config_text, encoding="utf-8")
    (root / "pages").mkdir()
    (root / "pages" / "a.txt").write_text(RUSSIA_PAGE, encoding="utf-8")
    monkeypatch.setenv("DIGEST_SECRET", secret.decode())
    cfg = config.load(root / "digest.toml")
    engine = store.open_engine(cfg.settings.database)
    try:
        with serving(create_app(cfg, engine, secret)) as url:
            yield url
    finally:
        engine.dispose()
