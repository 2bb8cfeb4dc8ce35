"""Backends under the contract suite: each builds the same corpus and is searched the same way.

A new backend adds a builder here: (corpus folder, work folder) -> a Backend over its index.
"""
import hashlib
import json
import os

import pytest

from searchsvc.backends.whoosh.backend import WhooshBackend
from searchsvc.outlets import OutletRegistry

RECORDS = [
    {"id": "a1", "title": "Diplomat seeks asylum in Geneva", "outlet": "Reuters",
     "date": "2011-07-04", "authors": ["Ann Lee"], "topic": "diplomacy",
     "body": "A senior diplomat asked for asylum in Geneva on Monday. The diplomat said the "
             "regime had ordered a crackdown."},
    {"id": "a2", "title": "Embassy staff defect", "outlet": "Reuters", "date": "2011-08-15",
     "authors": "Bo Chen; Cy Dunn", "topic": "diplomacy,asylum",
     "body": "Two members of the embassy staff defected and asked for asylum abroad."},
    {"id": "a3", "title": "Harvest festival opens", "outlet": "CNN", "date": "2022-03-25",
     "topic": "culture",
     "body": "The harvest festival opened with music. Farmers sold apples and pears."},
    {"id": "a4", "title": "Ambassador recalled", "outlet": "CNN", "date": "2022-03-01",
     "authors": "Bo Chen", "topic": "diplomacy",
     "body": "The ambassador was recalled after the diplomat's defection became public."},
    {"id": "a5", "title": "Markets fall", "outlet": "BBC News",
     "body": "Markets fell sharply on Tuesday; no date is known for this article."},
]


def whoosh_backend(corpus, work):
    """Build the corpus into a Whoosh index and return the backend over it."""
    backend = WhooshBackend(work / "index")
    backend.build(corpus, registry=OutletRegistry())
    return backend


def solr_backend(corpus, work):
    """Build the corpus into a collection of the test cluster and return the backend over it.

    The cluster is the one started with `searchsvc solr start --dir DIR`, named by
    TEST_SOLR_DIR; without it, Solr's tests skip. Each work folder has its own alias.
    """
    from searchsvc.backends.solr.backend import SolrBackend
    from searchsvc.backends.solr.cluster import cluster_urls
    folder = os.environ.get("TEST_SOLR_DIR")
    if not folder:
        pytest.skip("no Solr cluster: start one with `searchsvc solr start --dir DIR` and set "
                    "TEST_SOLR_DIR=DIR")
    alias = "test_" + hashlib.sha1(str(work).encode()).hexdigest()[:10]
    backend = SolrBackend(cluster_urls(folder), alias=alias, shards=2, replicas=1)
    backend.build(corpus, registry=OutletRegistry())
    SOLR_BUILT.append(backend)
    return backend


SOLR_BUILT = []          # Solr backends the builder made, dropped when the session ends


@pytest.fixture(scope="session", autouse=True)
def drop_solr_collections():
    """Delete the test collections once the session ends: a long-lived cluster keeps none."""
    yield
    for backend in SOLR_BUILT:
        backend.drop()


BUILDERS = {"whoosh": whoosh_backend, "solr": solr_backend}


@pytest.fixture(scope="session", params=sorted(BUILDERS))
def backend(request, tmp_path_factory):
    """Each backend, built once per session over RECORDS."""
    work = tmp_path_factory.mktemp(f"backend-{request.param}")
    write_corpus(work / "corpus", RECORDS)
    return BUILDERS[request.param](work / "corpus", work)


@pytest.fixture(params=sorted(BUILDERS))
def builder(request):
    """Each backend's builder: called again on the same work folder, it rebuilds."""
    return BUILDERS[request.param]


def write_corpus(folder, records):
    """Write records as one JSON-lines file in a corpus folder."""
    folder.mkdir(exist_ok=True)
    (folder / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records),
                                       encoding="utf-8")
