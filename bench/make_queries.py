"""Derive benchmark queries from the news dataset's titles, reproducibly.

Usage: python bench/make_queries.py [--dataset PATH] [--count 300] > bench/queries.txt

Real queries people type are one to three content words or a short phrase from a
headline. With a fixed seed, this samples article titles and takes from each:
one word, two words, three words, or an adjacent two-word "phrase", in turn.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "data" / "news" / "combined_news_v1.jsonl.gz"
STOP = set("""a an and are as at be but by for if in into is it no not of on or such that the
their then there these they this to was will with from after over about says say said new
how why what who when can could would should has have had its his her our your you we he she
more most than just out up down off all one two""".split())
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default=str(DATASET))
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    titles = []
    with gzip.open(args.dataset, "rt", encoding="utf-8") as handle:
        for line in handle:
            title = json.loads(line).get("title") or ""
            if title.isascii() and 4 <= len(title.split()) <= 20:
                titles.append(title)
    rng = random.Random(args.seed)
    rng.shuffle(titles)
    queries: list[str] = []
    seen: set[str] = set()
    kinds = ("one", "two", "three", "phrase")
    for title in titles:
        words = [w for w in WORD.findall(title) if w.lower() not in STOP and len(w) > 2]
        kind = kinds[len(queries) % len(kinds)]
        if kind == "one" and words:
            query = rng.choice(words)
        elif kind in ("two", "three") and len(words) >= (2 if kind == "two" else 3):
            size = 2 if kind == "two" else 3
            start = rng.randrange(len(words) - size + 1)
            query = " ".join(words[start:start + size])
        elif kind == "phrase":
            all_words = WORD.findall(title)
            pairs = [(a, b) for a, b in zip(all_words, all_words[1:])
                     if a.lower() not in STOP and b.lower() not in STOP]
            if not pairs:
                continue
            query = '"%s %s"' % rng.choice(pairs)
        else:
            continue
        if query.lower() not in seen:
            seen.add(query.lower())
            queries.append(query)
        if len(queries) == args.count:
            break
    print(f"# {len(queries)} queries sampled from dataset titles by bench/make_queries.py "
          f"(seed {args.seed})")
    print("\n".join(queries))


if __name__ == "__main__":
    main()
