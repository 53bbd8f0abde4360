"""How close digest's HTML (mjml-python + css-inline) looks to the official MJML compiler's.

Renders the example digest's MJML (config.example.toml's sources, as `make demo` previews
them) to HTML twice: with digest's `compile_mjml` (mjml-python, then css-inline for the
`<mj-style inline="inline">` rules) and with the official npm `mjml` (which inlines those rules
itself, with juice). Both are opened in headless Chromium at 375 and 700 px, screenshotted
full page, and compared pixel by pixel (in the browser, on a canvas). Prints the share of
pixels that differ (any channel off by more than 8 of 255; where the pages differ in height,
the extra rows all count as different). Target: at most 1%.

Needs node and npm (the npm package goes to bench/.node, ignored by git; installed on first
run) and /usr/bin/chromium (`make browser`). Without them it says what is missing, prints
"not measured" and exits 2: it never passes silently. Exits 1 when measured above the target.

    .venv/bin/python bench/fidelity.py [--list weekly-fr] [--keep DIR]
"""

from __future__ import annotations

import argparse
import base64
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.render import (  # noqa: E402
    HTML_TEMPLATE,
    RECIPIENT,
    UNSUBSCRIBE,
    compile_mjml,
    context,
    environment,
    template_dirs,
)
from tests.helpers import browser as browser_helper  # noqa: E402
from tests.helpers.example import example_issue  # noqa: E402

NODE_DIR = ROOT / "bench" / ".node"
MJML_PACKAGE = "mjml@5"
WIDTHS = (375, 700)
TARGET = 0.01
TOLERANCE = 8  # per channel, out of 255: anti-aliasing noise is not a difference

COMPILE_JS = """
const mjml = require(process.argv[1]);
let source = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { source += d; });
process.stdin.on('end', async () => {
  const out = await mjml(source, { validationLevel: 'soft', keepComments: false });
  for (const e of out.errors || []) console.error(e.formattedMessage || e.message);
  process.stdout.write(out.html);
});
"""

DIFF_JS = """async ([a, b, tolerance]) => {
  const load = (src) => new Promise((ok, fail) => {
    const img = new Image(); img.onload = () => ok(img); img.onerror = fail; img.src = src;
  });
  const [ia, ib] = await Promise.all([load(a), load(b)]);
  const w = Math.max(ia.width, ib.width), h = Math.max(ia.height, ib.height);
  const pixels = (img) => {
    const c = document.createElement('canvas'); c.width = w; c.height = h;
    const g = c.getContext('2d'); g.fillStyle = '#ff00ff'; g.fillRect(0, 0, w, h);
    g.drawImage(img, 0, 0); return g.getImageData(0, 0, w, h).data;
  };
  const pa = pixels(ia), pb = pixels(ib);
  let differing = 0;
  for (let i = 0; i < pa.length; i += 4) {
    if (Math.abs(pa[i] - pb[i]) > tolerance || Math.abs(pa[i + 1] - pb[i + 1]) > tolerance
        || Math.abs(pa[i + 2] - pb[i + 2]) > tolerance) differing++;
  }
  return {differing, total: w * h, heights: [ia.height, ib.height]};
}"""


class NotMeasured(Exception):
    pass


def official_mjml() -> Path:
    """The npm package's entry point, installed into bench/.node on first use."""
    entry = NODE_DIR / "node_modules" / "mjml"
    if not shutil.which("node"):
        raise NotMeasured("node is not installed (the official MJML compiler runs on it)")
    if not entry.is_dir():
        npm = shutil.which("npm")
        if not npm:
            raise NotMeasured("npm is not installed, and bench/.node holds no mjml package")
        print(f"installing {MJML_PACKAGE} into {NODE_DIR.relative_to(ROOT)} (once)...")
        done = subprocess.run(
            [npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", MJML_PACKAGE],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not entry.is_dir():
            raise NotMeasured(f"npm install {MJML_PACKAGE} failed: {done.stderr.strip()[-300:]}")
    return entry


def compile_official(entry: Path, source: str) -> tuple[str, str]:
    done = subprocess.run(
        ["node", "-e", COMPILE_JS, str(entry)],
        input=source,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise NotMeasured(f"npm mjml failed: {done.stderr.strip()[-500:]}")
    return done.stdout, done.stderr.strip()


def example_mjml(list_id: str) -> str:
    cfg, issue = example_issue(list_id)
    lst = cfg.get_list(list_id)
    ctx = context(issue, cfg.themes, cfg.settings.title, lst.title, cfg.settings.public_url)
    env = environment(template_dirs(cfg.settings.templates), issue.locale)
    return env.get_template(HTML_TEMPLATE).render(ctx)


def personal(html: str) -> str:
    return html.replace(UNSUBSCRIBE, "https://news.example.org/u/preview").replace(
        RECIPIENT, "reader@example.org"
    )


def version(entry: Path) -> str:
    import json

    return str(json.loads((entry / "package.json").read_text())["version"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", default="weekly-en", help="example list (default weekly-en)")
    parser.add_argument("--keep", type=Path, help="write both HTML files and screenshots here")
    args = parser.parse_args()
    try:
        reason = browser_helper.missing()
        if reason:
            raise NotMeasured(reason)
        entry = official_mjml()
        source = example_mjml(args.list)
        started = time.perf_counter()
        ours = personal(compile_mjml(source))
        ours_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        theirs, warnings = compile_official(entry, source)
        theirs_ms = (time.perf_counter() - started) * 1000
        theirs = personal(theirs)
    except NotMeasured as exc:
        print(f"fidelity: not measured: {exc}", file=sys.stderr)
        return 2

    print(f"example digest: {args.list}, MJML source {len(source.encode()) / 1024:.1f} KB")
    print(f"mjml-python + css-inline: {len(ours.encode()) / 1024:6.1f} KB HTML ({ours_ms:.0f} ms)")
    print(
        f"npm mjml {version(entry):<16} {len(theirs.encode()) / 1024:6.1f} KB HTML "
        f"({theirs_ms:.0f} ms, node start-up included)"
    )
    if warnings:
        print(f"npm mjml warnings: {warnings}")
    worst = 0.0
    with browser_helper.launched() as browser:
        shots: dict[tuple[str, int], bytes] = {}
        for name, html in (("mjml-python", ours), ("npm-mjml", theirs)):
            for width in WIDTHS:
                with browser_helper.open_html(browser, html, width) as page:
                    shots[name, width] = page.screenshot(full_page=True)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"{name}.html").write_text(html, encoding="utf-8")
                    (args.keep / f"{name}-{width}.png").write_bytes(shots[name, width])
        with browser_helper.open_html(browser, "<!doctype html><title>diff</title>", 100) as page:
            for width in WIDTHS:
                a, b = (
                    "data:image/png;base64," + base64.b64encode(shots[n, width]).decode()
                    for n in ("mjml-python", "npm-mjml")
                )
                found = page.evaluate(DIFF_JS, [a, b, TOLERANCE])
                share = found["differing"] / found["total"]
                worst = max(worst, share)
                ha, hb = found["heights"]
                print(
                    f"{width:4d} px wide: {share * 100:6.3f}% of pixels differ "
                    f"({found['differing']} of {found['total']}; page heights {ha} / {hb} px)"
                )
    met = worst <= TARGET
    print(f"target <= {TARGET * 100:.0f}%: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
