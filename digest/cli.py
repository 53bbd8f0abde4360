"""The command line. Parses arguments, calls the pipeline, prints; no business logic."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from digest import __version__, health, pipeline, scheduler, store, subscribers
from digest import config as config_mod
from digest.errors import ConfigError, DigestError
from digest.models import SourceReport
from digest.render import check_templates, personalise, template_dirs
from digest.themes import explain as theme_scores

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


class State:
    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._config: config_mod.Config | None = None
        self._engine: Any = None

    @property
    def config(self) -> config_mod.Config:
        if self._config is None:
            self._config = config_mod.load(config_mod.find_config(self.config_path))
        return self._config

    @property
    def engine(self) -> Any:
        if self._engine is None:
            self._engine = store.open_engine(self.config.settings.database)
        return self._engine


def command(fn: F) -> F:
    """Pass the State in."""

    @click.pass_obj
    @wraps(fn)
    def wrapper(state: State, *args: Any, **kwargs: Any) -> Any:
        return fn(state, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "-c",
    "config_path",
    metavar="FILE",
    help="Config file. Default: $DIGEST_CONFIG, else ./digest.toml.",
)
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(__version__, prog_name="digest")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """digest: collect feeds and saved pages, group them by theme, and mail a newsletter."""
    ctx.obj = State(config_path)


# --- collect ---------------------------------------------------------------------------


@cli.command()
@command
def collect(state: State) -> None:
    """Fetch every source and store new and updated articles.

    Exits 1 when a source failed; everything the other sources gave is stored."""
    if not _collect(state):
        raise DigestError("some sources failed (named above); the others were collected")


def _collect(state: State) -> bool:
    cfg = state.config
    now = pipeline.now_utc()
    with Progress(
        TextColumn("[bold]collect"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("", total=len(cfg.sources))

        def done(report: SourceReport) -> None:
            bar.update(task, advance=1, description=report.source)

        result, stats = asyncio.run(pipeline.collect(cfg, state.engine, now, done))
    table = Table("source", "new", "updated", "unchanged", "status", title="Collected")
    for report in result.reports:
        s = stats[report.source]
        if report.failure:
            status = "[red]failed: " + _esc(report.failure.reason) + "[/]"
        elif report.skipped:
            status = "[yellow]skipped: " + _esc(report.skipped) + "[/]"
        else:
            status = "not modified" if report.unchanged else "ok"
        table.add_row(_esc(report.source), str(s.new), str(s.updated), str(s.unchanged), status)
    out.print(table)
    for report in result.reports:
        for warning in report.warnings:
            err.print(f"[yellow]warning:[/] {_esc(report.source)}: {_esc(warning)}")
        if report.failure:
            err.print(
                f"[red]error:[/] source {_esc(report.source)!s}: {_esc(report.failure.reason)}"
            )
    return not result.failures


# --- articles ---------------------------------------------------------------------------


@cli.command()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON array, for scripts: with language, every theme's score and story id.",
)
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
@click.option("--source", help="Only this source.")
@command
def articles(state: State, as_json: bool, limit: int, source: str | None) -> None:
    """List stored articles with their language, themes (primary first) and story.

    The story is the id of the article that leads the same story told by several
    sources (among the articles listed); 'digest explain ID' says why.
    """
    cfg = state.config
    found = store.list_articles(state.engine, limit, source)
    classes = [pipeline.classify_for(cfg, a) for a in found]
    by_key = {a.key: a for a in found}
    story = {k: by_key[keys[0]].id for keys in pipeline.stories_of(cfg, found) for k in keys}
    if as_json:
        rows = [
            {
                "id": a.id,
                "source": a.source,
                "title": a.title,
                "url": a.url,
                "published": a.published.isoformat() if a.published else None,
                "language": a.lang,
                "themes": [m.theme_id for m in c.matches],
                "scores": {m.theme_id: m.score for m in theme_scores(a, cfg.themes)},
                "story": story.get(a.key),
            }
            for a, c in zip(found, classes, strict=True)
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("id", "source", "lang", "published", "themes", "story", "title")
    for a, c in zip(found, classes, strict=True):
        table.add_row(
            str(a.id),
            _esc(a.source),
            a.lang or "",
            a.published.date().isoformat() if a.published else "",
            ", ".join(m.theme_id for m in c.matches) or "-",
            str(story.get(a.key) or ""),
            _esc(a.title),
        )
    out.print(table)


@cli.command()
@click.argument("article_ref", metavar="ARTICLE")
@command
def explain(state: State, article_ref: str) -> None:
    """Why ARTICLE (an id, URL or key) lands where it does.

    Every theme's score against its min_score with the terms that matched and where, the
    story it belongs to, and for each list: its section in the next issue, or why it is
    left out.
    """
    from digest.explain import explain as explain_article

    x = explain_article(state.config, state.engine, article_ref, pipeline.now_utc())
    a = x.article
    out.print(f"[bold]{_esc(a.title)}[/]")
    out.print(f"  id {a.id} · {_esc(a.source)} · {_esc(a.url or a.key)}")
    when = a.published.isoformat() if a.published else "undated"
    out.print(f"  language: {a.lang or 'unknown'} · published: {when}")
    out.print("[bold]Themes[/]")
    for t in x.themes:
        mark = "[green]applies[/]" if t.applies else "[dim]below[/]"
        out.print(f"  {t.theme_id}: score {t.score} (min_score {t.min_score}) {mark}")
        for hit in t.match.hits:
            out.print(f"    {_esc(hit.term)!s} in {hit.where}: “{_esc(hit.matched)}”")
    if x.classification.matches and all(m.score == 0 for m in x.classification.matches):
        ids = ", ".join(m.theme_id for m in x.classification.matches)
        out.print(f"  no theme by its terms: the source's themes apply ({ids})")
    elif not x.classification.matches:
        out.print("  no theme applies: the article goes to Other where a list has it")
    else:
        primary, secondary = x.classification.primary, x.classification.secondary
        extra = f"; also tagged {', '.join(secondary)}" if secondary else ""
        out.print(f"  primary theme: {primary}{extra}")
    out.print("[bold]Story[/]")
    if not x.story:
        out.print("  told by no other stored article within the story window")
    for other in x.story:
        out.print(f"  same story: {_esc(other.title)} ({_esc(other.source)}, id {other.id})")
    for line in x.story_why:
        out.print(f"    {_esc(line)}")
    out.print("[bold]Lists[/]")
    for fate in x.lists:
        out.print(f"  {fate.list_id}: {fate.outcome}: {_esc(fate.detail)}")


# --- preview, send, run -----------------------------------------------------------------


@cli.command()
@click.argument("list_id", metavar="LIST")
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    help="Folder to write LIST.html, LIST.txt and LIST.json (subject, preheader, counts, "
    "left out) into; a path ending in .html names the HTML file instead. "
    "Default: out/preview/ beside the config.",
)
@click.option(
    "--as",
    "as_address",
    metavar="ADDRESS",
    help="Preview one subscriber's version: their language and chosen themes.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the HTML in a web browser.")
@command
def preview(
    state: State, list_id: str, out_path: Path | None, as_address: str | None, open_browser: bool
) -> None:
    """Show what the next issue of LIST would hold now. Stores and sends nothing."""
    cfg = state.config
    p, issue, shown_to = pipeline.preview_for(
        cfg, state.engine, list_id, as_address, pipeline.now_utc()
    )
    folder = out_path or cfg.base_dir / "out" / "preview"
    target = folder if folder.suffix in (".html", ".htm") else folder / f"{list_id}.html"
    out.print(f"[bold]{_esc(issue.subject)}[/]")
    out.print(_esc(issue.preheader))
    for section in issue.sections:
        stories = len(section.items)
        told = sum(len(i.also) for i in section.items)
        extra = f" ({told} more as also reported by)" if told else ""
        out.print(f"  {_esc(section.title)}: {stories}{extra}")
    for left in p.left_out:
        out.print(f"  [dim]left out:[/] {_esc(left.article.title)} ({_esc(left.reason)})")
    if not issue.articles:
        out.print(f"Nothing new for {list_id}: the next issue would be empty.")
        return
    rendered = pipeline.render(cfg, issue)
    html, text = personalise(rendered, f"{cfg.settings.public_url}/u/preview", shown_to)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    target.with_suffix(".txt").write_text(text, encoding="utf-8")
    summary = {
        "list": list_id,
        "number": issue.number,
        "subject": rendered.subject,
        "preheader": rendered.preheader,
        "html_bytes": len(html.encode()),
        "sections": [
            {"theme": s.theme_id, "title": s.title, "stories": len(s.items)} for s in issue.sections
        ],
        "left_out": [
            {"id": x.article.id, "title": x.article.title, "reason": x.reason} for x in p.left_out
        ],
    }
    target.with_suffix(".json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    size = len(html.encode())
    out.print(
        f"Preview written: {target} (and {target.with_suffix('.txt').name}, "
        f"{target.with_suffix('.json').name}), {size // 1024} KB of HTML"
    )
    if size > pipeline.GMAIL_CLIP_BYTES:
        err.print(
            f"[yellow]warning:[/] the HTML is {size // 1024} KB; Gmail clips messages "
            f"over {pipeline.GMAIL_CLIP_BYTES // 1024} KB (lower max_items, or trim the "
            "template)"
        )
    if open_browser:
        import webbrowser

        if not webbrowser.open(target.resolve().as_uri()):
            err.print(f"[yellow]warning:[/] no browser found; open {target} yourself")


@cli.command()
@click.argument("list_id", metavar="LIST")
@click.option("--dry-run", is_flag=True, help="Say what would be sent; store and send nothing.")
@click.option(
    "--to",
    "to_address",
    metavar="ADDRESS",
    help="Send one [TEST] copy of the next issue to ADDRESS; store nothing.",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Send again to recipients whose delivery failed (not to bounced ones).",
)
@command
def send(
    state: State, list_id: str, dry_run: bool, to_address: str | None, retry_failed: bool
) -> None:
    """Send the next issue of LIST to its subscribers (or finish an interrupted one)."""
    if to_address:
        cfg = state.config
        sent = asyncio.run(
            pipeline.send_test(cfg, state.engine, list_id, to_address, pipeline.now_utc())
        )
        out.print(f"Test copy of the next {list_id} issue sent to {sent}; nothing stored.")
        return
    if retry_failed:
        count = store.requeue_failed(
            state.engine, state.config.get_list(list_id).id, pipeline.now_utc()
        )
        out.print(f"{count} failed deliveries of {list_id} queued again.")
        if not count:
            return
    _send(state, list_id, dry_run)


def _send(state: State, list_id: str, dry_run: bool) -> None:
    cfg = state.config
    outcome = asyncio.run(
        pipeline.send_list(cfg, state.engine, list_id, pipeline.now_utc(), dry_run)
    )
    if outcome.warning:
        err.print(f"[yellow]warning:[/] {_esc(outcome.warning)}")
    if outcome.note:
        out.print(_esc(outcome.note))
        return
    verb = "resumed" if outcome.resumed else "sent"
    out.print(
        f"Issue {outcome.number} of {list_id} {verb}: {outcome.sent} sent, "
        f"{outcome.failed} failed, {outcome.skipped} skipped, {outcome.pending} pending."
    )
    if cfg.delivery.transport == "outbox":
        folder = cfg.delivery.outbox_dir / list_id / f"{outcome.number:04d}"
        out.print(f"Outbox: {folder}")
    if outcome.failed:
        raise DigestError(f"{outcome.failed} messages failed; see 'digest issues {list_id}'")


@cli.command()
@click.argument("list_id", metavar="LIST")
@command
def run(state: State, list_id: str) -> None:
    """Collect every source, then send the next issue of LIST."""
    state.config.get_list(list_id)
    _collect(state)
    _send(state, list_id, dry_run=False)


@cli.command("issues")
@click.argument("args", nargs=-1, metavar="[LIST] | show ID")
@command
def issues_cmd(state: State, args: tuple[str, ...]) -> None:
    """List issues with their delivery counts, or `show ID` for one issue in full."""
    if args[:1] == ("show",):
        if len(args) != 2 or not args[1].isdigit():
            raise click.UsageError("usage: digest issues show ID (a number from 'digest issues')")
        _show_issue(state, int(args[1]))
        return
    if len(args) > 1:
        raise click.UsageError("usage: digest issues [LIST] | digest issues show ID")
    table = Table(
        "id", "list", "number", "created", "status", "sent", "failed", "pending", "subject"
    )
    for row in store.list_issues(state.engine, args[0] if args else None):
        c = store.delivery_counts(state.engine, row["id"])
        table.add_row(
            str(row["id"]),
            row["list_id"],
            str(row["number"]),
            _when(row["created"]),
            row["status"],
            str(c.get("sent", 0)),
            str(c.get("failed", 0)),
            str(c.get("pending", 0)),
            _esc(row["subject"]),
        )
    out.print(table)


def _show_issue(state: State, issue_id: int) -> None:
    detail = store.issue_detail(state.engine, issue_id)
    issue = detail["issue"]
    out.print(f"[bold]{_esc(issue['subject'])}[/]")
    out.print(
        f"list {issue['list_id']}, number {issue['number']}, created "
        f"{_when(issue['created'])}, {issue['status']}"
    )
    for section in detail["sections"]:
        out.print(f"  {_esc(section['title'])} ({len(section['articles'])})")
        for title, also in zip(section["articles"], section["also"], strict=True):
            out.print(f"    - {_esc(title)}")
            for other in also:
                out.print(f"      also reported: {_esc(other)}")
    table = Table("recipient", "status", "attempts", "error", title="Deliveries")
    for d in detail["deliveries"]:
        table.add_row(d.email, d.status, str(d.attempts), _esc(d.error or ""))
    out.print(table)


# --- subscribers ------------------------------------------------------------------------


@cli.group("subscribers")
def subscribers_cmd() -> None:
    """Manage a list's subscribers: add, import, export, list, show, remove."""


