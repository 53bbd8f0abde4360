"""Double opt-in through `digest serve`: a real uvicorn server, a real SQLite file and the
confirmation email through a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from digest import config, pipeline, signup, store, subscribers
from digest.web import create_app
from tests.helpers import smtpserver
from tests.helpers.cli import run_digest
from tests.helpers.smtpserver import SmtpServer
from tests.helpers.webserver import serving

smtp_server = smtpserver.smtp_server

SECRET = b"signup-test-secret"
CONFIG = """
[digest]
title = "World Digest"
database = "d.db"
public_url = "https://news.example.org"
[[themes]]
id = "korea"
title = { en = "Korean Peninsula", fr = "Péninsule coréenne" }
terms = ["Korea*"]
[[themes]]
id = "russia"
title = { en = "Russia", fr = "Russie" }
terms = ["Russia*"]
[[lists]]
id = "weekly"
title = "The Monday Letter"
locale = "en"
from = "Digest <digest@example.org>"
[delivery]
transport = "smtp"
[smtp]
host = "127.0.0.1"
port = PORT
security = "none"
timeout = 5
"""


class Site:
    def __init__(self, root: Path, url: str, smtp: SmtpServer) -> None:
        self.cfg = config.load(root / "digest.toml")
        self.engine = store.open_engine(self.cfg.settings.database)
        self.url, self.root, self.smtp = url, root, smtp

    def subscribe(self, email: str, **fields: str | list[str]) -> httpx.Response:
        data: dict[str, str | list[str]] = {"email": email, **fields}
        return httpx.post(f"{self.url}/subscribe/weekly", data=data, timeout=10)

    def link(self, index: int = -1) -> str:
        """The confirmation link of the index-th confirmation email."""
        msg = self.smtp.messages[index].message()
        body = msg.get_body(("plain",))
        assert body is not None
        found = re.search(r"https://news\.example\.org(/confirm/\S+)", body.get_content())
        assert found, body.get_content()
        return found.group(1)

    def status(self, email: str) -> str:
        return subscribers.find(self.engine, "weekly", email).status


@pytest.fixture
def site(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Site]:
    text = CONFIG.replace("PORT", str(smtp_server.port))
    (tmp_path / "digest.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("DIGEST_SECRET", SECRET.decode())
    cfg = config.load(tmp_path / "digest.toml")
    engine = store.open_engine(cfg.settings.database)
    with serving(create_app(cfg, engine, SECRET)) as url:
        yield Site(tmp_path, url, smtp_server)
    engine.dispose()


def test_the_form_is_localised_and_offers_the_lists_themes(site: Site) -> None:
    page = httpx.get(f"{site.url}/subscribe/weekly", headers={"Accept-Language": "fr-FR,fr"})
    assert page.status_code == 200
    assert "S’abonner à The Monday Letter" in page.text and "Subscribe" not in page.text
    assert 'name="themes" value="korea"' in page.text and "Péninsule coréenne" in page.text
    assert httpx.get(f"{site.url}/subscribe/nope").status_code == 404


def test_subscribe_confirm_by_post_and_then_get_issues(site: Site) -> None:
    answer = site.subscribe("New.Reader@Example.ORG", name="Nora", locale="fr", themes="russia")
    assert answer.status_code == 200
    assert "New.Reader@example.org" in answer.text  # the domain is normalised
    assert site.status("New.Reader@example.org") == "pending"
    (mail,) = site.smtp.messages
    assert mail.rcpt_tos == ["New.Reader@example.org"]
    msg = mail.message()
    assert msg["Subject"] == "Confirmez votre abonnement à The Monday Letter"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["List-Unsubscribe"] is None
    link = site.link()
    # a GET (a link scanner, a preview pane) shows a button and changes nothing
    shown = httpx.get(f"{site.url}{link}")
    assert shown.status_code == 200 and f'action="{link}"' in shown.text
    assert site.status("New.Reader@example.org") == "pending"
    done = httpx.post(f"{site.url}{link}")
    assert done.status_code == 200 and "abonné" in done.text
    sub = subscribers.find(site.engine, "weekly", "New.Reader@example.org")
    assert (sub.status, sub.locale, sub.themes, sub.name) == ("active", "fr", ("russia",), "Nora")
    # a second click says the same, and does not count as invalid
    assert httpx.post(f"{site.url}{link}").status_code == 200
    active = subscribers.list_all(site.engine, "weekly", status="active")
    assert [s.email for s in active] == ["New.Reader@example.org"]


def test_pending_addresses_get_no_issue(site: Site) -> None:
    site.subscribe("waiting@example.org")
    assert site.status("waiting@example.org") == "pending"
    assert pipeline.plan(site.cfg, site.engine, "weekly", datetime.now(UTC)) is not None
    assert subscribers.list_all(site.engine, "weekly", status="active") == []


def test_the_answer_does_not_tell_who_is_on_the_list(site: Site) -> None:
    subscribers.add(site.engine, "weekly", "member@example.org", datetime.now(UTC))
    member = site.subscribe("member@example.org")
    stranger = site.subscribe("stranger@example.org")
    assert member.status_code == stranger.status_code == 200
    assert member.text.replace("member", "X") == stranger.text.replace("stranger", "X")
    # the member gets no mail (they are subscribed already); the stranger gets one
    assert [m.rcpt_tos for m in site.smtp.messages] == [["stranger@example.org"]]


def test_repeated_requests_do_not_flood_an_inbox(site: Site) -> None:
    for _ in range(5):
        assert site.subscribe("victim@example.org").status_code == 200
    assert len(site.smtp.messages) == 1


def test_a_new_request_replaces_the_old_link_and_links_expire(site: Site) -> None:
    site.subscribe("late@example.org")
    old = site.link()
    sub = subscribers.find(site.engine, "weekly", "late@example.org")
    later = datetime.now(UTC) + signup.RESEND_AFTER + timedelta(seconds=5)
    renewed = signup.request(site.engine, signup.Request("weekly", sub.email), later)
    assert renewed is not None
    assert signup.confirm(site.engine, SECRET, old.rsplit("/", 1)[1], later) is None
    new = signup.token(SECRET, renewed)
    too_late = later + signup.CONFIRM_WITHIN + timedelta(minutes=1)
    assert signup.confirm(site.engine, SECRET, new, too_late) is None
    assert site.status("late@example.org") == "pending"
    confirmed = signup.confirm(site.engine, SECRET, new, later)
    assert confirmed is not None and confirmed.status == "active"


@pytest.mark.parametrize(
    "token",
    ["1.AAAA", "999.abc", "x.y", "", "1", "1." + "A" * 43],
)
def test_forged_confirmation_tokens_are_refused(site: Site, token: str) -> None:
    site.subscribe("target@example.org")
    answer = httpx.post(f"{site.url}/confirm/{token}")
    assert answer.status_code == 404 if token else answer.status_code in (404, 405)
    assert site.status("target@example.org") == "pending"


def test_an_unsubscribe_token_does_not_confirm(site: Site) -> None:
    site.subscribe("mixed@example.org")
    sub = subscribers.find(site.engine, "weekly", "mixed@example.org")
    answer = httpx.post(f"{site.url}/confirm/{subscribers.make_token(SECRET, sub.id)}")
    assert answer.status_code == 404 and site.status("mixed@example.org") == "pending"


def test_bad_address_bot_trap_and_oversized_body(site: Site) -> None:
    bad = site.subscribe("not-an-address")
    assert bad.status_code == 400 and "valid email address" in bad.text
    assert 'value="not-an-address"' in bad.text  # what they typed is kept, escaped
    evil = site.subscribe('"><script>alert(1)</script>@x')
    assert evil.status_code == 400 and "<script>alert(1)" not in evil.text
    trapped = site.subscribe("bot@example.org", website="http://spam.example")
    assert trapped.status_code == 200  # a bot is told nothing
    with pytest.raises(subscribers.NotFound):
        site.status("bot@example.org")
    big = httpx.post(f"{site.url}/subscribe/weekly", content=b"email=" + b"a" * 10_000)
    assert big.status_code == 413
    assert site.smtp.messages == []


def test_smtp_down_leaves_the_request_pending_and_says_try_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, controller = smtpserver.start_server()
    port = server.port
    controller.stop()  # nothing listens there now
    (tmp_path / "digest.toml").write_text(CONFIG.replace("PORT", str(port)), encoding="utf-8")
    cfg = config.load(tmp_path / "digest.toml")
    engine = store.open_engine(cfg.settings.database)
    with serving(create_app(cfg, engine, SECRET)) as url:
        answer = httpx.post(f"{url}/subscribe/weekly", data={"email": "a@example.org"}, timeout=20)
    assert answer.status_code == 503 and "try again later" in answer.text.lower()
    assert subscribers.find(engine, "weekly", "a@example.org").status == "pending"
    engine.dispose()


def test_cli_show_and_list_pending(site: Site) -> None:
    site.subscribe("shown@example.org", locale="fr")
    listed = run_digest(site.root, "subscribers", "list", "weekly", "--status", "pending")
    assert listed.returncode == 0 and "shown@example.org" in listed.stdout
    shown = run_digest(site.root, "subscribers", "show", "weekly", "shown@example.org")
    assert shown.returncode == 0, shown.stderr
    assert "status: pending" in shown.stdout and "language: fr" in shown.stdout
    assert "no deliveries yet" in shown.stdout
    added = run_digest(site.root, "subscribers", "add", "weekly", "shown@example.org")
    assert "confirmed on weekly" in added.stdout  # the list owner vouches for it
    missing = run_digest(site.root, "subscribers", "show", "weekly", "who@example.org")
    assert missing.returncode != 0 and "who@example.org is not on list weekly" in missing.stderr
