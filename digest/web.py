"""`digest serve`: unsubscribe (RFC 8058 one-click), the web version of sent issues, health.

No page has side effects on GET. An unsubscribe is committed before the answer is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from babel import Locale, UnknownLocaleError
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from digest import archive, livepreview, signup, store, subscribers
from digest.config import LOCALES, Config, MailingList
from digest.errors import ConfigError, DeliveryError, DigestError, NotFound
from digest.i18n import gettext
from digest.models import Subscriber
from digest.render import builtin_templates, environment

log = logging.getLogger("digest.web")
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
    preview: bool = False,
    preview_any_host: bool = False,
) -> Starlette:
    """`preview`: also serve the live preview (/preview), to a loopback Host header only
    unless `preview_any_host`. Never on unless asked: it shows unsent issues."""

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
        if await _bounded_body(request) is None:
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
        html = archive.web_version(engine, list_id, number)
        if html is None:
            return page("en", gettext("en", "Not found"), "", status=404)
        return HTMLResponse(html, headers=HEADERS)

    def subscribe_page(
        request: Request, lst: MailingList, status: int = 200, error: str = "", **form: str
    ) -> HTMLResponse:
        locale = form.get("locale") or lst.locale
        labels = {t.id: t.label(locale) for t in config.list_themes(lst)}
        html = (
            environment((builtin_templates("web"),), locale)
            .get_template("subscribe.html.j2")
            .render(
                locale=locale,
                heading=gettext(locale, "Subscribe to %(list)s", list=lst.title),
                intro=gettext(
                    locale,
                    "We will send you an email with a link to confirm. Every issue has a "
                    "one-click unsubscribe link.",
                ),
                error=error,
                action=str(request.url.path),
                email=form.get("email", ""),
                name=form.get("name", ""),
                languages=[(code, language_name(code)) for code in LOCALES],
                themes=list(labels.items()),
            )
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def list_for(request: Request) -> MailingList | None:
        try:
            return config.get_list(request.path_params["list_id"])
        except ConfigError:
            return None

    async def subscribe_form(request: Request) -> Response:
        lst = list_for(request)
        if lst is None:
            return page("en", gettext("en", "Not found"), "", status=404)
        return subscribe_page(request, lst, locale=_accepted_locale(request, lst.locale))

    async def subscribe(request: Request) -> Response:
        """Double opt-in, step one. The answer is the same whether or not the address
        was on the list, so the form tells nobody who subscribes."""
        lst = list_for(request)
        if lst is None:
            return page("en", gettext("en", "Not found"), "", status=404)
        body = await _bounded_body(request)
        if body is None:
            return Response("request body too large", status_code=413)
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=50)
        locale = (fields.get("locale") or [lst.locale])[0]
        locale = locale if locale in LOCALES else lst.locale
        entered = {k: (fields.get(k) or [""])[0][:320] for k in ("email", "name")}
        try:
            req = signup.parse_form(fields, lst, [t.id for t in config.list_themes(lst)])
        except DigestError:
            message = gettext(locale, "Please enter a valid email address.")
            return subscribe_page(request, lst, 400, message, locale=locale, **entered)
        now = datetime.now(UTC)
        if not (fields.get("website") or [""])[0]:  # a filled trap field: a bot
            sub = signup.request(engine, req, now)
            if sub is not None:
                try:
                    await signup.send_confirmation(config, sub, secret, now)
                except (DeliveryError, OSError) as exc:
                    log.warning("confirmation for list %s not sent: %s", lst.id, exc)
                    return page(
                        locale,
                        gettext(locale, "Please try again later"),
                        gettext(locale, "We could not send the confirmation email just now."),
                        status=503,
                    )
        return page(
            locale,
            gettext(locale, "Check your inbox"),
            gettext(
                locale,
                "If %(email)s can receive %(list)s, a message with a confirmation link is "
                "on its way. Your subscription starts when you follow it.",
                email=req.email,
                list=lst.title,
            ),
        )

    def confirm_answer(request: Request, sub: Subscriber | None, done: bool) -> HTMLResponse:
        if sub is None:
            return invalid(request)
        try:
            lst = config.get_list(sub.list_id)
        except ConfigError:
            return invalid(request)
        locale = sub.locale or lst.locale
        if done or sub.status == "active":
            return page(
                locale,
                gettext(locale, "You are subscribed"),
                gettext(
                    locale,
                    "Welcome! %(list)s will come to %(email)s.",
                    list=lst.title,
                    email=sub.email,
                ),
            )
        return page(
            locale,
            gettext(locale, "Confirm your subscription to %(list)s", list=lst.title),
            gettext(
                locale, "One more step: confirm that you want to receive %(list)s.", list=lst.title
            ),
            action=str(request.url.path),
            button=gettext(locale, "Confirm my subscription"),
        )

    async def confirm_form(request: Request) -> Response:
        """No side effect on GET: link scanners open links in mail."""
        sub = signup.pending_for(engine, secret, request.path_params["token"], datetime.now(UTC))
        return confirm_answer(request, sub, done=False)

    async def confirm(request: Request) -> Response:
        if await _bounded_body(request) is None:
            return Response("request body too large", status_code=413)
        sub = signup.confirm(engine, secret, request.path_params["token"], datetime.now(UTC))
        return confirm_answer(request, sub, done=True)

    async def healthz(request: Request) -> Response:
        store.ping(engine)
        return JSONResponse({"status": "ok", **(health() if health else {})}, headers=HEADERS)

    return Starlette(
        routes=[
            Route("/u/{token}", unsubscribe_form, methods=["GET"]),
            Route("/u/{token}", unsubscribe, methods=["POST"]),
            Route("/issues/{list_id}/{number:int}", web_version, methods=["GET"]),
            Route("/subscribe/{list_id}", subscribe_form, methods=["GET"]),
            Route("/subscribe/{list_id}", subscribe, methods=["POST"]),
            Route("/confirm/{token}", confirm_form, methods=["GET"]),
            Route("/confirm/{token}", confirm, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *archive.routes(config, engine),
            *(livepreview.routes(config.path, engine, preview_any_host) if preview else []),
        ]
    )


def language_name(code: str) -> str:
    """A language's name in itself ("Français"), for a language picker."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def _accepted_locale(request: Request, default: str = "en") -> str:
    """The first language of Accept-Language that digest speaks, else `default`."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LOCALES:
            return code
    return default


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, or None when it is over MAX_BODY."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return body
