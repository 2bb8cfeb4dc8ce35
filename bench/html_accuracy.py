"""Measure HTML article extraction against the development sets and print one table per set.

Usage: python bench/html_accuracy.py [DATA_DIR]   (default: ../shared/data/html from the repo root)

Each set keeps its expected values in its own layout:

- mozilla_readability: test-pages/<name>/{source.html, expected-metadata.json, expected.html};
  title, siteName, byline, publishedTime and the article body (expected.html).
- trafilatura_eval_news: eval/<file>.html and evaldata_news_subset.json (keyed by URL); title,
  author, date, sometimes sitename, and body snippets that must ("with") or must not
  ("without") appear in the text.
- goose3: <topic>/<name>.html next to <name>.json whose "expected" may hold title,
  publish_date, authors and cleaned_text (the body, usually only its opening words).

Metrics follow ../shared/reference/html-extraction.md: title strict (equal after casefolding
and whitespace folding) / lenient (one contains the other); date same day / within a day /
same year; site name strict / contains; author token overlap of at least half, strict (of both
names) / lenient (of the shorter one). Body: token F1 against a full expected body
(mozilla_readability), token recall of the expected opening words (goose3, whose bodies are
truncated), and snippet precision / recall / F1 (trafilatura_eval_news, as its own
evaluation does).

Systems, all given the page's URL where its set records one (trafilatura_eval_news, goose3):
``ours`` (searchsvc's extract_article on the decoded page); ``before``, the extractor as it was at
a git revision (``--before REV``, default main) loaded from that revision's htmlpage.py;
``trafilatura`` (one ``trafilatura.extract(..., with_metadata=True)`` call, the speed reference);
``htmldate`` (dates only); and the reference ``union``: trafilatura's value, else the naive
BeautifulSoup one (og:title or <title>, og:site_name, article:published_time or the first
<time datetime>, meta name=author; body from trafilatura, else the <p> paragraphs).
Times are the median and mean ms per page of each system in this run; ``--paired`` runs only
ours and before (or the systems named with ``--systems``), one after the other on each page, so
all meet the same load.

The title convention is the headline as the article states it, without the site name; the sets
label titles by other conventions (some keep the site name): strict and lenient are reported.
"""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import importlib
import io
import json
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import timeit
import types
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bs4 import BeautifulSoup
from dateutil import parser as date_parser

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from searchsvc.ingest.decoding import decode_bytes  # noqa: E402
from searchsvc.ingest.extract import article_from_text  # noqa: E402
from searchsvc.ingest.pagetree import declared_charset  # noqa: E402

FIELDS = ("title", "date", "site", "author")
_SOURCE_KEYS = {"site": "outlet", "author": "authors"}   # the fields' provenance keys


@dataclass
class Case:
    """One page and what its set expects from it."""

    name: str
    html: str
    expected: dict[str, object] = field(default_factory=dict)
    url: str | None = None


@dataclass
class Extracted:
    """What one system found on a page."""

    title: str | None = None
    date: str | None = None
    site: str | None = None
    author: str | None = None
    body: str = ""
    sources: dict[str, str] = field(default_factory=dict)   # where ours took each value


# --------------------------------------------------------------------------- loading the sets

def _read_html(path: Path) -> str:
    data = path.read_bytes()
    return decode_bytes(data, declared_charset(data))[0]


def load_mozilla(root: Path) -> list[Case]:
    """Return the mozilla_readability pages with metadata and body expectations."""
    cases = []
    for page_dir in sorted((root / "test-pages").iterdir()):
        meta_path = page_dir / "expected-metadata.json"
        if not (page_dir / "source.html").exists() or not meta_path.exists():
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        expected: dict[str, object] = {"title": meta.get("title"), "site": meta.get("siteName"),
                                       "author": meta.get("byline"),
                                       "date": meta.get("publishedTime")}
        body_path = page_dir / "expected.html"
        if body_path.exists():
            expected["body"] = BeautifulSoup(body_path.read_text(encoding="utf-8"),
                                             "lxml").get_text(" ")
        cases.append(Case(page_dir.name, _read_html(page_dir / "source.html"), expected))
    return cases


