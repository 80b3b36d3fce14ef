"""searchlib serve in a real browser: Debian's chromium driven by Selenium against a real
uvicorn server on a free loopback port.

Nothing is downloaded at run time: the driver path is given explicitly. Without chromium,
chromedriver or selenium the tests skip with the reason, except when
SEARCHLIB_REQUIRE_BROWSER=1 (CI), where that is a failure. The search page's screenshot is
written to $SEARCHLIB_SCREENSHOT (default: a temporary directory).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchlib import Index
from searchlib._sample import sample_articles

#: A real browser and server: deselected by the default run, run by ``pytest -m integration``.
pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: A script that ran would leave this in the page title.
PWNED = "DIRETAS"
HOSTILE = {
    "id": "hostile-browser",
    "title": f"<img src=x onerror=\"document.title='{PWNED}'\">Pawai <script>document.title="
    f"'{PWNED}'</script> budaya",
    "body": f"Pawai budaya <script>document.title='{PWNED}'</script> berlangsung meriah "
    f"<svg onload=\"document.title='{PWNED}'\"> di alun-alun, <b onmouseover=alert(1)>kota</b> "
    "penuh warga. onerror=alert(2) tertulis di spanduk pawai.",
    "date": "2024-05-01",
    "category": "budaya",
    "source": "Warta Contoh",
    "url": "javascript:document.title='DIRETAS'",
}


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        reason = (
            f"browser test needs {', '.join(missing)} "
            "(apt-get install chromium chromium-driver; pip install '.[test]')"
        )
        if os.environ.get("SEARCHLIB_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; SEARCHLIB_REQUIRE_BROWSER=1 forbids skipping")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``searchlib serve`` in a subprocess, as a user would start it."""

    def __init__(self, workdir: Path, *args: str, cache: Path | None = None) -> None:
        self.log = workdir / "serve.log"
        env = {**os.environ, "SEARCHLIB_CACHE": str(cache or workdir / "cache")}
        env.pop("SEARCHLIB_TOKEN", None)
        for _attempt in range(3):  # a free port can be taken between the probe and the bind
            self.port = _free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            command = [sys.executable, "-c", "from searchlib.cli import main; main()"]
            with self.log.open("w") as log:
                self.proc = subprocess.Popen(
                    [*command, "serve", "--port", str(self.port), *args],
                    cwd=workdir,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_ready():
                return
            self.stop()
        raise AssertionError(f"searchlib serve did not start:\n{self.log.read_text()}")

    def _wait_ready(self, timeout: float = 90.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="module")
def driver(tmp_path_factory) -> Iterator[object]:
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1100,900")
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    browser.implicitly_wait(5)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory, sample_cache) -> Iterator[Server]:
    """No index configured: the built-in sample, as after ``pip install`` (already built
    in the run's shared cache)."""
    _require_browser()
    server = Server(tmp_path_factory.mktemp("serve-sample"), cache=sample_cache)
    try:
        yield server
    finally:
        server.stop()


def _search(browser, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = browser.find_element(By.ID, "q")
    label = browser.find_element(By.CSS_SELECTOR, "label[for='q']")
    assert label.text == "Kata kunci"
    box.clear()
    box.send_keys(text + Keys.ENTER)  # the keyboard submits the plain GET form


def _console_errors(browser) -> list[str]:
    """Errors the page caused: a Content-Security-Policy violation (inline script or style,
    an outside asset) or a missing resource is reported here."""
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def _wait_for(browser, condition, timeout: float = 10.0) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout).until(lambda b: condition(b))


