"""digest tried as a new user would: a digest.toml, a CSV of subscribers, the real CLI.

Everything runs in tmp_path: a local RSS file, a folder holding a saved page (a shared seed),
a real SQLite file, the outbox, and a real SMTP server (aiosmtpd) on 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from digest.subscribers import read_token
from tests.helpers import smtpserver
from tests.helpers.cli import run_digest
from tests.helpers.smtpserver import SmtpServer

SECRET = "e2e-test-secret-0123456789abcdef"
PUBLIC_URL = "https://news.example.org"
SEED = Path(__file__).parents[2] / "shared" / "seeds" / "jade-russie-coree-du-nord.txt"
SEED_TITLE = "Pourparlers de défense entre la Russie et la Corée du Nord"  # its first real line
LABELS = {"korean-peninsula": "Péninsule coréenne", "russia": "Russie"}
CHROME = ("top of page", "bottom of page", "vues0 commentaire", "Commenting has been turned off")

GOOD_SUBSCRIBERS = {
    "alice@example.org": "Alice Martin",
    "bob@example.net": "Bob",
    "claire@example.com": "Claire Dupont",
}
SUBSCRIBERS_CSV = (
    "email,name,locale\n"
    "alice@example.org,Alice Martin,fr\n"
    "not-an-address,Bad,fr\n"  # line 3
    "bob@example.net,Bob,fr\n"
    "claire@example.com,Claire Dupont,fr\n"
)
BAD_LINE = 3

smtp_server = smtpserver.smtp_server  # the fixture: aiosmtpd on 127.0.0.1

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Le Fil de test</title>
    <link>https://fil.example/</link>
    <description>Un fil d'information fictif.</description>
    <language>fr</language>
    <item>
      <title>Le ministre russe de la Défense reçu à Pyongyang</title>
      <link>https://fil.example/2025/ministre-russe-pyongyang</link>
      <guid isPermaLink="false">fil-test-1</guid>
      <description>&lt;p&gt;Le ministre russe est arrivé à Pyongyang. Le Kremlin évoque une
        coopération stratégique avec la Corée du Nord.&lt;/p&gt;</description>
    </item>
    <item>
      <title>La Corée du Nord annonce le lancement d'un satellite</title>
      <link>https://fil.example/2025/coree-du-nord-satellite</link>
      <guid isPermaLink="false">fil-test-2</guid>
      <description>La Corée du Nord affirme avoir placé un satellite en orbite ; Séoul
        dit ne pas pouvoir le confirmer.</description>
    </item>
    <item>
      <title>La Russie relève sa prévision de récolte de blé</title>
      <link>https://fil.example/2025/russie-ble</link>
      <guid isPermaLink="false">fil-test-3</guid>
      <description>Le ministère russe de l'Agriculture relève sa prévision ; Moscou
        invoque une météo favorable.</description>
    </item>
    <item>
      <title>Un sommet sur le climat s'ouvre à Lisbonne</title>
      <link>https://fil.example/2025/sommet-climat-lisbonne</link>
      <guid isPermaLink="false">fil-test-4</guid>
      <description>Les délégués de quarante pays se retrouvent pour une semaine de
        négociations.</description>
    </item>
  </channel>
</rss>
"""


