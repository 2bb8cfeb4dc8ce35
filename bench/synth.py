"""Generate a large, realistic news corpus from the 63k dataset, deterministically.

Each generated article takes, from records of the dataset drawn at random:
- its length: the body length in characters of one real article (so lengths follow the
  dataset's distribution, empty bodies included), filled with whole paragraphs of real
  articles drawn at random, the last one cut at a word so the length matches;
- its metadata: outlet, outlet_domain, authors, topic and language of one real record
  together (an outlet keeps its domain and its writers), a title of another, and the date of
  a third moved by up to 30 days (the same period, not the same day);
- a unique id (``synth-0000001``) and a unique URL on its outlet's domain.

Dirty values of the dataset (missing or bogus dates, mojibake, labels that are people) come
along in their share, as a real archive has them. The same --seed and source give the same
file, byte for byte.

    python bench/synth.py --articles 1000000 --out /tmp/synth-1m.jsonl.gz
    python bench/synth.py --articles 10000 --start 1000001 --seed 7 --out /tmp/new-1pc.jsonl.gz
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import sys
import time
from pathlib import Path

DEFAULT_SOURCE = (Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "news"
                  / "combined_news_v1.jsonl.gz")
METADATA_FIELDS = ("outlet", "outlet_domain", "authors", "topic", "lang")
DATE_SHIFT_DAYS = 30


class Source:
    """What the generator draws from: paragraphs, lengths, metadata, titles and dates."""

    def __init__(self, path: Path) -> None:
        self.paragraphs: list[str] = []
        self.lengths: list[int] = []
        self.metadata: list[tuple] = []
        self.titles: list[str] = []
        self.dates: list[str] = []
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                body = record.get("body") or ""
                self.lengths.append(len(body))
                self.paragraphs.extend(part.strip() for part in body.split("\n\n")
                                       if part.strip())
                self.metadata.append(tuple(record.get(name) for name in METADATA_FIELDS))
                if record.get("title"):
                    self.titles.append(record["title"])
                self.dates.append(record.get("date") or "")


def shifted(date: str, rng: random.Random) -> str:
    """Return a day-precise date moved by up to DATE_SHIFT_DAYS days, anything else as is."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return date
    try:
        return (day + dt.timedelta(days=rng.randint(-DATE_SHIFT_DAYS, DATE_SHIFT_DAYS))
                ).isoformat()
    except OverflowError:
        return date


def body_of_length(length: int, paragraphs: list[str], rng: random.Random) -> str:
    """Return whole random paragraphs joined by blank lines, cut at a word to `length`."""
    parts: list[str] = []
    size = 0
    while size < length:
        paragraph = rng.choice(paragraphs)
        parts.append(paragraph)
        size += len(paragraph) + 2
    body = "\n\n".join(parts)
    if len(body) > length:
        body = body[:length].rsplit(" ", 1)[0] if " " in body[:length] else body[:length]
    return body


def article(number: int, source: Source, rng: random.Random) -> dict:
    """Return generated article `number`."""
    outlet, domain, authors, topic, lang = rng.choice(source.metadata)
    date = shifted(rng.choice(source.dates), rng)
    host = (domain or "news.example").strip() or "news.example"
    return {
        "id": f"synth-{number:07d}",
        "outlet": outlet,
        "outlet_domain": domain,
        "date": date,
        "title": rng.choice(source.titles),
        "authors": authors,
        "url": f"https://{host}/synth/{date or 'undated'}/{number:07d}",
        "topic": topic,
        "lang": lang,
        "body": body_of_length(rng.choice(source.lengths), source.paragraphs, rng),
    }


def main(argv: list[str] | None = None) -> int:
    """Write --articles generated articles to --out (JSON lines, gzip)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="how many to generate")
    parser.add_argument("--out", type=Path, required=True, help="output .jsonl.gz file")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="the dataset drawn from (default: the 63k news dataset)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--start", type=int, default=1,
                        help="number of the first article, for a batch of new ones (default 1)")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    if not args.source.exists():
        parser.error(f"source not found: {args.source}")
    started = time.perf_counter()
    source = Source(args.source)
    print(f"read {len(source.lengths):,} records, {len(source.paragraphs):,} paragraphs in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    rng = random.Random(args.seed)
    characters = 0
    # No name or time in the gzip header: the same seed and source give the same bytes.
    with open(args.out, "wb") as raw, \
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=3,
                          mtime=0) as out:
        for count, number in enumerate(range(args.start, args.start + args.articles), 1):
            record = article(number, source, rng)
            characters += len(record["body"])
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            if count % 100_000 == 0:
                print(f"  {count:,} articles", file=sys.stderr)
    print(f"wrote {args.articles:,} articles ({characters / args.articles:,.0f} characters of "
          f"body on average; the source: {sum(source.lengths) / len(source.lengths):,.0f}) "
          f"to {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
