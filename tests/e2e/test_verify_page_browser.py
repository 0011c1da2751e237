"""The verification page in a real headless Chromium against a real `registry serve`."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from graph.clock import registry_today
from tests.e2e.conftest import PHONE_WIDTH
from tests.e2e.serving import served_registry

pytestmark = pytest.mark.slow

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "verify-result.png"
DALIAN_CERTIFICATE = "CCSC23SC0102R2"
DALIAN_CERTIFICATE_EXPIRES = date(2026, 12, 14)  # seeds/certificates.json


def _expected_verdict(today: date) -> str:
    """The seeded certificate is valid until it expires; the test stays true after that."""
    return "有效 VALID" if today <= DALIAN_CERTIFICATE_EXPIRES else "无效 NOT VALID"


def test_a_person_types_a_seeded_number_and_reads_the_verdict(
    browser: WebDriver, tmp_path: Path
) -> None:
    with served_registry(tmp_path / "registry-data") as base:
        browser.get(f"{base}/verify")
        label = browser.find_element(By.CSS_SELECTOR, "label[for=number]")
        assert label.text == "证书编号 Certificate number"
        browser.find_element(By.ID, "number").send_keys(DALIAN_CERTIFICATE)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        verdict = WebDriverWait(browser, 10).until(
            expected_conditions.visibility_of_element_located((By.ID, "verdict-word"))
        )
        today = registry_today()
        assert verdict.text == _expected_verdict(today)
        assert f"number={DALIAN_CERTIFICATE}" in browser.current_url
        # The stylesheet passed the Content-Security-Policy: the verdict box has its colour.
        box = browser.find_element(By.ID, "verdict")
        assert box.value_of_css_property("border-left-width") == "12px"
        facts = browser.find_element(By.ID, "facts").text
        assert DALIAN_CERTIFICATE in facts
        assert "大连产品质量检验检测研究院" in facts
        _fit_the_page_on_a_phone_screen(browser)
        screenshot = tmp_path / "verify-result.png"
        assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, SCREENSHOT)


def _fit_the_page_on_a_phone_screen(browser: WebDriver) -> None:
    """A phone-wide viewport as tall as the page, so one screenshot shows all of it."""
    metrics = {"width": PHONE_WIDTH, "deviceScaleFactor": 1, "mobile": True}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": 800})
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {**metrics, "height": int(height)}
    )
