# ruff: noqa: E501
"""Writes items.jsonl, extra.jsonl and pairs.jsonl for the themes evaluation set.

Labels below were decided by reading each item (title + text); nothing here calls
digest's classifier. Run with /work/main/.venv/bin/python (needs feedparser).
"""

import calendar
import csv
import html
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import feedparser

HERE = Path(__file__).resolve().parent
FEEDS = Path("/work/shared/realworld/feeds")
K, R = "korean-peninsula", "russia"

sys.path.insert(0, str(HERE))
from extra_items import EXTRA  # noqa: E402

# ---- hand labels for the real feed items: id -> (themes, note) ----------------------------
LABELS = {
    # Korean peninsula
    "rnrss_reuters_world_2018.xml#0": ([K], ""),
    "rnrss_reuters_world_2018.xml#6": ([K], "US ambassador to South Korea: US-Korea relations"),
    "rnrss_huffpost_world_2019.xml#2": ([K], ""),
    "rnrss_huffpost_world_2019.xml#8": ([K], ""),
    "rnrss_huffpost_world_2019.xml#18": ([K], ""),
    "rnrss_huffpost_world_2019.xml#25": ([K], ""),
    "rssparser_jn_pt_latin1.rss#30": ([K], ""),
    "rssparser_jn_pt_latin1.rss#32": ([K], ""),
    # Russia
    "rnrss_reuters_world_2018.xml#1": ([R], ""),
    "rnrss_reuters_world_2018.xml#2": ([R], ""),
    "rnrss_reuters_world_2018.xml#3": ([R], "Russian military action in Syria"),
    "rnrss_reuters_world_2018.xml#5": (
        [R],
        "Syria talks hosted by Russia in Sochi; Russian diplomacy",
    ),
    "rnrss_reuters_world_2018.xml#7": ([R], ""),
    "rssparser_guardian_us_2018.rss#12": ([R], "Russian interference / Trump-Russia inquiry"),
    "rssparser_guardian_us_2018.rss#38": ([R], "Russia-backed Sochi talks put together by Putin"),
    "rnrss_huffpost_world_2019.xml#29": (
        [R],
        "MH17: three Russians charged; Russia's 2014 war in Ukraine",
    ),
    "nodefp_tpm_news.atom#11": ([R], "Trump, Putin and Russian election interference"),
    "rssparser_uol_noticias_latin1_nodecl.rss#4": ([R], ""),
    "rsparser_aktuality_sk_2021.rss#6": ([R], ""),
    "rsparser_aktuality_sk_2021.rss#7": (
        [R],
        "borderline: travel feature on Russian winter (Oymyakon) and Russians' habits; about Russian life, so labelled",
    ),
    "nodefp_oren_ru_windows1251.xml#6": (
        [R],
        "borderline: book of sayings of former Russian PM Chernomyrdin; about a Russian political figure, so labelled",
    ),
    # Neither, with a reason (hard cases)
    "rssparser_guardian_us_2018.rss#19": (
        [],
        "Russia only in passing in an op-ed on the State of the Union",
    ),
    "rssparser_guardian_us_2018.rss#2": (
        [],
        "FBI memo fight; the text does not make it a Russia story",
    ),
    "nodefp_tpm_news.atom#10": ([], "Trump tweeted 'from South Korea': passing mention"),
    "nodefp_tpm_news.atom#15": ([], "Manafort-Gates case; no Russian angle in the text"),
    "rnrss_huffpost_world_2019.xml#4": ([], "Putin only in passing (G-20)"),
    "rsparser_aktuality_sk_2021.rss#12": (
        [],
        "ship sinking off Turkey; Russians only as crew nationality",
    ),
    "rsparser_aktuality_sk_2021.rss#8": ([], "Belarus, not Russia"),
    "miniflux_heise_rss090_rdf.xml#54": ([], "game based on a Russian novel; not about Russia"),
    "miniflux_ibash_windows1251.xml#17": (
        [],
        "joke about a Russian-made PC's name; not news about Russia",
    ),
    "miniflux_ibash_windows1251.xml#42": (
        [],
        "joke about a domestic Linux distro; not news about Russia",
    ),
    "miniflux_ibash_windows1251.xml#13": ([], "joke about Mail.Ru; not about Russia"),
    "miniflux_cerclepsy_latin1_nodecl.xml#3": (
        [],
        "empty item (no title, no text); language taken from the feed",
    ),
    "nodefp_oren_ru_windows1251.xml#9": ([], "local street naming in Orenburg"),
}
OREN_LOCAL = "local Orenburg news; location in Russia alone does not make it about Russia"
for i in (0, 1, 2, 3, 4, 5, 7, 8):
    LABELS.setdefault(f"nodefp_oren_ru_windows1251.xml#{i}", ([], OREN_LOCAL))
