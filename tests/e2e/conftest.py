"""Shared end-to-end fixtures: a served registry with a PARTNER and an ADMIN key, and headless
Chromium that can reach this machine only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from tests.e2e.serving import start_registry, stop_registry
from tests.e2e.test_serve import _registry

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE_WIDTH = 412
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    # Offline: every host name but this machine's resolves to nothing, so a page that needs
    # anything from elsewhere (a CDN) fails here as it would with no network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    f"--window-size={PHONE_WIDTH},800",
]


@pytest.fixture
def served_with_keys(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The base URL of `registry serve` on fresh seeded data, and a key per role."""
    data = tmp_path / "registry-data"
    base, process = start_registry(data)
    try:
        keys = {}
        for role in ("PARTNER", "ADMIN"):
            created = _registry("keys", "create", "--role", role, data=data)
            assert created.returncode == 0, created.stderr
            keys[role] = created.stdout.strip().splitlines()[-1]
        yield base, keys
    finally:
        stop_registry(process)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Chromium through the Debian chromedriver (selenium-manager is never asked),
    phone-wide, offline, keeping the console's messages for ``get_log("browser")``."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        reason = f"{' and '.join(missing)} missing: run scripts/install-browser"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(str(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()