@subscribers_cmd.command("add")
@click.argument("list_id", metavar="LIST")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--locale", help="Language of their email (en, fr). Default: the list's.")
@click.option("--themes", metavar="ID,ID", help="Only these themes' sections. Default: all.")
@command
def subscribers_add(
    state: State, list_id: str, email: str, name: str, locale: str | None, themes: str | None
) -> None:
    """Add ADDRESS to LIST."""
    lst = state.config.get_list(list_id)
    chosen = [t.strip() for t in (themes or "").split(",") if t.strip()]
    sub, outcome = subscribers.add(
        state.engine,
        list_id,
        email,
        pipeline.now_utc(),
        name,
        locale,
        chosen,
        _theme_ids(state, lst),
    )
    out.print(f"{sub.email}: {outcome} on {list_id}")


@subscribers_cmd.command("import")
@click.argument("list_id", metavar="LIST")
@click.argument(
    "csv_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@command
def subscribers_import(state: State, list_id: str, csv_file: Path) -> None:
    """Import a CSV file with columns email,name,locale into LIST."""
    lst = state.config.get_list(list_id)
    report = subscribers.import_csv(
        state.engine, list_id, csv_file, pipeline.now_utc(), _theme_ids(state, lst)
    )
    for problem in report.problems:
        err.print(f"[yellow]skipped:[/] {_esc(problem)}")
    out.print(
        f"Imported into {list_id}: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.problems)} skipped."
    )


@subscribers_cmd.command("export")
@click.argument("list_id", metavar="LIST")
@command
def subscribers_export(state: State, list_id: str) -> None:
    """Write LIST's subscribers as CSV to standard output."""
    state.config.get_list(list_id)
    click.echo(subscribers.export_csv(state.engine, list_id), nl=False)


@subscribers_cmd.command("list")
@click.argument("list_id", metavar="LIST")
@click.option("--status", type=click.Choice(["pending", "active", "unsubscribed", "bounced"]))
@command
def subscribers_list(state: State, list_id: str, status: str | None) -> None:
    """Show LIST's subscribers."""
    state.config.get_list(list_id)
    table = Table("email", "name", "locale", "themes", "status")
    for s in subscribers.list_all(state.engine, list_id, status):
        table.add_row(
            s.email, _esc(s.name), s.locale or "", ", ".join(s.themes or ("all",)), s.status
        )
    out.print(table)


@subscribers_cmd.command("show")
@click.argument("list_id", metavar="LIST")
@click.argument("email")
@command
def subscribers_show(state: State, list_id: str, email: str) -> None:
    """Show one subscriber of LIST: status, language, themes, bounces, latest deliveries."""
    state.config.get_list(list_id)
    sub = subscribers.find(state.engine, list_id, email)
    out.print(f"[bold]{sub.email}[/] on {list_id}")
    out.print(f"  name: {_esc(sub.name) or '-'}")
    out.print(f"  status: {sub.status}")
    language = sub.locale or "the list's"
    out.print(f"  language: {language}")
    out.print(f"  themes: {', '.join(sub.themes or ('all',))}")
    out.print(f"  hard bounces in a row: {sub.bounces}")
    if sub.updated:
        out.print(f"  last change: {sub.updated:%Y-%m-%d %H:%M} UTC")
    rows = subscribers.history(state.engine, sub.id)
    if not rows:
        out.print("  no deliveries yet")
        return
    table = Table("issue", "status", "attempts", "when (UTC)", "error", title="Deliveries")
    for r in rows:
        when = r["updated"]
        table.add_row(
            str(r["number"]),
            str(r["status"]),
            str(r["attempts"]),
            f"{when:%Y-%m-%d %H:%M}" if isinstance(when, datetime) else "",
            _esc(str(r["error"] or "")),
        )
    out.print(table)


@subscribers_cmd.command("remove")
@click.argument("list_id", metavar="LIST")
@click.argument("email")
@command
def subscribers_remove(state: State, list_id: str, email: str) -> None:
    """Unsubscribe ADDRESS from LIST (kept as unsubscribed, so no import re-adds it)."""
    state.config.get_list(list_id)
    sub = subscribers.remove(state.engine, list_id, email, pipeline.now_utc())
    out.print(f"{sub.email}: unsubscribed from {list_id}")


# --- archive ----------------------------------------------------------------------------


@cli.group("archive")
def archive_cmd() -> None:
    """The public archive of sent issues: static web pages and Atom feeds."""


@archive_cmd.command("build")
@click.argument("out_dir", metavar="OUT_DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--list", "list_id", metavar="LIST", help="Only this list. Default: every list.")
@command
def archive_build(state: State, out_dir: Path, list_id: str | None) -> None:
    """Write the sent issues as static files: OUT_DIR/index.html, and per list
    LIST/index.html (newest first), LIST/N.html and LIST/feed.atom.

    The pages carry no address and no unsubscribe token; the feed links to
    public_url/issues/LIST/N, which 'digest serve' answers."""
    from digest import archive

    written = archive.build(state.config, state.engine, out_dir, list_id, pipeline.now_utc())
    table = Table("list", "issues", "folder", title="Archive")
    for w in written:
        table.add_row(w.list_id, str(w.issues), str(w.folder))
    out.print(table)
    out.print(f"Archive written: {out_dir / 'index.html'}")


# --- serve ------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (put a reverse proxy with TLS in front).",
)
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option(
    "--preview/--no-preview",
    default=None,
    help="Serve the live preview of each list's next issue at /preview. "
    "Default: on when HOST is a loopback address (127.0.0.1, ::1, localhost), off "
    "otherwise; on a loopback address it answers only requests to a loopback name.",
)
@command
def serve(state: State, host: str, port: int, preview: bool | None) -> None:
    """Serve unsubscribe links (one-click), web versions of issues, the archive and its
    Atom feeds (/issues/LIST/), /healthz, and the live preview (/preview) when local."""
    import uvicorn

    from digest.livepreview import is_loopback
    from digest.web import create_app

    local = is_loopback(host)
    if preview is None:
        preview = local

    secret = state.config.secret()
    if not secret and not local:
        raise DigestError(
            f"environment variable {state.config.settings.secret_env} "
            "(digest.secret_env) is not set; it verifies unsubscribe links"
        )
    if not secret:  # an editor's local preview: links from real mail will not verify
        err.print(
            f"[yellow]warning:[/] {state.config.settings.secret_env} is not set: using a "
            "development secret, so unsubscribe links from real mail do not work here"
        )
        secret = pipeline.DEV_SECRET
    app = create_app(
        state.config, state.engine, secret, preview=preview, preview_any_host=not local
    )
    out.print(f"Serving on http://{host}:{port} (public_url: {state.config.settings.public_url})")
    if preview:
        out.print(f"Live preview: http://{host}:{port}/preview")
        if not local:
            err.print(
                f"[yellow]warning:[/] the live preview is public on {host}: anyone who can "
                "reach it sees unsent issues and, with ?as=, subscribers' versions"
            )
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


