from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.rss import parse_feed
from tests.conftest import SHARED, need_shared

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def image_of(item: str) -> str | None:
    feed = f"""<?xml version="1.0"?><rss version="2.0"
      xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
      <link>https://news.example.org/</link><item><title>A</title>
      <link>https://news.example.org/a</link>{item}</item></channel></rss>"""
    (article,) = parse_feed(feed.encode(), "s", "https://news.example.org/feed", "", NOW)
    return article.image


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ('<media:thumbnail url="https://img.example.org/t.jpg"/>', "https://img.example.org/t.jpg"),
        (
            '<media:content url="https://img.example.org/c.jpg" medium="image"/>',
            "https://img.example.org/c.jpg",
        ),
        ('<media:content url="https://img.example.org/v.mp4" medium="video"/>', None),
        (
            '<enclosure url="https://img.example.org/e.png" type="image/png" length="1"/>',
            "https://img.example.org/e.png",
        ),
        ('<enclosure url="https://img.example.org/e.mp3" type="audio/mpeg" length="1"/>', None),
        (
            '<description>&lt;p&gt;x&lt;img src="/pic.jpg"&gt;&lt;/p&gt;</description>',
            "https://news.example.org/pic.jpg",
        ),  # relative, resolved against the feed
        ('<media:thumbnail url="http://img.example.org/t.jpg"/>', None),  # not https
        ('<description>&lt;img src="javascript:alert(1)"&gt;</description>', None),
        ("", None),
    ],
)
def test_image_sources(item: str, expected: str | None) -> None:
    assert image_of(item) == expected


def test_images_in_real_feeds() -> None:
    folder = need_shared(SHARED / "realworld" / "feeds")
    guardian = parse_feed(
        (folder / "rssparser_guardian_us_2018.rss").read_bytes(),
        "g",
        "https://www.theguardian.com/us",
        "",
        NOW,
    )
    assert all(a.image and a.image.startswith("https://i.guim.co.uk/") for a in guardian)
    numist = parse_feed(
        (folder / "feedrs_numist_atom_xml_base.xml").read_bytes(), "n", "https://numi.st/", "", NOW
    )
    assert numist[0].image == "https://numi.st/post/2022/travel-uke/IMG_1232.jpeg"


def test_relative_links_resolve_against_xml_base_then_the_feed_url() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <link>https://news.example.org/</link>
      <item><title>A</title><link>/2026/a.html?utm_source=rss</link></item>
      <item xml:base="https://other.example.org/blog/"><title>B</title>
        <description>&lt;a href="post.html"&gt;more&lt;/a&gt;</description>
        <link>post.html</link></item>
    </channel></rss>"""
    a, b = parse_feed(feed, "s", "https://news.example.org/feed.xml", "", NOW)
    assert a.url == "https://news.example.org/2026/a.html"  # and utm_source dropped
    assert b.url == "https://other.example.org/blog/post.html"