def config_text(
    *,
    database: str = "out/digest.db",
    outbox: str = "out/outbox",
    transport: str = "outbox",
    smtp_port: int | None = None,
) -> str:
    text = f"""\
[digest]
title = "World Digest"
database = "{database}"
public_url = "{PUBLIC_URL}"
secret_env = "DIGEST_SECRET"

[[sources]]
name = "Le Fil de test"
type = "rss"
url = "feeds/fil.xml"

[[sources]]
name = "Pages enregistrées"
type = "folder"
path = "pages"
strip_lines = ["^Publicité$"]

[[themes]]
id = "korean-peninsula"
title = {{ en = "Korean Peninsula", fr = "Péninsule coréenne" }}
color = "#2b6cb0"
terms = [
  "North Korea*", "South Korea*", "Korean Peninsula", "Pyongyang", "Seoul", "Kim Jong Un",
  "DPRK", "korea*", "Corée*", "coréen*", "nord-coréen*", "sud-coréen*", "péninsule coréenne",
  "북한", "한반도", "평양", "КНДР", "Пхеньян*",
]

[[themes]]
id = "russia"
title = {{ en = "Russia", fr = "Russie" }}
color = "#c53030"
terms = [
  "Russia*", "Moscow", "Kremlin", "Putin", "Russie", "russe*", "Moscou",
  "러시아", "росси*", "Москв*", "Кремл*", "Путин*",
]

[[lists]]
id = "weekly-fr"
title = "La lettre du lundi"
locale = "fr"
from = "Digest <digest@example.org>"
schedule = "0 7 * * mon"
timezone = "Europe/Paris"
themes = ["korean-peninsula", "russia"]
other = true
max_age_days = 7
subject = "{{{{ title }}}} n°{{{{ number }}}} — {{{{ date }}}}"

[delivery]
transport = "{transport}"
outbox_dir = "{outbox}"
"""
    if smtp_port is not None:
        text += f"""
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
timeout = 10
"""
    return text