def load_trafilatura(root: Path) -> list[Case]:
    """Return the trafilatura_eval_news pages with their metadata and snippet expectations."""
    data = json.loads((root / "evaldata_news_subset.json").read_text(encoding="utf-8"))
    cases = []
    for url, item in sorted(data.items()):
        path = root / "eval" / item["file"]
        if not path.exists():
            continue
        expected = {"title": item.get("title"), "date": item.get("date"),
                    "site": item.get("sitename"), "author": item.get("author"),
                    "with": item.get("with") or [], "without": item.get("without") or []}
        cases.append(Case(item["file"], _read_html(path), expected, url))
    return cases


def load_goose3(root: Path) -> list[Case]:
    """Return the goose3 test pages that state an expected value we measure."""
    cases = []
    for json_path in sorted(root.glob("*/*.json")):
        html_path = json_path.with_suffix(".html")
        if not html_path.exists():
            continue
        record = json.loads(json_path.read_text(encoding="utf-8"))
        given = record.get("expected") or {}
        authors = given.get("authors")
        expected = {"title": given.get("title"), "date": given.get("publish_date"),
                    "author": ", ".join(authors) if authors else None,
                    "prefix": given.get("cleaned_text")}
        if any(expected.values()):
            cases.append(Case(f"{json_path.parent.name}/{json_path.stem}",
                              _read_html(html_path), expected, record.get("url")))
    return cases


SETS: dict[str, Callable[[Path], list[Case]]] = {
    "mozilla_readability": load_mozilla,
    "trafilatura_eval_news": load_trafilatura,
    "goose3": load_goose3,
}


# --------------------------------------------------------------------------- systems

def run_ours(html: str, url: str | None) -> Extracted:
    """Run our extractor."""
    return as_extracted(article_from_text(html, url))


def as_extracted(page) -> Extracted:
    """Return what an ExtractedArticle gives, in the benchmark's terms."""
    sources = {key: page.provenance.get(_SOURCE_KEYS.get(key, key)) for key in FIELDS}
    return Extracted(page.title, page.date, page.outlet, ", ".join(page.authors) or None,
                     page.body, sources)


_BEFORE: Callable[[str, str | None], Extracted] | None = None


def load_before(revision: str) -> Callable[[str, str | None], Extracted]:
    """Return the extractor as it was at a git revision, as a system.

    Since the extractor became a package of modules (searchsvc/ingest/), the revision's whole
    ``searchsvc`` package is unpacked under another name and its ``article_from_text`` run, with
    the URL as ours gets it; a revision from before that runs its single htmlpage.py, which took
    no URL.
    """
    listed = subprocess.run(["git", "-C", str(REPO), "ls-tree", "--name-only", revision,
                             "searchsvc/ingest/extract.py"],
                            check=True, capture_output=True, text=True).stdout
    if not listed.strip():
        return _load_single_file(revision)
    target = Path(tempfile.mkdtemp(prefix="html-before-"))
    atexit.register(shutil.rmtree, target, True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "searchsvc"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    (target / "searchsvc").rename(target / "searchsvc_before")
    sys.path.insert(0, str(target))
    module = importlib.import_module("searchsvc_before.ingest.extract")

    def run(html: str, url: str | None) -> Extracted:
        return as_extracted(module.article_from_text(html, url))
    return run


def _load_single_file(revision: str) -> Callable[[str, str | None], Extracted]:
    """Return the extractor of a revision whose htmlpage.py stood alone (it took no URL)."""
    path = next(p for p in ("searchsvc/ingest/htmlpage.py", "searchsvc/htmlpage.py")
                if subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{revision}:{p}"],
                                  capture_output=True).returncode == 0)
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{revision}:{path}"],
                            check=True, capture_output=True, text=True).stdout
    module = types.ModuleType("htmlpage_before")
    sys.modules[module.__name__] = module   # dataclasses look their module up there
    exec(compile(source, f"{revision}:htmlpage.py", "exec"), module.__dict__)

    def run(html: str, url: str | None) -> Extracted:
        page = module.extract(html)
        return Extracted(page.title, page.date, page.site_name, page.author, page.body)
    return run


