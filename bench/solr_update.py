"""An update by id on Solr: how many articles it sends, beside sending every article again.

Builds a sample of the dataset (the one of solr_compare.py) into a collection of a running
cluster, then updates it three times from the same corpus file: unchanged; with records
edited in place, the last ones removed and new ones appended; and, for comparison, with
every article sent again by id (what ``--update`` did before it compared hashes).

    PYTHONPATH=$PWD python bench/solr_update.py --dataset news.jsonl.gz --solr-dir /tmp/solr
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from searchsvc.backends.solr.backend import SolrBackend
from searchsvc.backends.solr.cluster import cluster_urls
from searchsvc.config import PACKAGE_DATA
from searchsvc.ingest.corpus import DEFAULT_FIELD_MAP, CorpusReader, Skipped
from searchsvc.outlets import OutletRegistry

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from solr_compare import SEED, sample, sample_arguments  # noqa: E402  (the same sample)


def edit(path: Path, edited: int, removed: int, appended: int) -> None:
    """Change a JSON-lines corpus: titles edited in place, the last records removed, new
    records (copies with another id and title) appended."""
    lines = path.read_text(encoding="utf-8").splitlines()
    chooser = random.Random(SEED)
    for index in chooser.sample(range(len(lines) - removed), edited):
        record = json.loads(lines[index])
        record["title"] = f"{record.get('title') or ''} (edited)"
        lines[index] = json.dumps(record)
    new = []
    for number in range(appended):
        record = json.loads(lines[number])
        record["id"] = f"appended-{number}"
        record["title"] = f"{record.get('title') or ''} (appended {number})"
        new.append(json.dumps(record))
    path.write_text("\n".join(lines[:len(lines) - removed] + new) + "\n", encoding="utf-8")


def main() -> None:
    """Build, update three ways, print what each update sent and how long it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sample_arguments(parser)
    parser.add_argument("--edited", type=int, default=100)
    parser.add_argument("--removed", type=int, default=50)
    parser.add_argument("--appended", type=int, default=100)
    args = parser.parse_args()
    registry = OutletRegistry.load(PACKAGE_DATA / "outlets.toml")
    backend = SolrBackend(cluster_urls(args.solr_dir), alias="bench_update", shards=3)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = sample(args.dataset, args.sample, Path(tmp) / "corpus")
        report = backend.build(corpus, registry=registry)
        print(f"built {report.indexed:,} articles in {report.seconds:.1f} s")

        def update(label: str) -> None:
            started = time.perf_counter()
            done = backend.build(corpus, registry=registry, update=True)
            print(f"{label}: sent {done.indexed:,}, deleted {done.removed:,}, unchanged "
                  f"{done.unchanged_articles:,} in {time.perf_counter() - started:.1f} s")
        update("update, nothing changed")
        edit(corpus / "sample.jsonl", args.edited, args.removed, args.appended)
        update(f"update, {args.edited} edited, last {args.removed} removed, "
               f"{args.appended} appended")
        articles = [item for item in CorpusReader(corpus, registry, DEFAULT_FIELD_MAP).read()
                    if not isinstance(item, Skipped)]
        started = time.perf_counter()
        done = backend.update_articles(articles)
        print(f"every article sent again by id: sent {done.indexed:,} in "
              f"{time.perf_counter() - started:.1f} s (reading the corpus not counted)")
    backend.drop()


if __name__ == "__main__":
    main()
