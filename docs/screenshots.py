"""Regenerate the explorer's screenshots in the manual (docs/images/explore-*.png).

Builds the static page of ``optbench explore rosenbrock`` in the light and dark themes, in English
and Russian, opens each in headless Chromium (Debian's chromium and chromium-driver, selenium),
moves SGD's rate to 2 eta_max and the step scrubber to 150, and saves the explorer's picture.

    python docs/screenshots.py
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from optbench.cli import main

HERE = Path(__file__).parent / "images"


def shoot(driver, html: Path, png: Path) -> None:
    driver.get(html.as_uri())
    time.sleep(1.0)
    driver.execute_script(
        "for (const [sel, v] of [[\".ob-lr[data-lane='0']\", 10], ['.ob-step', 150]]) {"
        " const s = document.querySelector(sel); s.value = v;"
        " s.dispatchEvent(new Event('input')); }"
    )
    time.sleep(0.5)
    r = driver.find_element("css selector", ".ob-explorer").rect
    shot = Image.open(io.BytesIO(driver.get_screenshot_as_png()))
    box = (int(r["x"]), int(r["y"]), int(r["x"] + r["width"]), int(r["y"] + r["height"]))
    shot.crop(box).convert("RGB").save(png, optimize=True)
    print(png)


def main_() -> None:
    opts = Options()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1100,760", "--hide-scrollbars"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts, service=Service(shutil.which("chromedriver")))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for theme in ("light", "dark"):
                for lang in ("en", "ru"):
                    html = Path(tmp) / f"{theme}-{lang}.html"
                    argv = ["explore", "rosenbrock", "--theme", theme, "--lang", lang]
                    assert main([*argv, "-o", str(html)]) == 0
                    shoot(driver, html, HERE / f"explore-{theme}-{lang}.png")
    finally:
        driver.quit()


if __name__ == "__main__":
    main_()