# --- daemon -----------------------------------------------------------------------------


@cli.command()
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines as text or as one JSON object each.",
)
@click.option(
    "--http",
    "http_port",
    type=int,
    metavar="PORT",
    help="Also serve /healthz (with the scheduler's state), unsubscribe and web "
    "versions on 127.0.0.1:PORT.",
)
@command
def daemon(state: State, log_format: str, http_port: int | None) -> None:
    """Run the schedule: collect every collect_every, send each list at its time.

    One daemon per database. SIGTERM/SIGINT finish the message in flight and exit 0;
    SIGHUP reloads the config (a broken one is refused and the old one kept)."""
    from digest.daemon import main as run_daemon

    run_daemon(state.config.path, log_format, http_port)


# --- status -------------------------------------------------------------------------------


@cli.command()
@command
def status(state: State) -> None:
    """Show each source's health and each list's last issue and next run."""
    cfg = state.config
    now = pipeline.now_utc()
    rows = {r["source"]: r for r in store.feed_health(state.engine)}
    sources = Table(
        "source",
        "type",
        "last success",
        "last new item",
        "failures",
        "last error",
        "flag",
        title="Sources",
    )
    for h in health.assess(cfg.sources, rows, cfg.collect, now):
        sources.add_row(
            _esc(h.name),
            h.type,
            _when(h.last_success),
            _when(h.last_new),
            str(h.failures),
            _esc(h.last_error or ""),
            f"[red]{_esc(h.flag)}[/]" if h.flag else "[green]ok[/]",
        )
    out.print(sources)
    lists = Table("list", "last issue", "sent", "failed", "pending", "next run", title="Lists")
    issues_by_list: dict[str, dict[str, Any]] = {}
    for row in store.list_issues(state.engine):
        issues_by_list[row["list_id"]] = row  # the newest wins
    for lst in cfg.lists:
        last = issues_by_list.get(lst.id)
        counts = store.delivery_counts(state.engine, last["id"]) if last else {}
        upcoming = scheduler.next_run(lst, now)
        lists.add_row(
            lst.id,
            f"#{last['number']} {_when(last['created'])} ({last['status']})" if last else "none",
            str(counts.get("sent", 0)),
            str(counts.get("failed", 0)),
            str(counts.get("pending", 0)),
            f"{upcoming:%Y-%m-%d %H:%M %Z}" if upcoming else "-",
        )
    out.print(lists)