def test_search_facet_and_next_page(driver, sample_server, tmp_path):
    from selenium.webdriver.common.by import By

    browser = driver
    browser.get(sample_server.url + "/?limit=2")
    assert browser.find_elements(By.CSS_SELECTOR, "form[role='search']")
    _search(browser, "Amazon Rusia")
    _wait_for(browser, lambda b: "q=Amazon+Rusia" in b.current_url)
    first = browser.find_elements(By.CSS_SELECTOR, "li.hit")[0]
    title = first.find_element(By.CSS_SELECTOR, ".title").text
    assert "Amazon" in title and "Rusia" in title
    marked = {m.text.lower() for m in first.find_elements(By.CSS_SELECTOR, ".snippet mark")}
    assert {"amazon", "rusia"} <= marked, marked
    # The stylesheet (our own, under the CSP) applied: marks are highlighted.
    background = first.find_element(By.TAG_NAME, "mark").value_of_css_property("background-color")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background

    _search(browser, "anak")
    _wait_for(browser, lambda b: "q=anak" in b.current_url and "limit=2" in b.current_url)
    facet = next(
        a
        for a in browser.find_elements(By.CSS_SELECTOR, "a[data-facet='category']")
        if a.text.split()[0] == "kesehatan"
    )
    facet.click()
    _wait_for(browser, lambda b: "category=kesehatan" in b.current_url)
    page_one = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.hit .title")]
    categories = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.hit .category")}
    assert len(page_one) == 2 and {c.lower() for c in categories} == {"kesehatan"}
    assert "Halaman 1 dari 3" in browser.find_element(By.CSS_SELECTOR, "nav.pages").text

    browser.find_element(By.CSS_SELECTOR, "a[rel='next']").click()
    _wait_for(browser, lambda b: "page=2" in b.current_url)
    assert "Halaman 2 dari 3" in browser.find_element(By.CSS_SELECTOR, "nav.pages").text
    page_two = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.hit .title")]
    assert len(page_two) == 2 and not set(page_two) & set(page_one)
    categories = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.hit .category")}
    assert {c.lower() for c in categories} == {"kesehatan"}
    assert browser.find_element(By.CSS_SELECTOR, "ol.hits").get_attribute("start") == "3"
    assert _console_errors(browser) == []

    # The screenshot for the README: a search with several hits, facets and pages.
    browser.get(sample_server.url + "/?q=Amazon+OR+Rusia&limit=4")
    _wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "li.hit"))
    target = Path(os.environ.get("SEARCHLIB_SCREENSHOT") or tmp_path / "serve.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hostile_document_shows_as_text_and_runs_nothing(driver, tmp_path):
    """The document is committed by this process after the server started: the server
    shows it without a restart, its markup as text, and no script of it runs."""
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    lines = sample_articles().read_text(encoding="utf-8").splitlines()
    with Index.create(tmp_path / "ix") as ix:
        ix.add(json.loads(line) for line in lines if line.strip())
    server = Server(tmp_path, "--index", str(tmp_path / "ix"))
    try:
        with Index.open(tmp_path / "ix") as ix:
            ix.add([HOSTILE])
        browser = driver
        browser.get(server.url + "/")
        _search(browser, "pawai budaya")
        _wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "li.hit"))
        time.sleep(0.5)  # give any (wrongly) injected handler a chance to fire
        hit = browser.find_elements(By.CSS_SELECTOR, "li.hit")[0]
        title = hit.find_element(By.CSS_SELECTOR, ".title").text
        assert "<img src=x onerror=" in title and "<script>" in title
        snippet = hit.find_element(By.CSS_SELECTOR, ".snippet").text
        assert "<script>" in snippet and "onerror=" in snippet
        assert "javascript:" in hit.find_element(By.CSS_SELECTOR, ".url").text
        assert not hit.find_elements(By.CSS_SELECTOR, ".title a")  # not a link
        assert PWNED not in browser.title
        assert not browser.find_elements(By.CSS_SELECTOR, "script, img, svg, b, iframe")
        try:
            browser.switch_to.alert.dismiss()
            raise AssertionError("a script from the document opened an alert")
        except NoAlertPresentException:
            pass
        assert browser.execute_script("return document.scripts.length") == 0
        assert _console_errors(browser) == []
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
