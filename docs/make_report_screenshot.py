"""Render a report.html to a PNG with headless Chromium (used for docs/plan-report.png).

    python docs/make_report_screenshot.py out/havenkade/report.html [docs/plan-report.png] [--height 2600]

Chromium is a Debian package here (``apt-get install -y chromium``); it reads the page
from a file:// URL and needs no network.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def screenshot(html: Path, png: Path, *, width: int = 1100, height: int = 2600) -> Path:
    """Write a PNG of the page ``html`` as Chromium shows it in a window of the given size."""
    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if exe is None:
        raise SystemExit("no Chromium found: apt-get install -y chromium")
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--virtual-time-budget=10000",  # let the page's scripts finish before the shot
               f"--user-data-dir={profile}", f"--window-size={width},{height}",
               f"--screenshot={png.resolve()}", html.resolve().as_uri()]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0 or not png.is_file():
        raise SystemExit(f"chromium failed ({r.returncode}): {r.stderr[-2000:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("png", type=Path, nargs="?", default=Path(__file__).with_name("plan-report.png"))
    ap.add_argument("--width", type=int, default=1100)
    ap.add_argument("--height", type=int, default=2600)
    a = ap.parse_args(argv)
    print(screenshot(a.html, a.png, width=a.width, height=a.height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