def _theme_ids(state: State, lst: config_mod.MailingList) -> set[str]:
    return {t.id for t in state.config.list_themes(lst)}


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "never"


# --- check ------------------------------------------------------------------------------


@cli.command()
@command
def check(state: State) -> None:
    """Validate the config and the templates; say what is missing from the environment."""
    cfg = state.config
    problems = check_templates(template_dirs(cfg.settings.templates))
    for problem in problems:
        err.print(f"[red]template:[/] {_esc(problem)}")
    if not cfg.secret():
        err.print(
            f"[yellow]warning:[/] environment variable {cfg.settings.secret_env} "
            "(digest.secret_env) is not set; sending over SMTP will refuse to start"
        )
    smtp = cfg.smtp
    if (
        cfg.delivery.transport == "smtp"
        and smtp.username
        and not (smtp.password_env and smtp.password_env in os.environ)
    ):
        err.print(
            f"[yellow]warning:[/] smtp.password_env ({smtp.password_env}) is not set "
            "in the environment"
        )
    for lst in cfg.lists:
        if scheduler.risky_dst_hour(lst):
            err.print(
                f"[yellow]warning:[/] lists {lst.id}: schedule '{lst.schedule}' falls "
                f"between 01:00 and 03:59 in {lst.timezone}; daylight-saving nights skip "
                "or repeat that hour (the issue key stops a double send, but a skipped "
                "hour means a late issue): prefer another hour"
            )
    if problems:
        raise DigestError(f"{len(problems)} template problem(s)")
    out.print(
        f"{cfg.path}: OK ({len(cfg.sources)} sources, {len(cfg.themes)} themes, "
        f"{len(cfg.lists)} lists, transport {cfg.delivery.transport})"
    )


def _esc(text: object) -> str:
    return escape(str(text))


def main() -> None:
    verbose = "-v" in sys.argv[1:] or "--verbose" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("Aborted.")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        err.print(
            f"[red]Error:[/] {_esc(exc.path or 'config')}: {len(exc.problems)} problem(s):",
            soft_wrap=True,
        )
        for problem in exc.problems:
            err.print(f"  - {_esc(problem)}")
        if verbose:
            raise
        sys.exit(2)
    except DigestError as exc:
        err.print(f"[red]Error:[/] {_esc(exc)}")
        if verbose:
            raise
        sys.exit(1)
