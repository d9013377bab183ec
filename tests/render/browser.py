"""Headless Chromium for the HTML report's tests, from Debian's ``chromium`` and
``chromium-driver`` packages (``.ci/run`` installs them; browser downloads are not reachable).

Selenium Manager is bypassed: the driver path is given, so nothing is fetched.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

_BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _binaries() -> tuple[str, str] | None:
    driver = shutil.which("chromedriver")
    browser = next((found for name in _BROWSERS if (found := shutil.which(name))), None)
    return (browser, driver) if browser and driver else None


def missing_reason() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    if _binaries() is None:
        return (
            "headless Chromium is not installed: apt-get install chromium chromium-driver "
            "(.ci/run does)"
        )
    return None


@contextmanager
def chromium(width: int = 1400, height: int = 900) -> Iterator[webdriver.Chrome]:
    """A headless Chromium; ``--no-sandbox`` because CI runs as root, where Chromium's
    sandbox refuses to start."""
    found = _binaries()
    assert found is not None, missing_reason()
    browser, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    try:
        yield chrome
    finally:
        chrome.quit()


def disk_sources(root: str, path: str) -> str | None:
    """The reader the CLI is expected to pass ``write_html``: ``root / path``, or ``root``
    when it is a file."""
    file = Path(root)
    if not file.is_file():
        file = file / path
    try:
        return file.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
