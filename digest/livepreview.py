"""The live preview in `digest serve`: each list's next issue as `digest preview` builds it.

/preview lists the lists; /preview/LIST shows the email at desktop and phone widths, the
text part, subject, preheader, counts per section and what was left out and why;
`?as=ADDRESS` shows one subscriber's version. Nothing is stored or marked.

The config is read from its file on every page, so an edited label, colour or theme shows
at once; a broken config is shown on the page. The page polls /preview/LIST/version, a
fingerprint of the config file, the templates, the source folders and the database, and
reloads itself when it changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from digest import config as config_mod
from digest import pipeline, store
from digest.collect.files import SUFFIXES
from digest.config import Config
from digest.errors import ConfigError, DigestError
from digest.render import builtin_templates, environment, personalise, template_dirs

MAX_FILES = 5000  # files looked at per fingerprint: a huge folder must not stall the poll
MAX_LEFT_OUT = 300  # left-out articles shown on the page
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
POLL_MS = 1500
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
}


@dataclass(frozen=True, slots=True)
class Watched:
    """What the fingerprint covers, as read from the last config that loaded."""

    config_path: Path
    dirs: tuple[Path, ...]  # templates and source folders (walked, at most MAX_FILES files)
    files: tuple[Path, ...]  # local feed files


def watched(config_path: Path, config: Config | None) -> Watched:
    web = builtin_templates("web")
    if config is None:
        return Watched(config_path, (*template_dirs(None), web), ())
    folders = tuple(s.path for s in config.sources if s.type == "folder" and s.path)
    local = tuple(
        Path(s.url) for s in config.sources if s.type == "rss" and s.url and "://" not in s.url
    )
    return Watched(config_path, (*template_dirs(config.settings.templates), web, *folders), local)


def fingerprint(what: Watched, engine: Engine) -> str:
    """Changes when a watched file or the database changes (files: mtime and size)."""
    digest = hashlib.sha256()
    for path in (what.config_path, *what.files):
        digest.update(f"{path}\0{_stamp(path)}\n".encode())
    budget = MAX_FILES
    for root in what.dirs:
        for name, stamp in _walk(root, budget):
            digest.update(f"{name}\0{stamp}\n".encode())
            budget -= 1
    digest.update(repr(database_state(engine)).encode())
    return digest.hexdigest()[:20]


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _walk(root: Path, budget: int) -> list[tuple[str, tuple[int, int] | None]]:
    """Each directory and file below root (hidden ones skipped), at most `budget` entries."""
    found: list[tuple[str, tuple[int, int] | None]] = [(str(root), _stamp(root))]
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if len(found) >= budget:
                return found
            if not name.startswith("."):
                path = Path(folder, name)
                found.append((str(path), _stamp(path)))
        found.extend((str(Path(folder, d)), _stamp(Path(folder, d))) for d in dirs)
    return found[:budget]


def database_state(engine: Engine) -> tuple[Any, ...]:
    """Counts and high-water marks that move when articles, issues or subscribers do."""
    # TODO(store.py): this reads store's tables directly; a store.change_marker() would own it.
    marks = (
        (store.articles, store.articles.c.updated),
        (store.issues, store.issues.c.id),
        (store.subscribers, store.subscribers.c.id),
    )
    with engine.connect() as conn:
        return tuple(
            tuple(conn.execute(sa.select(sa.func.count(), sa.func.max(col)).select_from(t)).one())
            for t, col in marks
        )


def uncollected(config: Config, engine: Engine) -> list[str]:
    """Files in folder sources that are new or changed since the last collect."""
    seen = {name: s.files or {} for name, s in store.feed_states(engine).items()}
    waiting = []
    for source in config.sources:
        if source.type != "folder" or source.path is None or not source.path.is_dir():
            continue
        known = seen.get(source.name, {})
        for path, stamp in _walk(source.path, MAX_FILES):
            p = Path(path)
            if stamp is None or p.suffix.lower() not in SUFFIXES or not p.is_file():
                continue
            rel = p.relative_to(source.path).as_posix()
            if known.get(rel) != stamp:
                waiting.append(f"{source.name}: {rel}")
    return waiting


def preview_context(
    config: Config, engine: Engine, list_id: str, address: str | None
) -> dict[str, Any]:
    """What the page shows; the same calls as `digest preview LIST [--as ADDRESS]`."""
    p, issue, shown_to = pipeline.preview_for(config, engine, list_id, address, pipeline.now_utc())
    left = [
        dict(
            title=x.article.title,
            source=x.article.source,
            url=x.article.url if _web_link(x.article.url) else None,
            reason=x.reason,
        )
        for x in p.left_out
    ]
    found: dict[str, Any] = dict(
        subject=issue.subject,
        preheader=issue.preheader,
        locale=issue.locale,
        shown_to=shown_to,
        sections=[dict(title=s.title, color=s.color, count=len(s.items)) for s in issue.sections],
        total=len(issue.articles),
        left_out=left[:MAX_LEFT_OUT],
        left_more=max(0, len(left) - MAX_LEFT_OUT),
        uncollected=uncollected(config, engine),
        html=None,
        frame=None,
        text=None,
        size_kb=None,
        too_big=False,
        clip_kb=pipeline.GMAIL_CLIP_BYTES // 1024,
    )
    if issue.articles:
        rendered = pipeline.render(config, issue)
        html, text = personalise(rendered, f"{config.settings.public_url}/u/preview", shown_to)
        size = len(html.encode())
        found.update(
            html=html,
            frame=html.replace("<head>", '<head><base target="_blank">', 1),
            text=text,
            size_kb=size // 1024,
            too_big=size > pipeline.GMAIL_CLIP_BYTES,
        )
    return found


def routes(config_path: Path, engine: Engine, any_host: bool = False) -> list[Route]:
    """The preview's routes. Unless `any_host`, only a loopback Host header is answered
    (a web page elsewhere cannot reach them by DNS rebinding)."""
    last_good: list[Config] = []

    def load() -> Config:
        cfg = config_mod.load(config_path)
        last_good[:] = [cfg]
        return cfg

    def refused(request: Request) -> Response | None:
        host = (request.url.hostname or "").lower()
        if any_host or host in LOOPBACK:
            return None
        return Response("the live preview answers on localhost only", status_code=403)

    def page(template: str, status: int = 200, **values: Any) -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        html = (
            environment((builtin_templates("web"),), "en")
            .get_template(template)
            .render(locale="en", nonce=nonce, poll_ms=POLL_MS, **values)
        )
        csp = (
            "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; "
            f"script-src 'nonce-{nonce}'; connect-src 'self'; frame-src 'self'; "
            "form-action 'self'; frame-ancestors 'self'"
        )
        return HTMLResponse(
            html, status_code=status, headers={**HEADERS, "Content-Security-Policy": csp}
        )

    def index(request: Request) -> Response:
        if (no := refused(request)) is not None:
            return no
        try:
            cfg = load()
        except ConfigError as exc:
            return page("preview_index.html.j2", lists=[], error=_problems(exc))
        lists = [dict(id=lst.id, title=lst.title, locale=lst.locale) for lst in cfg.lists]
        return page("preview_index.html.j2", lists=lists, error=None)

    def one(request: Request) -> Response:
        if (no := refused(request)) is not None:
            return no
        list_id = request.path_params["list_id"]
        address = request.query_params.get("as") or None
        try:
            cfg: Config | None = load()
            problems = None
        except ConfigError as exc:
            cfg, problems = None, _problems(exc)
        # after load(): the fingerprint covers the folders of the config just read
        version = fingerprint(watched(config_path, last_good[0] if last_good else None), engine)
        query = f"?{urlencode({'as': address})}" if address else ""
        common = dict(
            list_id=list_id,
            address=address or "",
            version=version,
            version_url=f"/preview/{list_id}/version",
            html_url=f"/preview/{list_id}/html{query}",
            lists=[dict(id=x.id, title=x.title) for x in cfg.lists] if cfg else [],
            p=None,
        )
        if cfg is None:
            return page("preview.html.j2", error=problems, **common)
        try:
            cfg.get_list(list_id)
        except ConfigError as exc:
            return page("preview.html.j2", 404, error=_problems(exc), **common)
        try:
            found = preview_context(cfg, engine, list_id, address)
        except DigestError as exc:
            return page("preview.html.j2", error=[str(exc)], **common)
        common["p"] = found
        return page("preview.html.j2", error=None, **common)

    def html_only(request: Request) -> Response:
        if (no := refused(request)) is not None:
            return no
        try:
            found = preview_context(
                load(), engine, request.path_params["list_id"], request.query_params.get("as")
            )
        except DigestError as exc:
            return Response(f"{exc}\n", status_code=404, headers=HEADERS, media_type="text/plain")
        if found["html"] is None:
            return Response("the next issue would be empty\n", headers=HEADERS)
        return HTMLResponse(found["html"], headers=HEADERS)

    def version(request: Request) -> Response:
        if (no := refused(request)) is not None:
            return no
        # the files of the config as it is now; when it is broken (the page says so),
        # those of the last one that loaded
        with contextlib.suppress(ConfigError):
            load()
        what = watched(config_path, last_good[0] if last_good else None)
        return JSONResponse({"version": fingerprint(what, engine)}, headers=HEADERS)

    return [
        Route("/preview", index, methods=["GET"]),
        Route("/preview/", index, methods=["GET"]),
        Route("/preview/{list_id}", one, methods=["GET"]),
        Route("/preview/{list_id}/html", html_only, methods=["GET"]),
        Route("/preview/{list_id}/version", version, methods=["GET"]),
    ]


def _web_link(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def _problems(exc: ConfigError) -> list[str]:
    where = f"{exc.path}: " if exc.path else ""
    return [f"{where}{p}" for p in exc.problems] or [str(exc)]


def is_loopback(host: str) -> bool:
    """Whether `digest serve --host HOST` listens on this machine only."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
