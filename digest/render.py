"""Render an issue: Jinja2 -> MJML -> HTML (mjml-python + css-inline), and text/plain.

Rendered once per issue and locale. Per recipient, only placeholders are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import css_inline
import jinja2
from mjml import mjml2html

from digest.errors import RenderError
from digest.i18n import medium_date, time_ago, translations
from digest.models import Article, Issue, RenderedIssue, Theme

HTML_TEMPLATE = "digest.mjml.j2"
TEXT_TEMPLATE = "digest.txt.j2"
UNSUBSCRIBE = "%%DIGEST:unsubscribe_url%%"
RECIPIENT = "%%DIGEST:email%%"
_MARKER = "%%DIGEST:"
_INLINE_STYLE = re.compile(r"<mj-style\s+inline=\"inline\"\s*>(.*?)</mj-style>", re.S)


def builtin_templates(kind: str = "email") -> Path:
    """templates/<kind> inside the wheel, or at the top of a source checkout."""
    here = Path(__file__).parent
    for candidate in (here / "templates" / kind, here.parent / "templates" / kind):
        if candidate.is_dir() and any(candidate.glob("*.j2")):
            return candidate
    raise RenderError(f"built-in {kind} templates are missing; reinstall digest")


def template_dirs(user_dir: Path | None) -> tuple[Path, ...]:
    """A user's folder first (its files override the built-in ones), then the built-in."""
    dirs = [user_dir] if user_dir else []
    return (*dirs, builtin_templates())


def environment(dirs: tuple[Path, ...], locale: str) -> jinja2.Environment:
    """The Jinja environment for these template folders and locale.

    Jinja reloads a template whose file changed, but not one that a newly added (or
    removed) override in an earlier folder now shadows: so the set of template files is
    part of the cache key, and an added override takes effect at the next render."""
    return _environment(dirs, locale, _listing(dirs))


def _listing(dirs: tuple[Path, ...], cap: int = 2_000) -> tuple[str, ...]:
    """Which template files each folder holds (bounded; a user's folder is small)."""
    names: list[str] = []
    for d in dirs:
        for i, path in enumerate(sorted(d.rglob("*.j2")) if d.is_dir() else ()):
            if i >= cap:
                break
            names.append(str(path))
    return tuple(names)


@lru_cache(maxsize=16)
def _environment(
    dirs: tuple[Path, ...], locale: str, _files: tuple[str, ...]
) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in dirs]),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("mjml.j2", "html.j2", "mjml"),
            default_for_string=True,
            default=False,
        ),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def _untrusted(value: str | None) -> str:
    """Text from a feed or a file may not smuggle in a per-recipient placeholder."""
    return (value or "").replace(_MARKER, "")


def context(
    issue: Issue,
    themes: Sequence[Theme],
    digest_title: str,
    list_title: str,
    public_url: str,
) -> dict[str, Any]:
    labels = {t.id: t.label(issue.locale) for t in themes}
    sections = [
        dict(
            id=s.theme_id,
            title=s.title,
            color=s.color,
            count=len(s.items),
            items=[
                dict(
                    **_article(i.article, issue),
                    tags=[labels.get(t, t) for t in i.tags],
                    also=[_article(a, issue) for a in i.also],
                )
                for i in s.items
            ],
        )
        for s in issue.sections
    ]
    return dict(
        digest_title=digest_title,
        list_title=list_title,
        subject=issue.subject,
        preheader=issue.preheader,
        number=issue.number,
        locale=issue.locale,
        date=medium_date(issue.created, issue.locale),
        sections=sections,
        total=len(issue.articles),
        unsubscribe_url=UNSUBSCRIBE,
        recipient=RECIPIENT,
        web_url=f"{public_url}/issues/{issue.list_id}/{issue.number}",
    )


def _article(article: Article, issue: Issue) -> dict[str, Any]:
    """What the templates show of one article; text from outside is made inert."""
    when = article.published or article.first_seen  # an undated item: when digest met it
    return dict(
        title=_untrusted(article.title),
        url=article.url,
        source=_untrusted(article.site or article.source),
        author=_untrusted(article.author),
        date=medium_date(when, issue.locale) if when else "",
        ago=time_ago(when, issue.created, issue.locale) if when else "",
        excerpt=_untrusted(article.excerpt),
        image=article.image,
    )


def render_issue(
    issue: Issue,
    themes: Sequence[Theme],
    digest_title: str,
    list_title: str,
    public_url: str,
    dirs: tuple[Path, ...],
) -> RenderedIssue:
    env = environment(dirs, issue.locale)
    ctx = context(issue, themes, digest_title, list_title, public_url)
    try:
        mjml_source = env.get_template(HTML_TEMPLATE).render(ctx)
        text = env.get_template(TEXT_TEMPLATE).render(ctx)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            f"template {exc.filename or exc.name}, line {exc.lineno}: {exc.message}"
        ) from exc
    except jinja2.TemplateError as exc:
        raise RenderError(f"template error: {exc}") from exc
    return RenderedIssue(
        issue.subject, issue.preheader, compile_mjml(mjml_source), text.strip() + "\n"
    )


def compile_mjml(source: str) -> str:
    """MJML to email HTML; <mj-style inline="inline"> rules are inlined with css-inline."""
    inline_css = "\n".join(_INLINE_STYLE.findall(source))
    source = _INLINE_STYLE.sub("", source)
    try:
        html = mjml2html(source, disable_comments=True, fonts={})
    except Exception as exc:  # mjml-python raises a bare exception type from Rust
        raise RenderError(f"MJML did not compile: {' '.join(str(exc).split())[:300]}") from exc
    if inline_css.strip():
        try:
            html = css_inline.CSSInliner(
                inline_style_tags=False,
                keep_style_tags=True,
                load_remote_stylesheets=False,
                extra_css=inline_css,
            ).inline(html)
        except css_inline.InlineError as exc:
            raise RenderError(f"inline CSS failed: {exc}") from exc
    return html


def personalise(rendered: RenderedIssue, unsubscribe_url: str, email: str) -> tuple[str, str]:
    """The HTML and text for one recipient: only placeholders change."""
    html = rendered.html.replace(UNSUBSCRIBE, escape(unsubscribe_url)).replace(
        RECIPIENT, escape(email)
    )
    text = rendered.text.replace(UNSUBSCRIBE, unsubscribe_url).replace(RECIPIENT, email)
    return html, text


def check_templates(dirs: tuple[Path, ...]) -> list[str]:
    """Problems in the templates, one line each (for `digest check`)."""
    env = environment(dirs, "en")
    problems = []
    for name in (HTML_TEMPLATE, TEXT_TEMPLATE):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(f"{exc.filename or name}, line {exc.lineno}: {exc.message}")
        except jinja2.TemplateNotFound:
            problems.append(f"template {name} not found in {', '.join(map(str, dirs))}")
    return problems
