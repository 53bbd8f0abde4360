"""A real HTTP server for feed tests: ThreadingHTTPServer on 127.0.0.1, routes you register.

Use the `feed_server` fixture (import it into a test module):

    from tests.helpers.feedserver import feed_server  # noqa: F401

    def test_x(feed_server):
        feed_server.serve("/feed.xml", RSS, etag='"v1"')
        ... fetch feed_server.url("/feed.xml") ...
        assert feed_server.requests_to("/feed.xml")[0].headers["User-Agent"].startswith("digest/")

Every request is recorded (method, path, headers). The server shuts down cleanly at teardown:
open connections are closed and every handler thread is joined, so no socket is left for a
ResourceWarning.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    """One request as the server got it."""

    method: str
    path: str
    headers: Message

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since matches exactly
    chunks: Callable[[], Iterator[bytes]] | None = None  # streamed with chunked encoding
    delay: float = 0.0  # seconds to sleep before each chunk


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins every handler thread
    allow_reuse_address = True

    def __init__(self, owner: FeedServer) -> None:
        self.owner = owner
        super().__init__((HOST, 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-body (size cap, timeout) is expected here; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 10  # a stuck client cannot hold a handler thread forever

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._untrack(self.connection)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        owner._record(Request(self.command, self.path, self.headers))
        route = owner._route(path)
        if route is None:
            self._plain(404, b"not found\n", send_body)
            return
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (route.etag and inm and route.etag in [t.strip() for t in inm.split(",")]) or (
            route.last_modified and ims == route.last_modified
        ):
            self.send_response(304)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        if route.chunks is not None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if not send_body:
                return
            for chunk in route.chunks():
                if route.delay and owner._stopping.wait(route.delay):
                    self.close_connection = True
                    return
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        if "Content-Length" not in route.headers:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(route.body)

    def _plain(self, status: int, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class FeedServer:
    """Start with `start()`, stop with `stop()`; or use the `feed_server` fixture."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._requests: list[Request] = []
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> FeedServer:
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # wake handlers blocked on a keep-alive read
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._server.server_close()  # joins handler threads
        if self._thread is not None:
            self._thread.join(5)
        self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    # routes

    def serve(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str | None = "application/rss+xml",
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> str:
        """Serve fixed bytes. Returns the route's full URL."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers.setdefault("Content-Type", content_type)
        self._add(path, Route(status, body, all_headers, etag, last_modified))
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        """`to` may be a path on this server, a full URL, or any raw Location value."""
        self._add(path, Route(status, b"", {"Location": to, "Content-Type": "text/plain"}))
        return self.url(path)

    def error(self, path: str, status: int, body: bytes = b"error\n") -> str:
        return self.serve(path, body, status=status, content_type="text/plain")

    def stream(
        self,
        path: str,
        chunks: Callable[[], Iterator[bytes]],
        *,
        delay: float = 0.0,
        content_type: str = "application/rss+xml",
        headers: dict[str, str] | None = None,
    ) -> str:
        """Chunked body without Content-Length, sleeping `delay` s before each chunk."""
        all_headers = {"Content-Type": content_type, **(headers or {})}
        self._add(path, Route(200, b"", all_headers, chunks=chunks, delay=delay))
        return self.url(path)

    def oversized(self, path: str, size: int, chunk: int = 256 * 1024) -> str:
        """`size` bytes of a never-ending-looking feed, streamed without Content-Length."""

        def gen() -> Iterator[bytes]:
            yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
            sent = 0
            piece = b"<!-- " + b"x" * (chunk - 9) + b" -->"
            while sent < size:
                yield piece
                sent += len(piece)

        return self.stream(path, gen)

    # what was received

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    # internals

    def _add(self, path: str, route: Route) -> None:
        assert path.startswith("/"), path
        with self._lock:
            self._routes[path] = route

    def _route(self, path: str) -> Route | None:
        with self._lock:
            return self._routes.get(path)

    def _record(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.add(conn)
        if self._stopping.is_set():  # accepted just as stop() took its snapshot
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.discard(conn)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


def slow_chunks(body: bytes, parts: int) -> Callable[[], Iterator[bytes]]:
    """`body` split into `parts` pieces, for FeedServer.stream(..., delay=...)."""
    size = max(1, -(-len(body) // parts))

    def gen() -> Iterator[bytes]:
        for i in range(0, len(body), size):
            yield body[i : i + size]

    return gen


def wait_until(check: Callable[[], bool], timeout: float = 2.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.01)
    return check()
