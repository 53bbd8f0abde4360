"""digest serve: unsubscribe as a person clicks it and as a mailbox provider POSTs it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from digest import config, pipeline, store, subscribers
from tests.helpers.project import WEEKLY_EN, WEEKLY_FR, project_config
from tests.helpers.webserver import serving_project

SECRET = b"web-test-secret"
NOW = datetime.now(UTC)
CONFIG = project_config(WEEKLY_FR, WEEKLY_EN)


class Site:
    def __init__(self, root: Path, url: str) -> None:
        self.cfg = config.load(root / "digest.toml")
        self.engine = store.open_engine(self.cfg.settings.database)
        self.url = url
        self.root = root

    def add(self, list_id: str, email: str, locale: str | None = None) -> int:
        sub, _ = subscribers.add(self.engine, list_id, email, NOW, locale=locale)
        return sub.id

    def status(self, sid: int) -> str:
        return subscribers.get(self.engine, sid).status


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    with serving_project(tmp_path, CONFIG, SECRET, monkeypatch) as url:
        yield Site(tmp_path, url)


def test_get_asks_and_changes_nothing_then_the_form_post_unsubscribes(site: Site) -> None:
    sid = site.add("weekly-fr", "camille@example.org")
    token = subscribers.make_token(SECRET, sid)
    page = httpx.get(f"{site.url}/u/{token}")
    assert page.status_code == 200
    assert "Se désabonner de La lettre du lundi ?" in page.text
    assert f'action="/u/{token}"' in page.text and "Oui, me désabonner" in page.text
    assert "camille@example.org" not in page.text
    assert site.status(sid) == "active"  # a GET (a link scanner) changes nothing
    done = httpx.post(f"{site.url}/u/{token}")
    assert done.status_code == 200 and "Vous êtes désabonné·e" in done.text
    assert site.status(sid) == "unsubscribed"


def test_rfc8058_one_click_post_as_a_mailbox_provider_sends_it(site: Site) -> None:
    sid = site.add("weekly-en", "alice@example.org")
    token = subscribers.make_token(SECRET, sid)
    with httpx.Client() as client:  # no cookies, no prior GET
        answer = client.post(
            f"{site.url}/u/{token}",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers
    assert site.status(sid) == "unsubscribed"  # durable before the answer came back
    again = httpx.post(f"{site.url}/u/{token}", content=b"List-Unsubscribe=One-Click")
    assert again.status_code == 200 and "You are unsubscribed" in again.text


def test_forged_tokens_are_refused_alike_and_change_nothing(site: Site) -> None:
    sid = site.add("weekly-en", "bob@example.org")
    genuine = subscribers.make_token(SECRET, sid)
    forged = [
        genuine[:-1] + ("A" if genuine[-1] != "A" else "B"),  # one character off
        subscribers.make_token(b"another secret", sid),
        subscribers.make_token(SECRET, sid + 1000),  # signed, but nobody has that id
        f"{sid}",
        "x.y",
        "",
    ]
    answers = {httpx.post(f"{site.url}/u/{t}").text for t in forged if t}
    assert all(httpx.post(f"{site.url}/u/{t}").status_code == 404 for t in forged if t)
    assert len(answers) == 1  # an unknown id looks the same as a bad signature
    assert site.status(sid) == "active"
    big = httpx.post(f"{site.url}/u/{genuine}", content=b"x" * 10_000)
    assert big.status_code == 413 and site.status(sid) == "active"


def test_web_version_of_a_sent_issue_and_health(site: Site) -> None:
    site.add("weekly-fr", "camille@example.org")
    asyncio.run(pipeline.collect(site.cfg, site.engine, NOW))
    outcome = asyncio.run(pipeline.send_list(site.cfg, site.engine, "weekly-fr", NOW))
    assert outcome.sent == 1
    page = httpx.get(f"{site.url}/issues/weekly-fr/1")
    assert page.status_code == 200
    assert "La Russie et le blé" in page.text and 'href="#"' in page.text
    assert "%%DIGEST:" not in page.text and "camille@example.org" not in page.text
    assert httpx.get(f"{site.url}/issues/weekly-fr/2").status_code == 404
    assert httpx.get(f"{site.url}/healthz").json() == {"status": "ok"}


def test_an_unsubscribe_during_a_send_stops_mail_to_that_address(site: Site) -> None:
    first = site.add("weekly-en", "a@example.org")
    second = site.add("weekly-en", "b@example.org")
    asyncio.run(pipeline.collect(site.cfg, site.engine, NOW))

    def after_each(email: str, result: str) -> None:
        if email == "a@example.org":  # b clicks while the send is under way
            token = subscribers.make_token(SECRET, second)
            assert httpx.post(f"{site.url}/u/{token}").status_code == 200

    outcome = asyncio.run(
        pipeline.send_list(site.cfg, site.engine, "weekly-en", NOW, on_sent=after_each)
    )
    assert (outcome.sent, outcome.skipped) == (1, 1)
    assert [p.name for p in (site.root / "outbox" / "weekly-en" / "0001").iterdir()] == [
        "a@example.org.eml"
    ]
    assert site.status(first) == "active"


def test_serve_without_a_secret_runs_locally_for_editors_but_not_publicly(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    from tests.helpers.cli import run_digest

    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "pages").mkdir()
    public = run_digest(tmp_path, "serve", "--host", "0.0.0.0", secret=None)
    assert public.returncode != 0 and "DIGEST_SECRET" in public.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DIGEST_SECRET"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("digest serve did not answer /healthz")
        assert httpx.get(f"http://127.0.0.1:{port}/preview").status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "development secret" in err