def run_before(html: str, url: str | None) -> Extracted:
    """Run the extractor of the --before revision."""
    return _BEFORE(html, url)


def naive(html: str, url: str | None = None) -> Extracted:
    """Run the naive BeautifulSoup baseline the reference file defines."""
    soup = BeautifulSoup(html, "lxml")

    def meta(**attrs: str) -> str | None:
        tag = soup.find("meta", attrs=attrs)
        value = tag.get("content") if tag else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    title = meta(property="og:title") or (soup.title.get_text().strip() if soup.title else None)
    time_tag = soup.find("time", attrs={"datetime": True})
    date = meta(property="article:published_time") or (time_tag["datetime"] if time_tag else None)
    paragraphs = [p.get_text(" ").strip() for p in soup.find_all("p")]
    return Extracted(title or None, date, meta(property="og:site_name"), meta(name="author"),
                     "\n".join(p for p in paragraphs if p))


def run_trafilatura(html: str, url: str | None) -> Extracted:
    """Run trafilatura once, body and metadata (dates by htmldate, extensive search)."""
    import trafilatura

    found = trafilatura.extract(html, url=url, with_metadata=True, output_format="json")
    if not found:
        return Extracted()
    data = json.loads(found)
    return Extracted(data.get("title"), data.get("date"), data.get("source-hostname"),
                     data.get("author"), data.get("text") or "")


def run_htmldate(html: str, url: str | None) -> Extracted:
    """Run htmldate (dates only), as trafilatura calls it."""
    from htmldate import find_date

    return Extracted(date=find_date(html, url=url, original_date=True, extensive_search=True))


def run_union(html: str, url: str | None) -> Extracted:
    """Return trafilatura's value for each field, else the naive one."""
    first, second = run_trafilatura(html, url), naive(html)
    return Extracted(*(getattr(first, key) or getattr(second, key)
                       for key in ("title", "date", "site", "author", "body")))


SYSTEMS: dict[str, Callable[[str, str | None], Extracted]] = {
    "before": run_before, "ours": run_ours, "trafilatura": run_trafilatura,
    "htmldate": run_htmldate, "union": run_union, "naive": naive}


# --------------------------------------------------------------------------- metrics

def fold(text: object) -> str:
    """Casefold and collapse whitespace."""
    text = str(text or "").casefold()
    return re.sub(r"\s+", " ", text).strip()


_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def tokens(text: object) -> list[str]:
    """Split into word tokens; CJK characters count one token each."""
    return _TOKEN_RE.findall(fold(text))


def to_day(value: object) -> dt.date | None:
    """Read a date written in ISO or another common form; None if it is not a date."""
    text = str(value or "").strip()
    if not text:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            return None
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if match:  # month precision: compare as the first of the month
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return date_parser.parse(text, ignoretz=True).date()
    except (ValueError, OverflowError, TypeError):
        return None


def score_title(got: str | None, want: str) -> tuple[bool, bool]:
    a, b = fold(got), fold(want)
    return a == b, bool(a) and (a in b or b in a)


def score_author(got: str | None, want: str) -> tuple[bool, bool]:
    a, b = set(tokens(got)), set(tokens(want))
    if not a or not b:
        return False, False
    common = len(a & b)
    return common >= max(len(a), len(b)) / 2, common >= min(len(a), len(b)) / 2


