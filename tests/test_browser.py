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


def _serve(index_dir):
    """Serve an index on a free port while the fixture lasts; yield its base URL."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def many_authors_server(tmp_path_factory, registry):
    """A live server over 20 articles by 20 authors: a facet list long enough to fold."""
    from builders import jsonl_service
    work = tmp_path_factory.mktemp("many-authors")
    jsonl_service(work, registry, [
        {"id": f"r{n}", "title": f"Port story {n}", "body": f"The port, day {n}.",
         "authors": f"{'Ann' if n % 4 else 'Bo'} Writer{n:02d}"} for n in range(20)])
    yield from _serve(work / "ix")


def test_show_all_and_the_facet_filter_box(browser, many_authors_server):
    browser.get(many_authors_server + "/search?q=port")
    section = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='facet-author']")
    more = section.find_element(By.CSS_SELECTOR, "details.more")
    box = more.find_element(By.CSS_SELECTOR, "input.facet-filter")
    assert not box.is_displayed()
    more.find_element(By.TAG_NAME, "summary").click()
    listed = more.find_elements(By.CSS_SELECTOR, "li")
    assert len(listed) == 20 and all(item.is_displayed() for item in listed)
    box.send_keys("bo w")
    shown = [item.text for item in listed if item.is_displayed()]
    assert len(shown) == 5 and all("Bo Writer" in text for text in shown)
    box.clear()
    box.send_keys(" ")          # an input event with nothing to match on shows every value
    assert all(item.is_displayed() for item in listed)


def test_search_facet_and_article_flow(browser, live_server):
    wait = WebDriverWait(browser, 10)
    browser.get(live_server + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("asylum")
    browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]").click()
    # The front page lists hits too: wait for the search's own page, not any list of hits.
    wait.until(EC.url_contains("q=asylum"))
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
    # One article, of July 2011: the chart is by month, and its bar sets the day range.
    browser.find_element(By.CSS_SELECTOR, "figure.chart svg a").click()
    wait.until(EC.url_contains("from=2011-07&to=2011-07"))
    assert browser.find_element(By.CSS_SELECTOR, ".summary").text.startswith("1 article")


def test_articles_with_some_of_the_words_are_set_apart(browser, live_server):
    browser.get(live_server + "/search?q=asylum+geneva")
    heading = browser.find_element(By.CSS_SELECTOR, "h2.partial-heading")
    assert heading.is_displayed() and heading.text == "Articles with some of the words"
    assert len(browser.find_elements(By.CSS_SELECTOR, "ol.hits:not(.partial) li.hit")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "ol.hits.partial li.hit")) == 3


def _viewport(browser, width, height):
    """Resize the window so that the page's viewport is `width` CSS pixels wide."""
    browser.set_window_size(width, height)
    inner = browser.execute_script("return window.innerWidth")
    browser.set_window_size(2 * width - inner, height)


def _top(element):
    return element.location["y"]
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
    """At 390 px the filters come folded above the results; a tap opens them."""
    _viewport(browser, 390, 844)
    try:
        browser.get(live_server + "/search?q=Myanmar&outlet=CNN&outlet=The+Irrawaddy")
        assert browser.execute_script("return window.innerWidth") == 390
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, "page scrolls sideways at phone width"
        filters = browser.find_element(By.CSS_SELECTOR, "details.filters")
        summary = filters.find_element(By.TAG_NAME, "summary")
        first_hit = browser.find_element(By.CSS_SELECTOR, "ol.hits li.hit")
        assert summary.is_displayed() and summary.text == "Filters (2 active)"
        assert filters.get_attribute("open") is None
        assert _top(summary) < _top(first_hit)
        assert _top(first_hit) < 844, "the first result is on the first screen"
        SCREENSHOTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "phone-390.png"))
        summary.click()
        outlet = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='facet-outlet']")
        assert outlet.is_displayed() and _top(outlet) < _top(first_hit)
        browser.save_screenshot(str(SCREENSHOTS / "phone-390-filters-open.png"))
    finally:
        browser.set_window_size(1200, 900)


