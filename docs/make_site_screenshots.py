"""Screenshots of the built documentation site for the docs (docs/site-api.png, docs/site-tutorial-b.png).

    mkdocs build --strict                      # writes site/
    python docs/make_site_screenshots.py [SITE_DIR]

Headless Chromium (``apt-get install -y chromium``; not a CI dependency) opens the pages from
file:// URLs, so no web server and no network are needed. The API page is shown from its top
(``load_instance``, ``Instance``); tutorial b from its top down to the inline SVG map (a
tall window: Chromium's headless screenshot ignores a #fragment to scroll to).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from make_report_screenshot import screenshot

DOCS = Path(__file__).resolve().parent
#: (page in the site, PNG in docs/, window height in pixels)
SHOTS = [
    ("api/revopt/index.html", "site-api.png", 1400),
    ("tutorials/b-demo/index.html", "site-tutorial-b.png", 3300),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path, nargs="?", default=DOCS.parent / "site")
    ap.add_argument("--width", type=int, default=1280)
    a = ap.parse_args(argv)
    for page, png, height in SHOTS:
        html = a.site / page
        if not html.is_file():
            raise SystemExit(f"{html}: not found; build the site first (mkdocs build --strict)")
        print(screenshot(html, DOCS / png, width=a.width, height=height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