def score_date(got: str | None, want: str) -> tuple[bool, bool, bool]:
    a, b = to_day(got), to_day(want)
    if a is None or b is None:
        return False, False, False
    exact = a == b and not re.fullmatch(r"\d{4}-\d{2}", str(got).strip())
    return exact, abs((a - b).days) <= 1, a.year == b.year


def token_f1(got: str, want: str) -> float:
    a, b = Counter(tokens(got)), Counter(tokens(want))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def token_recall(got: str, want: str) -> float:
    a, b = Counter(tokens(got)), Counter(tokens(want))
    return sum((a & b).values()) / max(1, sum(b.values()))


# --------------------------------------------------------------------------- running

@dataclass
class Tally:
    """Scores of one system on one set."""

    hits: dict[str, list[tuple[bool, ...]]] = field(default_factory=dict)
    body: list[float] = field(default_factory=list)
    snippets: Counter = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    found: set[str] = field(default_factory=set)   # fields the system gave on some page

    def add(self, key: str, scores: tuple[bool, ...]) -> None:
        self.hits.setdefault(key, []).append(scores)

    def percent(self, key: str) -> str:
        rows = self.hits.get(key)
        if not rows or key not in self.found:
            return "–"
        return " / ".join(f"{100 * sum(r[i] for r in rows) / len(rows):.1f}"
                          for i in range(len(rows[0])))


def evaluate(cases: list[Case], system: Callable[[str, str | None], Extracted],
             verbose: bool) -> Tally:
    """Run one system over one set's pages and score every expected field."""
    tally = Tally()
    # a site name is scored as a title is: equal, or one contains the other
    scorers = {"title": score_title, "date": score_date, "site": score_title,
               "author": score_author}
    for case in cases:
        start = time.perf_counter()
        got = system(case.html, case.url)
        tally.seconds.append(time.perf_counter() - start)
        tally.found.update(key for key in (*scorers, "body") if getattr(got, key))
        for key, scorer in scorers.items():
            want = case.expected.get(key)
            if want:
                scores = scorer(getattr(got, key), str(want))
                tally.add(key, scores)
                if verbose and not scores[0]:
                    where = f" ({got.sources[key]})" if got.sources.get(key) else ""
                    tally.misses.append(f"  {case.name} {key}: got {getattr(got, key)!r}{where}"
                                        f" want {str(want)!r}")
        if case.expected.get("body"):
            tally.body.append(token_f1(got.body, str(case.expected["body"])))
        if case.expected.get("prefix"):
            tally.body.append(token_recall(got.body, str(case.expected["prefix"])))
        text = fold(got.body)
        for snippet in case.expected.get("with", []):
            tally.snippets["tp" if fold(snippet) in text else "fn"] += 1
        for snippet in case.expected.get("without", []):
            tally.snippets["fp" if fold(snippet) in text else "tn"] += 1
    return tally


def body_cell(name: str, tally: Tally) -> str:
    """Format the body score the set allows."""
    if "body" not in tally.found:
        return "–"
    if tally.snippets:
        s = tally.snippets
        precision = s["tp"] / max(1, s["tp"] + s["fp"])
        recall = s["tp"] / max(1, s["tp"] + s["fn"])
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        return f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
    if tally.body:
        label = "recall" if name == "goose3" else "F1"
        return f"{label} {sum(tally.body) / len(tally.body):.3f} ({len(tally.body)})"
    return "–"