@dataclass
class Project:
    root: Path
    config: Path
    csv: Path

    def run(self, *args: str, secret: bool = True) -> subprocess.CompletedProcess[str]:
        return run_digest(
            self.root, "-c", str(self.config), *args, secret=SECRET if secret else None
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.run(*args)
        assert result.returncode == 0, (
            f"digest {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
        return result

    def write_config(self, **kwargs: object) -> None:
        self.config.write_text(config_text(**kwargs), encoding="utf-8")  # type: ignore[arg-type]

    def subscriber_ids(self, database: str = "out/digest.db") -> dict[str, int]:
        with sqlite3.connect(self.root / database) as conn:
            rows = conn.execute("SELECT email, id FROM subscribers WHERE list_id = 'weekly-fr'")
            return {email: sid for email, sid in rows}

    def count(self, table: str, database: str = "out/digest.db") -> int:
        conn = sqlite3.connect(self.root / database)
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        finally:
            conn.close()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    if not SEED.is_file():
        pytest.skip(f"shared seed page not found at {SEED}; the end-to-end tests need it")
    assert SEED_TITLE in SEED.read_text(encoding="utf-8"), "the shared seed page changed"
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "fil.xml").write_text(FEED, encoding="utf-8")
    (tmp_path / "pages").mkdir()
    shutil.copy(SEED, tmp_path / "pages" / SEED.name)  # copy, not copy2: mtime is now
    csv = tmp_path / "subs.csv"
    csv.write_text(SUBSCRIBERS_CSV, encoding="utf-8")
    p = Project(tmp_path, tmp_path / "digest.toml", csv)
    p.write_config()
    return p


def import_subscribers(p: Project) -> None:
    result = p.ok("subscribers", "import", "weekly-fr", str(p.csv))
    assert "3 added" in result.stdout, result.stdout
    assert "1 skipped" in result.stdout, result.stdout
    # the bad row is named, with its line number; the good rows are imported anyway
    assert re.search(rf"subs\.csv, line {BAD_LINE}\b.*not-an-address", result.stderr), result.stderr


def parse(raw: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def text_sections(text: str) -> dict[str, str]:
    """Heading (a line underlined with '=') -> the text below it, up to the next heading."""
    lines = text.splitlines()
    heads = [
        i
        for i in range(len(lines) - 1)
        if lines[i].strip() and re.fullmatch(r"=+", lines[i + 1].strip())
    ]
    out = {}
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        out[lines[i].strip()] = "\n".join(lines[i + 2 : end])
    return out


def html_section_of(html: str, needle: str) -> str | None:
    """The theme id of the section in which `needle` appears (the last anchor before it)."""
    pos = html.find(needle)
    if pos < 0:
        return None
    anchors = list(re.finditer(r'<a id="([^"]+)"', html[:pos]))
    return anchors[-1].group(1) if anchors else None


def check_message(msg: EmailMessage, email: str, ids: dict[str, int]) -> tuple[str, str]:
    """Everything one recipient's message must be. Returns (Message-ID, token)."""
    for name in ("From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe"):
        assert msg[name], f"{name} header missing for {email}"
    assert msg["From"].addresses[0].addr_spec == "digest@example.org"
    to = msg["To"].addresses
    assert len(to) == 1 and to[0].addr_spec == email
    assert to[0].display_name == GOOD_SUBSCRIBERS[email]
    assert msg["Subject"].startswith("La lettre du lundi n°1 — ")
    sent_at = msg["Date"].datetime
    assert sent_at.tzinfo is not None
    assert abs(datetime.now(UTC) - sent_at) < timedelta(minutes=10)
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(msg["Message-ID"]).strip())
    assert "weekly-fr" in str(msg["List-Id"])
    assert msg.get_all("Bcc") is None and msg.get_all("Cc") is None

    unsub = str(msg["List-Unsubscribe"])
    urls = re.findall(r"<(https://[^>]+)>", unsub)
    mailtos = re.findall(r"<(mailto:[^>]+)>", unsub)
    assert len(urls) == 1 and len(mailtos) == 1, unsub
    assert urls[0].startswith(PUBLIC_URL + "/u/"), unsub
    token = urls[0].removeprefix(PUBLIC_URL + "/u/")
    assert token and "/" not in token
    assert token in mailtos[0]
    assert mailtos[0].startswith("mailto:digest@example.org?")
    assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"

    # the token is genuine, names this subscriber, and cannot be tampered with
    secret = SECRET.encode()
    assert read_token(secret, token) == ids[email]
    sid, _, mac = token.partition(".")
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    assert read_token(secret, f"{sid}.{flipped}") is None
    other = next(i for e, i in ids.items() if e != email)
    assert read_token(secret, f"{other}.{mac}") is None
    assert read_token(b"another-secret", token) is None

    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    assert plain is not None and html_part is not None
    assert plain.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "text/html"
    assert plain.get_content_charset() == "utf-8"
    assert html_part.get_content_charset() == "utf-8"
    text = plain.get_content()
    html = html_part.get_content()

    for part in (text, html):
        assert SEED_TITLE in part
        assert "Lire la suite" in part
        assert "%%DIGEST:" not in part  # every placeholder personalised
        assert email in part
        for chrome in CHROME:
            assert chrome.lower() not in part.lower(), f"site chrome {chrome!r} left in"
    assert urls[0] in text
    assert urls[0] in html  # '&' never appears in a token, so no escaping differences

    # the seed article sits under one of its themes, with the French label
    sections = text_sections(text)
    holding = [h for h, body in sections.items() if SEED_TITLE in body]
    assert len(holding) == 1, sections.keys()
    assert re.match(r"(PÉNINSULE CORÉENNE|RUSSIE) \(\d+\)$", holding[0]), holding
    theme = html_section_of(html, SEED_TITLE)
    assert theme in LABELS, theme
    assert f'<a id="{theme}"' in html
    label_at = html.find(">" + LABELS[theme] + "</a>", html.find(f'<a id="{theme}"'))
    assert 0 < label_at < html.find(SEED_TITLE)
    return str(msg["Message-ID"]), token


def eml_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.eml")) if folder.exists() else []


def test_new_user_outbox_run_then_nothing_new(project: Project) -> None:
    import_subscribers(project)
    ids = project.subscriber_ids()
    assert set(ids) == set(GOOD_SUBSCRIBERS)

    project.ok("run", "weekly-fr")
    outbox = project.root / "out" / "outbox"
    files = eml_files(outbox)
    assert len(files) == len(GOOD_SUBSCRIBERS), files
    assert {f.parent for f in files} == {outbox / "weekly-fr" / "0001"}

    seen_ids, seen_tokens, recipients = set(), set(), []
    for f in files:
        msg = parse(f.read_bytes())
        email = msg["To"].addresses[0].addr_spec
        recipients.append(email)
        mid, token = check_message(msg, email, ids)
        seen_ids.add(mid)
        seen_tokens.add(token)
    assert sorted(recipients) == sorted(GOOD_SUBSCRIBERS)
    assert len(seen_ids) == len(files), "Message-IDs must differ per recipient"
    assert len(seen_tokens) == len(files), "unsubscribe tokens must differ per recipient"

    again = project.ok("run", "weekly-fr")
    assert "nothing new" in again.stdout.lower(), again.stdout
    assert eml_files(outbox) == files
    assert not (outbox / "weekly-fr" / "0002").exists()
    assert project.count("issues") == 1


def test_new_user_smtp_run_delivers_once_per_recipient(
    project: Project, smtp_server: SmtpServer
) -> None:
    # a first, outbox run; then the user switches to SMTP with a fresh database and outbox
    import_subscribers(project)
    project.ok("run", "weekly-fr")
    assert len(eml_files(project.root / "out" / "outbox")) == len(GOOD_SUBSCRIBERS)

    project.write_config(
        database="out/smtp.db",
        outbox="out/outbox-smtp",
        transport="smtp",
        smtp_port=smtp_server.port,
    )
    import_subscribers(project)
    ids = project.subscriber_ids("out/smtp.db")
    project.ok("run", "weekly-fr")

    got = smtp_server.messages
    assert len(got) == len(GOOD_SUBSCRIBERS)
    assert sorted(r for m in got for r in m.rcpt_tos) == sorted(GOOD_SUBSCRIBERS)
    seen_ids, seen_tokens = set(), set()
    for m in got:
        assert len(m.rcpt_tos) == 1
        assert m.mail_from == "digest@example.org"
        msg = parse(m.content)
        assert msg["To"].addresses[0].addr_spec == m.rcpt_tos[0]
        mid, token = check_message(msg, m.rcpt_tos[0], ids)
        seen_ids.add(mid)
        seen_tokens.add(token)
    assert len(seen_ids) == len(got) and len(seen_tokens) == len(got)
    assert eml_files(project.root / "out" / "outbox-smtp") == []

    again = project.ok("run", "weekly-fr")
    assert "nothing new" in again.stdout.lower(), again.stdout
    assert len(smtp_server.messages) == len(GOOD_SUBSCRIBERS)


def test_dry_run_stores_and_sends_nothing(project: Project) -> None:
    import_subscribers(project)
    project.ok("collect")
    dry = project.ok("send", "weekly-fr", "--dry-run")
    assert "dry run" in dry.stdout.lower(), dry.stdout
    assert str(len(GOOD_SUBSCRIBERS)) in dry.stdout
    outbox = project.root / "out" / "outbox"
    assert eml_files(outbox) == []
    assert project.count("issues") == 0
    assert project.count("deliveries") == 0

    real = project.ok("send", "weekly-fr")
    assert "Issue 1 of weekly-fr sent" in real.stdout, real.stdout
    files = eml_files(outbox)
    assert len(files) == len(GOOD_SUBSCRIBERS)
    assert {f.parent for f in files} == {outbox / "weekly-fr" / "0001"}


def test_preview_writes_files_and_creates_no_issue(project: Project) -> None:
    import_subscribers(project)
    project.ok("collect")
    target = project.root / "X.html"
    shown = project.ok("preview", "weekly-fr", "--out", str(target))
    assert "La lettre du lundi n°1" in shown.stdout
    assert target.is_file()
    assert target.with_suffix(".txt").is_file()
    html = target.read_text(encoding="utf-8")
    text = target.with_suffix(".txt").read_text(encoding="utf-8")
    assert SEED_TITLE in html and SEED_TITLE in text
    assert html.lstrip().lower().startswith("<!doctype html")

    issues = project.ok("issues")
    assert "weekly-fr" not in issues.stdout, issues.stdout
    assert project.count("issues") == 0
    assert project.count("deliveries") == 0
    assert eml_files(project.root / "out" / "outbox") == []

    # and the preview did not use up the articles: the first real send is issue 1
    sent = project.ok("send", "weekly-fr")
    assert "Issue 1 of weekly-fr sent" in sent.stdout, sent.stdout
