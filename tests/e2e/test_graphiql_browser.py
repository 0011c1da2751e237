"""GraphiQL in a real headless Chromium with no network beyond this machine, against `registry
serve` in development: the editor renders from the registry's own files and runs a query."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from registry.http.graphiql import ASSETS
from tests.e2e.serving import served_registry

pytestmark = pytest.mark.slow

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "graphiql.png"
DALIAN_CERTIFICATE = "CCSC23SC0102R2"
# The response editor's text (CodeMirror draws only the lines in view, so ask it).
RESPONSE = """
const editor = document.querySelector('.result-window .CodeMirror');
return editor ? editor.CodeMirror.getValue() : '';
"""


@pytest.fixture(autouse=True)
def _graphiql_installed() -> None:
    if not (ASSETS / "vendor" / "graphiql.min.js").is_file():
        reason = "GraphiQL's files are missing: run scripts/install-graphiql"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def test_graphiql_renders_and_runs_a_query_offline(browser: WebDriver, tmp_path: Path) -> None:
    browser.set_window_size(1280, 900)
    with served_registry(tmp_path / "registry-data", REGISTRY_ENV="development") as base:
        browser.get(f"{base}/graphql")
        wait = WebDriverWait(browser, 30)
        run = wait.until(
            expected_conditions.element_to_be_clickable(
                (By.CSS_SELECTOR, ".graphiql-execute-button")
            )
        )
        editor = browser.find_element(By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror")
        assert "verifyCertificate" in editor.text
        run.click()
        answer = wait.until(lambda driver: _answer(driver))
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        console = browser.get_log("browser")
        assert browser.save_screenshot(str(tmp_path / "graphiql.png"))

    verified = answer["data"]["verifyCertificate"]
    assert verified["certificate"]["number"] == DALIAN_CERTIFICATE, answer
    assert loaded, "the page loaded nothing?"
    assert all(str(url).startswith(base) for url in loaded), loaded  # nothing from elsewhere
    refused = [m["message"] for m in console if "Content Security Policy" in m["message"]]
    assert refused == []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "graphiql.png", SCREENSHOT)


def _answer(driver: WebDriver) -> dict[str, Any] | None:
    text = driver.execute_script(RESPONSE)
    if not text:
        return None
    answer: dict[str, Any] = json.loads(text)
    return answer