def test_desktop_width_layout(browser, live_server):
    """At 1280 px the filters are open in a column beside the results, with no summary."""
    _viewport(browser, 1280, 900)
    try:
        browser.get(live_server + "/search?q=Myanmar")
        filters = browser.find_element(By.CSS_SELECTOR, "details.filters")
        assert filters.get_attribute("open") is not None
        assert not filters.find_element(By.TAG_NAME, "summary").is_displayed()
        outlet = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='facet-outlet']")
        first_hit = browser.find_element(By.CSS_SELECTOR, "ol.hits li.hit")
        assert outlet.is_displayed()
        assert outlet.location["x"] + outlet.size["width"] <= first_hit.location["x"]
        assert _top(outlet) < _top(first_hit)
        SCREENSHOTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "desktop-1280.png"))
    finally:
        browser.set_window_size(1200, 900)


def test_keyboard_reaches_the_first_result_in_three_keys(browser, live_server):
    """Tab to the skip link, Enter, Tab: the first result's link has the focus."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.action_chains import ActionChains
    browser.get(live_server + "/search?q=asylum")
    # On a results page the focus is not put in the search box (the home page does that).
    assert browser.switch_to.active_element.tag_name == "body"
    ActionChains(browser).send_keys(Keys.TAB).perform()
    skip = browser.switch_to.active_element
    assert skip.text == "Skip to results" and skip.is_displayed()
    ActionChains(browser).send_keys(Keys.ENTER).send_keys(Keys.TAB).perform()
    first = browser.find_element(By.CSS_SELECTOR, "ol.hits li.hit h3 a")
    assert browser.switch_to.active_element == first


AXE_JS = Path(__file__).parent / ".node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("path", ["/search?q=asylum&outlet=CNN", "/search?q=diplomta",
                                  "/search?q=asylum+geneva",
                                  "/articles/000_63fb707cc87ede63?q=defect",
                                  "/concordance?q=defect*&per_page=3"])
def test_pages_have_no_accessibility_violations(browser, live_server, path):
    """Run axe-core (WCAG 2 A/AA rules: labels, contrast, landmarks, ...) on each page kind."""
    browser.get(live_server + path)
    assert _axe_violations(browser) == []


def _axe_violations(browser) -> list[str]:
    """Run axe-core on the loaded page; return its violations, one line each."""
    if not AXE_JS.exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI must install axe-core (see .ci/run)")
        pytest.skip("axe-core not installed: npm install --prefix tests/.node axe-core@4")
    browser.execute_script(AXE_JS.read_text(encoding="utf-8"))
    return browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})
           .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' ' +
                 v.nodes.map(n => n.target.join(' ')).join(', '))));
    """)


def test_phone_page_with_open_filters_has_no_accessibility_violations(browser,
                                                                     many_authors_server):
    _viewport(browser, 390, 844)
    try:
        browser.get(many_authors_server + "/search?q=port&author=Bo+Writer00")
        browser.find_element(By.CSS_SELECTOR, "details.filters summary").click()
        browser.find_element(By.CSS_SELECTOR, "details.more summary").click()
        assert _axe_violations(browser) == []
    finally:
        browser.set_window_size(1200, 900)


@pytest.fixture(scope="module")
def stories_server(tmp_path_factory, registry):
    """A live server over a wire story carried by three outlets (storycorpus)."""
    from builders import jsonl_service
    from storycorpus import STORY_RECORDS
    work = tmp_path_factory.mktemp("stories")
    jsonl_service(work, registry, STORY_RECORDS)
    yield from _serve(work / "ix")


def test_a_story_names_its_copies_and_shows_every_copy_on_request(browser, stories_server):
    browser.get(stories_server + "/search?q=central+bank&sort=oldest")
    copies = browser.find_element(By.CSS_SELECTOR, "li.hit p.copies")
    assert copies.text.startswith("Also in 2 outlets:")
    assert [a.text.split(",")[0] for a in copies.find_elements(By.TAG_NAME, "a")] == [
        "CNN", "BBC News"]
    assert _axe_violations(browser) == []
    browser.find_element(By.CSS_SELECTOR, "a.collapse").click()
    assert parse_qs(urlsplit(browser.current_url).query)["collapse"] == ["false"]
    assert browser.find_elements(By.CSS_SELECTOR, "li.hit p.copies") == []
    # a facet chosen now keeps every copy listed
    browser.find_element(By.CSS_SELECTOR, "aside.facets a[href*='outlet=CNN']").click()
    assert parse_qs(urlsplit(browser.current_url).query)["collapse"] == ["false"]
    assert _axe_violations(browser) == []
