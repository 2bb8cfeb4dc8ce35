"""Stored fields read straight from the segment columns equal Whoosh's own reading."""
from __future__ import annotations

from searchsvc.backends.whoosh.generations import open_current
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.backends.whoosh.storedfields import stored_fields


def test_direct_read_equals_whoosh_on_every_segment(corpus_copy, tmp_path, registry):
    index_dir = tmp_path / "ix"
    build_index(corpus_copy, index_dir, registry=registry)
    # An update writes a second segment and deletes a document of the first.
    (corpus_copy / "new.txt").write_text("New Headline\n\nA new article about Yangon.\n",
                                         encoding="utf-8")
    (corpus_copy / "004_b08c682b17bd4db1.txt").unlink()
    build_index(corpus_copy, index_dir, registry=registry, update=True)
    ix, _ = open_current(index_dir)
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) >= 2
        live = [docnum for docnum in range(searcher.doc_count_all())
                if not searcher.reader().is_deleted(docnum)]
        assert len(live) == 5
        for docnum in live:
            assert stored_fields(searcher, docnum) == searcher.stored_fields(docnum)
        titles = {stored_fields(searcher, docnum)["title"] for docnum in live}
        assert "New Headline" in titles