def main(argv: list[str] | None = None) -> None:
    """Print accuracy tables for our extractor and the union reference on every set."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data" / "html"),
                        help="directory holding the sets (default: ../shared/data/html)")
    parser.add_argument("--systems", default=None,
                        help="comma-separated: " + ",".join(SYSTEMS) + " (default "
                        "before,ours,trafilatura,htmldate; with --paired before,ours)")
    parser.add_argument("--before", default="main",
                        help="git revision whose extractor is the 'before' system (default main)")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("-v", "--verbose", action="store_true", help="list strict misses")
    parser.add_argument("--paired", action="store_true", help="time ours and before page by page")
    args = parser.parse_args(argv)
    data = Path(args.data)
    global _BEFORE
    systems = (args.systems or ("before,ours" if args.paired else
                                "before,ours,trafilatura,htmldate")).split(",")
    if "before" in systems:
        _BEFORE = load_before(args.before)
    if args.paired:
        return paired(data, args.sets.split(","), systems)
    # warm up: the first call of each system loads its modules and dateparser's locales
    warm = "<html><head><title>A</title></head><body><p>On 4 March 2021.</p></body></html>"
    for system_name in systems:
        SYSTEMS[system_name](warm, None)
    all_times: dict[str, list[float]] = {}
    for set_name in args.sets.split(","):
        root = data / set_name
        if not root.is_dir():
            print(f"{set_name}: not found under {data}")
            continue
        cases = SETS[set_name](root)
        counts = {key: sum(1 for c in cases if c.expected.get(key)) for key in FIELDS}
        print(f"\n{set_name} ({len(cases)} pages; expected values: "
              + ", ".join(f"{key} {n}" for key, n in counts.items()) + ")")
        print("| system | title strict / lenient | date day / ±1d / year | site strict / "
              "contains | author strict / lenient | body | ms/page median (mean) |\n"
              + "|---" * 7 + "|")
        set_times: dict[str, list[float]] = {}
        for system_name in systems:
            tally = evaluate(cases, SYSTEMS[system_name], args.verbose)
            set_times[system_name] = tally.seconds
            all_times.setdefault(system_name, []).extend(tally.seconds)
            print(f"| {system_name} | " + " | ".join(tally.percent(key) for key in FIELDS)
                  + f" | {body_cell(set_name, tally)} | {ms(tally.seconds)} |")
            for line in tally.misses:
                print(line)
        print(ratios(set_times))
    if all_times:
        print("\nall pages: median (mean) ms/page: " + "; ".join(
            f"{name} {ms(times)}" for name, times in all_times.items()))
        print(ratios(all_times).replace("ours /", "all pages: ours /", 1))


def ratios(times: dict[str, list[float]]) -> str:
    """Return ours' median ms/page over before's and trafilatura's, those it was run beside."""
    others = [name for name in ("before", "trafilatura") if times.get(name)]
    if not times.get("ours") or not others:
        return ""
    return "ours / " + ", ours / ".join(
        f"{name}, median: {statistics.median(times['ours']) / statistics.median(times[name]):.2f}x"
        for name in others)


def paired(data: Path, sets: list[str], systems: list[str], runs: int = 2) -> None:
    """Print each system's median ms/page, each page run by all in turn (fastest of ``runs``
    kept), and ours against each other system page by page."""
    cases = [case for name in sets if (data / name).is_dir() for case in SETS[name](data / name)]
    times: dict[str, list[float]] = {name: [] for name in systems}
    for case in cases:
        for name, seconds in times.items():
            SYSTEMS[name](case.html, case.url)  # warms this page's caches
            seconds.append(min(timeit.repeat(lambda: SYSTEMS[name](case.html, case.url),
                                             number=1, repeat=runs)))
    print(f"{len(cases)} pages, median ms/page: "
          + "; ".join(f"{name} {ms(seconds)}" for name, seconds in times.items()))
    for name in (name for name in systems if name != "ours" and "ours" in times):
        pages = [o / b for o, b in zip(times["ours"], times[name]) if b]
        print(f"median page ours / {name} {statistics.median(pages):.3f}x")


def ms(seconds: list[float]) -> str:
    """Format the median and mean of per-page times in milliseconds."""
    if not seconds:
        return "–"
    return f"{1000 * statistics.median(seconds):.1f} ({1000 * statistics.fmean(seconds):.1f})"


if __name__ == "__main__":
    main()
