"""Every page for people in a real headless Chromium against a real `registry serve`, on a
phone (390 px) and a desktop (1280 px): its content, no sideways scrolling on the phone, no
Content-Security-Policy complaint, zero axe-core violations, and a screenshot kept in
docs/screenshots/.

axe-core comes from scripts/install-axe (tests/e2e/vendor, not committed) and is injected by
the test through WebDriver; the registry never serves it.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import zxingcpp
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.e2e.serving import start_registry, stop_registry
from tests.e2e.test_serve import _registry

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE, DESKTOP = 390, 1280
DALIAN_CERTIFICATE = "CCSC23SC0102R2"
DALIAN_PRODUCT_INSTITUTE = "12210211760664248H"
CCSC = "91110101940807760M"
ASSESSED_CERTIFICATES = ("CCSC17SC0100", "CCSC18SC0500")  # Dalian, with seeded assessments
HEPING_STATION = "1221010232988047XL"
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => n.target.join(' '))}))))
  .catch(error => done([{id: 'axe-error', help: String(error), nodes: []}]));
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One seeded `registry serve` for every page, and a PARTNER key acting for CCSC."""
    data = tmp_path_factory.mktemp("pages") / "registry-data"
    base, process = start_registry(data)
    try:
        made = _registry("keys", "create", "--role", "PARTNER", "--institution", CCSC, data=data)
        assert made.returncode == 0, made.stderr
        yield base, made.stdout.strip().splitlines()[-1]
    finally:
        stop_registry(process)


@pytest.fixture
def axe_source() -> str:
    if not AXE.is_file():
        reason = f"{AXE} missing: run scripts/install-axe"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


def _show(browser: WebDriver, url: str, width: int) -> None:
    """Open ``url`` in a viewport ``width`` wide (a phone's when narrow)."""
    metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 800}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    browser.get(url)


def _check_the_page(browser: WebDriver, axe: str, width: int) -> None:
    """Stylesheet applied, nothing blocked, no sideways scrolling on a phone, axe is happy."""
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.value_of_css_property("font-size") == "22.4px"  # the stylesheet ran
    blocked = [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]
    assert blocked == []
    scroll_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll_width <= width
    browser.set_script_timeout(60)
    browser.execute_script(axe)
    violations: list[dict[str, Any]] = browser.execute_async_script(RUN_AXE)
    assert violations == [], "\n".join(map(str, violations))


