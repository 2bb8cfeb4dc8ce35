"""Write extract_article's result for every page of the HTML dev sets as JSON lines.

Usage: python bench/extract_dump.py OUT.jsonl [--checkout DIR] [--variants] [--data DIR]

The extractor is imported from the checkout given (default: this one), so two checkouts'
outputs can be compared line by line (``cmp a.jsonl b.jsonl``): a change meant to keep every
result must leave the files identical. Each page is read as bytes and given the URL its set
records (trafilatura_eval_news, goose3), as ``searchsvc extract`` would be. ``--variants``
adds three more inputs a page, to take more paths through the rules: the page without its
URL, its first half, and its last two thirds.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def pages(data: Path) -> Iterator[tuple[str, Path, str | None]]:
    """Yield (name, HTML file, URL or None) for every page of the three dev sets."""
    root = data / "mozilla_readability" / "test-pages"
    for page in sorted(root.iterdir()):
        if (page / "source.html").exists():
            yield f"mozilla_readability/{page.name}", page / "source.html", None
    root = data / "trafilatura_eval_news"
    index = json.loads((root / "evaldata_news_subset.json").read_text(encoding="utf-8"))
    for url, item in sorted(index.items()):
        if (root / "eval" / item["file"]).exists():
            yield f"trafilatura_eval_news/{item['file']}", root / "eval" / item["file"], url
    for json_path in sorted((data / "goose3").glob("*/*.json")):
        if json_path.with_suffix(".html").exists():
            record = json.loads(json_path.read_text(encoding="utf-8"))
            yield (f"goose3/{json_path.parent.name}/{json_path.stem}",
                   json_path.with_suffix(".html"), record.get("url"))


def inputs(data: Path, variants: bool) -> Iterator[tuple[str, bytes, str | None]]:
    """Yield (name, page bytes, URL) for every page, and its variants if asked."""
    for name, path, url in pages(data):
        page = path.read_bytes()
        yield name, page, url
        if variants:
            yield f"{name}#no-url", page, None
            yield f"{name}#first-half", page[:len(page) // 2], url
            yield f"{name}#last-two-thirds", page[len(page) // 3:], url


def main(argv: list[str] | None = None) -> None:
    """Write one JSON object a page: its name, the URL given, and every field of the result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path, help="JSON lines file to write")
    parser.add_argument("--checkout", type=Path, default=REPO,
                        help="the checkout whose extractor runs (default: this one)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "html",
                        help="directory holding the sets (default: ../shared/data/html)")
    parser.add_argument("--variants", action="store_true",
                        help="also each page without its URL, cut in half, cut by a third")
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve()
    sys.path.insert(0, str(checkout))
    searchsvc = importlib.import_module("searchsvc")
    if not Path(searchsvc.__file__).resolve().is_relative_to(checkout):
        sys.exit(f"searchsvc was imported from {searchsvc.__file__}, not from {checkout}")
    count = 0
    with args.out.open("w", encoding="utf-8") as handle:
        for name, page, url in inputs(args.data, args.variants):
            try:
                result = searchsvc.extract_article(page, url).to_dict()
            except ValueError as error:   # NotText: an empty or binary cut of a page
                result = {"error": f"{type(error).__name__}: {error}"}
            handle.write(json.dumps({"page": name, "url_given": url, **result},
                                    ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    print(f"{count} results from {checkout} -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
