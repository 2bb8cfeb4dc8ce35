"""Building small real indexes and search services for tests."""
import json

from searchsvc.backends.whoosh.backend import WhooshBackend
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.query.reader import QueryReader
from searchsvc.query.synonyms import Synonyms
from searchsvc.service import SearchService


def whoosh_service(index_dir, registry=None, synonyms: Synonyms | None = None) -> SearchService:
    """Return the search service over a built Whoosh index directory."""
    return SearchService(WhooshBackend(index_dir), QueryReader(synonyms, registry))


def jsonl_service(tmp_path, registry, records, synonyms: Synonyms | None = None):
    """Build a real index of JSONL records (id, title, body, ...) and return its search service."""
    corpus = tmp_path / "c"
    corpus.mkdir(parents=True)
    (corpus / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records),
                                       encoding="utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry)
    return whoosh_service(tmp_path / "ix", registry, synonyms)