LANG_OVERRIDE = {}  # every real item turned out to be in its feed's language


def strip(s):
    s = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", s or "")
    s = re.sub(r"(?i)<br\s*/?>", " ", s)
    s = re.sub(r"<[^>]+>", " ", s)
    s = html.unescape(s)
    return re.sub(r"\s+", " ", s).strip()


PT_DAYS = {
    "seg": "Mon",
    "ter": "Tue",
    "qua": "Wed",
    "qui": "Thu",
    "sex": "Fri",
    "sab": "Sat",
    "dom": "Sun",
}
PT_MONTHS = {
    "jan": "Jan",
    "fev": "Feb",
    "mar": "Mar",
    "abr": "Apr",
    "mai": "May",
    "jun": "Jun",
    "jul": "Jul",
    "ago": "Aug",
    "set": "Sep",
    "out": "Oct",
    "nov": "Nov",
    "dez": "Dec",
}


def published(e):
    """The entry's date as the feed gives it, in UTC ISO 8601; None when it has none.

    feedparser reads RFC 822 and ISO dates; UOL writes RFC 822 with Portuguese day and month
    names ("Seg, 24 Set 2018 19:42:40 -0300"), read here by mapping the names. heise's RSS 0.90
    feed has no dates at all. Nothing is guessed: an entry without a date stays without one.
    """
    parsed = e.get("published_parsed") or e.get("updated_parsed")
    if parsed:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    raw = (e.get("published") or "").strip()
    m = re.fullmatch(r"(\w{3}), (\d{1,2}) (\w{3}) (\d{4}) (\d\d:\d\d:\d\d) ([+-]\d{4})", raw)
    if m and m.group(1).lower() in PT_DAYS and m.group(3).lower() in PT_MONTHS:
        when = datetime.strptime(
            f"{m.group(2)} {PT_MONTHS[m.group(3).lower()]} {m.group(4)} {m.group(5)} {m.group(6)}",
            "%d %b %Y %H:%M:%S %z",
        )
        return when.astimezone(UTC).isoformat()
    return None


