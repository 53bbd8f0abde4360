"""`digest serve`: unsubscribe (RFC 8058 one-click), the web version of sent issues, health.

No page has side effects on GET. An unsubscribe is committed before the answer is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from digest import store, subscribers
from digest.config import Config
from digest.errors import ConfigError, NotFound
from digest.i18n import gettext
from digest.issue import variant_key
from digest.models import RenderedIssue
from digest.render import builtin_templates, environment, personalise

MAX_BODY = 4096  # a one-click POST carries "List-Unsubscribe=One-Click" and nothing more
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def create_app(
    config: Config,
    engine: Engine,
    secret: bytes,
    health: Callable[[], dict[str, Any]] | None = None,
) -> Starlette:
    def page(
        locale: str,
        heading: str,
        message: str,
        status: int = 200,
        action: str | None = None,
        button: str = "",
    ) -> HTMLResponse:
        html = (
            environment((builtin_templates("web"),), locale)
            .get_template("page.html.j2")
            .render(locale=locale, heading=heading, message=message, action=action, button=button)
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def subscriber_for(token: str) -> tuple[subscribers.Subscriber, str, str] | None:
        sid = subscribers.read_token(secret, token)
        if sid is None:
            return None
        try:
            sub = subscribers.get(engine, sid)
        except NotFound:
            return None
        try:
            lst = config.get_list(sub.list_id)
            return sub, sub.locale or lst.locale, lst.title
        except ConfigError:
            return sub, sub.locale or "en", sub.list_id

    def invalid(request: Request) -> HTMLResponse:
        locale = _accepted_locale(request)
        return page(
            locale,
            gettext(locale, "This link is not valid"),
            gettext(
                locale, "It may have been copied incompletely. Use the link in your latest email."
            ),
            status=404,
        )

    async def unsubscribe_form(request: Request) -> Response:
        found = subscriber_for(request.path_params["token"])
        if found is None:
            return invalid(request)
        sub, locale, title = found
        if sub.status != "active":
            return done(locale, title)
        return page(
            locale,
            gettext(locale, "Unsubscribe from %(list)s?", list=title),
            gettext(
                locale,
                "You will no longer receive %(list)s. This takes effect at once.",
                list=title,
            ),
            action=str(request.url.path),
            button=gettext(locale, "Yes, unsubscribe me"),
        )

    def done(locale: str, title: str) -> HTMLResponse:
        return page(
            locale,
            gettext(locale, "You are unsubscribed"),
            gettext(locale, "You will not receive %(list)s any more.", list=title),
        )

    async def unsubscribe(request: Request) -> Response:
        """The confirm form's target and the RFC 8058 one-click target alike."""
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return Response("request body too large", status_code=413)
        found = subscriber_for(request.path_params["token"])
        if found is None:
            return invalid(request)
        sub, locale, title = found
        if sub.status == "active":
            subscribers.set_status(engine, sub.id, "unsubscribed", datetime.now(UTC))
        return done(locale, title)

    async def web_version(request: Request) -> Response:
        list_id, number = request.path_params["list_id"], request.path_params["number"]
        found = store.find_issue(engine, list_id, number)
        if found is None:
            return page("en", gettext("en", "Not found"), "", status=404)
        r = store.rendition(engine, found.id, variant_key(found.locale))
        rendered = RenderedIssue(r["subject"], r["preheader"], r["html"], r["text"])
        html, _ = personalise(rendered, "#", gettext(found.locale, "your address"))
        return HTMLResponse(html, headers=HEADERS)

    async def healthz(request: Request) -> Response:
        store.ping(engine)
        return JSONResponse({"status": "ok", **(health() if health else {})}, headers=HEADERS)

    return Starlette(
        routes=[
            Route("/u/{token}", unsubscribe_form, methods=["GET"]),
            Route("/u/{token}", unsubscribe, methods=["POST"]),
            Route("/issues/{list_id}/{number:int}", web_version, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def _accepted_locale(request: Request) -> str:
    accept = request.headers.get("accept-language", "")
    return "fr" if accept.lower().startswith("fr") else "en"
