"""Building small real indexes for tests."""
import json

from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.search import IndexHandle, SearchService, Synonyms


def jsonl_service(tmp_path, registry, records, synonyms: Synonyms | None = None):
    """Build a real index of JSONL records (id, title, body, ...) and return its search service."""
    corpus = tmp_path / "c"
    corpus.mkdir(parents=True)
    (corpus / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records),
                                       encoding="utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry)
    return SearchService(IndexHandle(tmp_path / "ix", registry, synonyms))