def real_items():
    with open(FEEDS / "manifest.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for r in rows:
        f = r["local_file"]
        d = feedparser.parse((FEEDS / f).read_bytes())
        for i, e in enumerate(d.entries):
            s = e.get("summary", "") or e.get("description", "")
            if not s and e.get("content"):
                s = e.content[0].value
            iid = f"{f}#{i}"
            themes, note = LABELS.get(iid, ([], ""))
            item = {
                "id": iid,
                "feed": f,
                "lang": LANG_OVERRIDE.get(iid, r["language"]),
                "title": strip(e.get("title", "")),
                "text": strip(s)[:600],
                "themes": themes,
            }
            when = published(e)
            if when:
                item["published"] = when
            if note:
                item["note"] = note
            out.append(item)
    return out


def extra_items():
    out, keys, story = [], {}, {}
    for n, (key, lang, st, title, text, themes, note) in enumerate(EXTRA):
        iid = f"extra#{n}"
        assert len(text) <= 600, key
        keys[key] = iid
        story[iid] = st
        item = {
            "id": iid,
            "feed": "extra (written for the eval)",
            "lang": lang,
            "title": title,
            "text": text,
            "themes": themes,
        }
        if note:
            item["note"] = note
        out.append(item)
    return out, keys, story


# ---- same-story pairs found in the real feeds ----------------------------------------
H, G = "miniflux_heise_rss090_rdf.xml", "miniflux_golem_2018_latin1.xml"
REAL_POS = [
    (
        "rnrss_reuters_world_2018.xml#5",
        "rssparser_guardian_us_2018.rss#38",
        "Sochi Syria congress, Reuters vs Guardian",
    ),
    (
        "rssparser_guardian_us_2018.rss#28",
        "rssparser_guardian_us_2018.rss#32",
        "Stormy Daniels on Kimmel: video and article",
    ),
    (
        "rssparser_guardian_us_2018.rss#0",
        "rssparser_guardian_us_2018.rss#29",
        "State of the Union speech: report and video",
    ),
    ("nodefp_tpm_news.atom#2", "nodefp_tpm_news.atom#12", "Menendez jury deliberations"),
    (
        "nodefp_tpm_news.atom#7",
        "nodefp_tpm_news.atom#9",
        "DOJ wants CNN sold before AT&T-Time Warner",
    ),
    (
        "rnrss_huffpost_world_2019.xml#11",
        "rnrss_huffpost_world_2019.xml#13",
        "US sanctions on Khamenei and Iran's reaction",
    ),
    (
        "rnrss_huffpost_world_2019.xml#20",
        "rnrss_huffpost_world_2019.xml#22",
        "flights barred/rerouted over Iranian airspace",
    ),
    ("rsparser_livemint_news.xml#4", "rsparser_livemint_news.xml#14", "India FDI inflows fall"),
    (
        "rssparser_jn_pt_latin1.rss#12",
        "rssparser_jn_pt_latin1.rss#15",
        "new IRS withholding tables",
    ),
    ("rssparser_jn_pt_latin1.rss#33", "rssparser_jn_pt_latin1.rss#37", "EDP overbilling"),
    (
        "rssparser_uol_noticias_latin1_nodecl.rss#0",
        "rssparser_uol_noticias_latin1_nodecl.rss#12",
        "same Ibope poll release",
    ),
    (
        "rssparser_uol_noticias_latin1_nodecl.rss#8",
        "rssparser_uol_noticias_latin1_nodecl.rss#9",
        "duplicate item",
    ),
    (
        "rsparser_aktuality_sk_2021.rss#13",
        "rsparser_aktuality_sk_2021.rss#18",
        "vaccination offer to MPs",
    ),
    (
        "miniflux_ibash_windows1251.xml#0",
        "miniflux_ibash_windows1251.xml#5",
        "same quote posted twice",
    ),
    (f"{H}#3", f"{G}#2", "Chinese ZQ-1 / Zhuque-1 launch failure"),
    (f"{H}#6", f"{G}#3", "folding electric car start-up"),
    (f"{H}#46", f"{G}#4", "Christie's sells AI portrait"),
    (f"{H}#14", f"{G}#5", "Microsoft to work with US military"),
    (f"{H}#27", f"{G}#7", "BIOS option bricks ThinkPads"),
    (f"{H}#53", f"{G}#11", "Fujitsu closes Augsburg plant"),
    (f"{H}#16", f"{G}#12", "Seehofer on 5G auction rules"),
    (f"{H}#51", f"{G}#14", "British Airways breach: 185,000 more customers"),
    (f"{H}#38", f"{G}#17", "Greens on broadband universal service"),
    (f"{H}#45", f"{G}#20", "Intel record quarter"),
    (f"{H}#47", f"{G}#29", "EU Parliament resolution on Facebook"),
    (f"{H}#59", f"{G}#39", "Xiaomi Mi Mix 3 launch"),
    (f"{H}#31", f"{G}#15", "iPhone XR reviews on launch day"),
]
REAL_NEG = [
    (
        "rnrss_reuters_world_2018.xml#0",
        "rnrss_huffpost_world_2019.xml#8",
        "NK ICBM assessment vs NK rejects sanctions",
    ),
    (
        "rnrss_huffpost_world_2019.xml#2",
        "rnrss_huffpost_world_2019.xml#18",
        "DMZ meeting invitation vs Trump's letter",
    ),
    (
        "rnrss_huffpost_world_2019.xml#25",
        "rnrss_huffpost_world_2019.xml#2",
        "Xi in Pyongyang vs DMZ meeting",
    ),
    (
        "rssparser_jn_pt_latin1.rss#30",
        "rssparser_jn_pt_latin1.rss#32",
        "nuclear button vs inter-Korean hotline",
    ),
    ("rnrss_reuters_world_2018.xml#6", "rnrss_reuters_world_2018.xml#0", "Seoul envoy vs ICBM"),
    (
        "rnrss_reuters_world_2018.xml#3",
        "rnrss_reuters_world_2018.xml#7",
        "Idlib strike vs spy chief visit",
    ),
    (
        "rnrss_reuters_world_2018.xml#7",
        "rssparser_guardian_us_2018.rss#12",
        "spy chief visit vs Trump-Russia explainer",
    ),
    (
        "rnrss_huffpost_world_2019.xml#29",
        "rnrss_reuters_world_2018.xml#3",
        "MH17 charges vs Idlib strike",
    ),
    (
        "rssparser_uol_noticias_latin1_nodecl.rss#4",
        "rsparser_aktuality_sk_2021.rss#6",
        "Navalny jailed 2018 vs detained on return 2021",
    ),
    (
        "rssparser_guardian_us_2018.rss#38",
        "rnrss_reuters_world_2018.xml#3",
        "Sochi talks vs Russian strike in Idlib",
    ),
    (
        "rnrss_reuters_world_2018.xml#2",
        "rssparser_guardian_us_2018.rss#12",
        "sanctions decision vs Trump-Russia explainer",
    ),
    (
        "nodefp_tpm_news.atom#11",
        "rssparser_guardian_us_2018.rss#12",
        "Pompeo/Binney blog vs inquiry explainer",
    ),
    ("rssparser_guardian_us_2018.rss#0", "rssparser_guardian_us_2018.rss#2", "SOTU vs FBI memo"),
    (f"{H}#52", f"{G}#25", "Google sexual harassment firings vs Alphabet quarterly profit"),
    (f"{H}#24", f"{G}#22", "FBI probes Tesla vs $35k Model 3 delay"),
    (f"{G}#22", f"{G}#23", "Model 3 price vs solar roof delay"),
    (f"{G}#27", f"{G}#29", "UK fines Facebook vs EU Parliament resolution"),
    (f"{H}#42", f"{H}#20", "Fessenheim ruling vs Japanese reactor restart"),
    (f"{G}#0", f"{G}#38", "RDR2 PC hints vs RDR2 review"),
]
EXTRA_NEG = [
    ("en_S2", "en_S11", "Pyongyang treaty 2024 vs Vostochny summit 2023"),
    ("ru_S2", "ru_S11", "Pyongyang treaty 2024 vs Vostochny summit 2023"),
    ("ko_S2", "ko_S11", "Pyongyang treaty 2024 vs Vostochny summit 2023"),
    ("en_S3a", "en_S3b", "martial law night vs impeachment vote"),
    ("ko_S3a", "ko_S3b", "martial law night vs impeachment vote"),
    ("fr_S3a", "fr_S3b", "martial law night vs impeachment vote"),
    ("ru_S5a", "ru_S5b", "rate hike to 21% vs surprise hold at 21%"),
    ("en_S5", "ru_S5b", "rate hike vs later hold"),
    ("ko_S1", "ko_sat", "ICBM test vs spy satellite launch"),
    ("en_S1a", "en_S7", "ICBM vs road demolition"),
    ("ko_S7", "ko_S8", "road demolition vs trash balloons"),
    ("en_S7", "en_S8", "road demolition vs trash balloons"),
    ("en_S4a", "uk_shells", "troop deployment vs shell supplies"),
    ("uk_S4", "uk_shells", "troop deployment vs shell supplies"),
    ("uk_S2", "uk_shells", "treaty vs shell supplies"),
    ("en_S4a", "en_S2", "troop deployment vs treaty"),
    ("ko_S4", "ko_S2", "troop deployment vs treaty"),
    ("ru_S4", "ru_wonsan", "troops vs tourists"),
    ("ko_wonsan", "ko_S11", "tourists vs summit"),
    ("en_S6", "en_S10", "Navalny death vs Crocus attack"),
    ("ru_S6", "ru_S10", "Navalny death vs Crocus attack"),
    ("fr_S6", "fr_S10", "Navalny death vs Crocus attack"),
    ("en_S9", "en_S5", "EU sanctions vs rate hike"),
    ("fr_S9", "fr_S5", "EU sanctions vs rate hike"),
    ("uk_S9", "uk_S5", "EU sanctions vs rate hike"),
    ("ru_S9", "ru_S5a", "EU sanctions vs rate hike"),
    ("uk_kyiv", "uk_S10", "strike on Kyiv vs Crocus attack"),
    ("ru_duma", "ru_S6", "childfree law vs Navalny death"),
    ("en_S12", "en_S3b", "election vs impeachment"),
    ("ko_S12", "ko_S3a", "election vs martial law"),
    ("fr_S12", "fr_natalite", "election vs birth rate"),
    ("ko_bok", "ko_S12", "rate cut vs election"),
    ("en_samsung_earn", "en_S12", "Samsung results vs election"),
    ("fr_S1", "fr_S7", "ICBM vs road demolition"),
    ("fr_S4", "fr_S2", "troops vs treaty"),
    ("uk_S1", "uk_S4", "ICBM vs troops"),
    ("uk_S6", "uk_S9", "Navalny vs sanctions"),
    ("en_S1b", "en_S11", "ICBM vs Vostochny summit"),
]
CROSS_NEG = [  # real item vs extra item
    ("rnrss_reuters_world_2018.xml#0", "en_S1a", "NK ICBM assessment 2018 vs ICBM launch 2024"),
    ("rnrss_huffpost_world_2019.xml#8", "en_S7", "NK on sanctions vs road demolition"),
    (
        "rssparser_uol_noticias_latin1_nodecl.rss#4",
        "en_S6",
        "Navalny sentenced 2018 vs Navalny death 2024",
    ),
    ("rsparser_aktuality_sk_2021.rss#6", "ru_S6", "Navalny detained 2021 vs Navalny death 2024"),
    ("rnrss_reuters_world_2018.xml#2", "en_S9", "US sanctions decision 2018 vs EU package 2024"),
    ("rssparser_jn_pt_latin1.rss#32", "ko_S7", "hotline reopened 2018 vs roads blown up 2024"),
]


def main():
    items = real_items()
    extra, keys, story = extra_items()
    ids = {x["id"] for x in items} | {x["id"] for x in extra}
    pairs = []

    def add(a, b, same, note):
        a, b = keys.get(a, a), keys.get(b, b)
        assert a in ids and b in ids and a != b, (a, b)
        pairs.append({"a": a, "b": b, "same": same, "note": note})

    for a, b, n in REAL_POS:
        add(a, b, True, n)
    groups = defaultdict(list)
    for x in extra:
        if story[x["id"]]:
            groups[story[x["id"]]].append(x["id"])
    for st, members in groups.items():
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                add(members[i], members[j], True, f"same story ({st})")
    for a, b, n in REAL_NEG + EXTRA_NEG + CROSS_NEG:
        add(a, b, False, n)
    seen = set()
    for p in pairs:
        k = frozenset((p["a"], p["b"]))
        assert k not in seen, p
        seen.add(k)

    def dump(name, rows):
        with open(HERE / name, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    dump("items.jsonl", items)
    dump("extra.jsonl", extra)
    dump("pairs.jsonl", pairs)

    for name, rows in (("items.jsonl", items), ("extra.jsonl", extra), ("all", items + extra)):
        print(f"== {name}: {len(rows)} items")
        langs = Counter(x["lang"] for x in rows)
        for lang, n in sorted(langs.items()):
            k = sum(1 for x in rows if x["lang"] == lang and K in x["themes"])
            r = sum(1 for x in rows if x["lang"] == lang and R in x["themes"])
            both = sum(
                1 for x in rows if x["lang"] == lang and K in x["themes"] and R in x["themes"]
            )
            print(f"  {lang}: {n:4d} items  korean-peninsula {k:3d}  russia {r:3d}  both {both:3d}")
        print(
            f"  total korean-peninsula {sum(K in x['themes'] for x in rows)}  russia {sum(R in x['themes'] for x in rows)}"
            f"  neither {sum(not x['themes'] for x in rows)}"
        )
    pos = sum(p["same"] for p in pairs)
    print(f"== pairs: {len(pairs)}  positive {pos}  negative {len(pairs) - pos}")
    xl = sum(
        1
        for p in pairs
        if p["same"]
        and {x["id"]: x["lang"] for x in items + extra}[p["a"]]
        != {x["id"]: x["lang"] for x in items + extra}[p["b"]]
    )
    print(f"   positive cross-language {xl}, same-language {pos - xl}")


if __name__ == "__main__":
    main()