def _screenshot(browser: WebDriver, name: str, width: int, tmp_path: Path) -> None:
    """The whole page in one picture, copied into docs/screenshots/."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    metrics = {"width": width, "height": int(height), "deviceScaleFactor": 1}
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {**metrics, "mobile": width < 800}
    )
    shot = tmp_path / f"{name}-{width}.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOTS / f"{name}-{width}.png")


def _text(browser: WebDriver, element_id: str) -> str:
    return " ".join(browser.find_element(By.ID, element_id).text.split())


def _verify(browser: WebDriver) -> None:
    assert _text(browser, "verdict-word") in {"有效 VALID", "无效 NOT VALID"}
    assert "2023-12-15" in _text(browser, "timeline")
    issuer = _text(browser, "issuer")
    assert "中国船级社质量认证有限公司" in issuer
    assert browser.find_element(By.CSS_SELECTOR, f'#issuer a[href="/institutions/{CCSC}"]')


def _stars_explained(browser: WebDriver) -> None:
    """How the stars were earned, Chinese first with the English beside it, and the issuer's
    complaint counts beside its grade."""
    section = _text(browser, "stars-explained")
    assert section.startswith("星级评定依据 How the stars were earned")
    sentence = _text(browser, "stars-sentence")
    assert sentence.startswith("依据CCSC-SC-JYJC-2017")
    assert "A weighted total of" in sentence
    assert sentence.index("加权总分") < sentence.index("A weighted total")
    rows = browser.find_elements(By.CSS_SELECTOR, "#stars-elements tbody tr")
    assert len(rows) == 4
    assert "The certificate carries the stars it earned." in section
    assert "收到投诉 Received" in _text(browser, "complaint-summary")


def _signed_and_explained(browser: WebDriver) -> None:
    assert _text(browser, "signature-word") == "签名有效 SIGNATURE VALID"
    assert _text(browser, "verdict-word") in {"有效 VALID", "无效 NOT VALID"}
    _stars_explained(browser)


def _station(browser: WebDriver) -> None:
    assert "检验检测服务 Inspection and testing" in _text(browser, "station-services")
    assert "站长 Station master" in _text(browser, "station-staff")
    chart = browser.find_element(By.CSS_SELECTOR, "#station-performance svg.chart")
    assert chart.get_attribute("role") == "img"
    assert _text(browser, "data-quality-score")
    assert "收到投诉 Received" in _text(browser, "complaint-summary")


def _institution(browser: WebDriver) -> None:
    assert _text(browser, "institution-name") == "大连产品质量检验检测研究院"
    assert _text(browser, "accreditation-table")
    chart = browser.find_element(By.CSS_SELECTOR, "#credit svg.chart")
    assert chart.get_attribute("role") == "img"
    assert chart.size["width"] > 200
    assert _text(browser, "supervision-class")
    assert _text(browser, "rank-line")
    assert "收到投诉 Received" in _text(browser, "complaint-summary")
    assert "No certificates issued" in _text(browser, "data-quality")
    assert "5星 5-star" in _text(browser, "benchmark-table")


def _ranking(browser: WebDriver) -> None:
    rows = browser.find_elements(By.CSS_SELECTOR, "#ranking-table tbody tr")
    assert rows
    assert rows[0].find_element(By.TAG_NAME, "td").text == "1"


def _region(browser: WebDriver) -> None:
    assert _text(browser, "region-name").startswith("大连市")
    assert "机构数 Institutions" in _text(browser, "region-statistics")
    assert browser.find_elements(By.CSS_SELECTOR, "#sub-region-table a[href^='/regions/']")


PAGES: dict[str, tuple[str, Callable[[WebDriver], None]]] = {
    "verify": (f"/verify?number={DALIAN_CERTIFICATE}", _verify),
    "institution": (f"/institutions/{DALIAN_PRODUCT_INSTITUTE}", _institution),
    "ranking": ("/ranking?region=210000", _ranking),
    "region": ("/regions/210200", _region),
    "verify-service": (f"/verify?number={ASSESSED_CERTIFICATES[1]}", _stars_explained),
    "station": (f"/institutions/{HEPING_STATION}", _station),
}


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_reads_well_and_passes_axe_on_a_phone_and_a_desktop(
    browser: WebDriver,
    served: tuple[str, str],
    axe_source: str,
    tmp_path: Path,
    name: str,
    width: int,
) -> None:
    base, _ = served
    path, check = PAGES[name]
    _show(browser, f"{base}{path}", width)
    check(browser)
    _check_the_page(browser, axe_source, width)
    _screenshot(browser, name, width, tmp_path)


def test_a_keyed_browser_sees_the_certificate_list_the_public_does_not(
    browser: WebDriver, served: tuple[str, str], axe_source: str
) -> None:
    base, partner_key = served
    _show(browser, f"{base}/institutions/{CCSC}", PHONE)
    assert "API key" in _text(browser, "certificate-list-note")
    assert not browser.find_elements(By.ID, "certificate-list")
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Bearer {partner_key}"}}
    )
    _show(browser, f"{base}/institutions/{CCSC}", PHONE)
    assert DALIAN_CERTIFICATE in _text(browser, "certificate-list")
    _check_the_page(browser, axe_source, PHONE)


def _qr_link(base: str, number: str) -> str:
    """The path of the link the certificate's served QR code holds, read out of the PNG as
    a phone camera would."""
    image = httpx.get(f"{base}/certificates/{number}/qr.png", timeout=30)
    assert image.status_code == 200
    found = zxingcpp.read_barcode(Image.open(io.BytesIO(image.content)))
    assert found is not None, "no QR code in the image"
    link = urlsplit(str(found.text))
    assert link.path.startswith("/v/")
    return link.path


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_qr_link_opens_the_verdict_with_the_stars_explained(
    browser: WebDriver, served: tuple[str, str], axe_source: str, tmp_path: Path, width: int
) -> None:
    base, _ = served
    _show(browser, f"{base}{_qr_link(base, ASSESSED_CERTIFICATES[0])}", width)
    _signed_and_explained(browser)
    _check_the_page(browser, axe_source, width)
    _screenshot(browser, "v-token", width, tmp_path)
