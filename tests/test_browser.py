"""The search form in a real browser: headless Chromium driven by Selenium."""
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.serving import make_server

from searchsvc import create_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).parent / "screenshots"

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium and chromium-driver")
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def live_server(seeds_index):
    app = create_app({"TESTING": True, "INDEX_DIR": str(seeds_index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1200,900",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_search_facet_and_article_flow(browser, live_server):
    wait = WebDriverWait(browser, 10)
    browser.get(live_server + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("asylum")
    browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits li.hit")))

    assert parse_qs(urlsplit(browser.current_url).query)["q"] == ["asylum"]
    marks = browser.find_elements(By.CSS_SELECTOR, ".snippet mark")
    assert marks and all(mark.text.lower().startswith("asylum") for mark in marks)
    summary = browser.find_element(By.CSS_SELECTOR, ".summary").text
    assert summary.startswith("5 articles")

    cnn = browser.find_element(By.XPATH, "//section[@aria-labelledby='facet-outlet']"
                                         "//a[.//span[@class='value' and text()='CNN']]")
    cnn.click()
    wait.until(EC.url_contains("outlet=CNN"))
    assert browser.find_element(By.CSS_SELECTOR, ".summary").text.startswith("1 article")
    hits = browser.find_elements(By.CSS_SELECTOR, "ol.hits li.hit")
    assert len(hits) == 1 and "CNN" in hits[0].text
    # Other outlets keep their counts (multi-select), CNN shows as selected.
    selected = browser.find_element(By.CSS_SELECTOR, ".facet li.selected")
    assert "CNN" in selected.text
    rows = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby='facet-outlet'] li")
    assert len(rows) == 5

    SCREENSHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "search-facet.png"))

    browser.find_element(By.CSS_SELECTOR, "ol.hits li.hit h3 a").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "article h1")))
    assert "/articles/001_239a778613941eab" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "article .body mark")
    assert "CNN" in browser.find_element(By.CSS_SELECTOR, "dl.meta").text
    browser.save_screenshot(str(SCREENSHOTS / "article.png"))
    assert (SCREENSHOTS / "article.png").stat().st_size > 10_000

    # Back to exactly those results, then a bar of the year chart narrows them to its year.
    browser.find_element(By.LINK_TEXT, "← Back to results").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "ol.hits li.hit")))
    assert parse_qs(urlsplit(browser.current_url).query) == {
        "q": ["asylum"], "sort": ["relevance"], "outlet": ["CNN"]}
    browser.find_element(By.CSS_SELECTOR, "figure.chart svg a").click()
    wait.until(EC.url_contains("year=2011"))
    assert browser.find_element(By.CSS_SELECTOR, ".summary").text.startswith("1 article")


def test_articles_with_some_of_the_words_are_set_apart(browser, live_server):
    browser.get(live_server + "/search?q=asylum+geneva")
    heading = browser.find_element(By.CSS_SELECTOR, "h2.partial-heading")
    assert heading.is_displayed() and heading.text == "Articles with some of the words"
    assert len(browser.find_elements(By.CSS_SELECTOR, "ol.hits:not(.partial) li.hit")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "ol.hits.partial li.hit")) == 3


def test_year_chart_shows_counts_or_share_from_the_timeline(browser, live_server):
    import json
    from urllib.request import urlopen

    browser.get(live_server + "/search?q=diplomat+OR+defectors&year=2011")
    figure = browser.find_element(By.CSS_SELECTOR, "figure.chart")
    with urlopen(live_server + figure.get_attribute("data-timeline")) as response:
        periods = {p["start"][:4]: p for p in json.load(response)["periods"]}

    def titles():
        return {rect.get_attribute("data-year"): rect.get_attribute("textContent")
                for rect in figure.find_elements(By.CSS_SELECTOR, "rect[data-year]")}

    counts = titles()
    assert counts["2011"] == f"2011: {periods['2011']['matches']} articles"
    figure.find_element(By.CSS_SELECTOR, "button[data-mode=share]").click()
    WebDriverWait(browser, 10).until(lambda _: figure.get_attribute("data-mode") == "share")
    share = periods["2022"]
    assert titles()["2022"] == (f"2022: {100 * share['share']:.2f}% of {share['articles']} "
                                "articles")
    assert figure.find_element(By.TAG_NAME, "figcaption").text == "Share of each year's articles"
    heights = {rect.get_attribute("data-year"): int(rect.get_attribute("height"))
               for rect in figure.find_elements(By.CSS_SELECTOR, "rect[data-year]")}
    assert heights["2022"] == 80        # the larger share fills the chart
    figure.find_element(By.CSS_SELECTOR, "button[data-mode=count]").click()
    WebDriverWait(browser, 10).until(lambda _: figure.get_attribute("data-mode") == "count")
    assert titles() == counts


def test_phone_width_layout(browser, live_server):
    browser.set_window_size(390, 844)
    try:
        browser.get(live_server + "/search?q=Myanmar")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, "page scrolls sideways at phone width"
        SCREENSHOTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "phone.png"))
    finally:
        browser.set_window_size(1200, 900)


AXE_JS = Path(__file__).parent / ".node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("path", ["/search?q=asylum&outlet=CNN", "/search?q=diplomta",
                                  "/search?q=asylum+geneva",
                                  "/articles/000_63fb707cc87ede63?q=defect",
                                  "/concordance?q=defect*&per_page=3"])
def test_pages_have_no_accessibility_violations(browser, live_server, path):
    """Run axe-core (WCAG 2 A/AA rules: labels, contrast, landmarks, ...) on each page kind."""
    if not AXE_JS.exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI must install axe-core (see .ci/run)")
        pytest.skip("axe-core not installed: npm install --prefix tests/.node axe-core@4")
    browser.get(live_server + path)
    browser.execute_script(AXE_JS.read_text(encoding="utf-8"))
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})
           .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' ' +
                 v.nodes.map(n => n.target.join(' ')).join(', '))));
    """)
    assert result == []
