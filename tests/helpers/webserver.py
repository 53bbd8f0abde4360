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
    """`digest serve`'s app for a project written in `root` (see tests.helpers.project).
    Yields the base URL."""
    from digest import store
    from digest.web import create_app
    from tests.helpers.project import write_project

    cfg = write_project(root, config_text, secret, monkeypatch)
    engine = store.open_engine(cfg.settings.database)
    try:
        with serving(create_app(cfg, engine, secret)) as url:
            yield url
    finally:
        engine.dispose()
