"""`searchsvc index --update` killed at random points: the served index stays whole (#20, 8)."""
import os
import random
import signal
import subprocess
import sys
import time

from searchsvc.backends.whoosh.generations import current_generation
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.service import SearchRequest
from builders import whoosh_service

KILLS = 10


def _generations(index_dir):
    return [p.name for p in index_dir.iterdir() if p.name.startswith(("gen-", ".building-"))]


def test_an_update_killed_anywhere_leaves_the_old_or_the_new_index(corpus_copy, tmp_path,
                                                                    registry):
    for number in range(60):
        (corpus_copy / f"extra{number:03d}.txt").write_text(
            f"Extra story {number}\n\n" + f"Talks on asylum, round {number}. " * 150,
            encoding="utf-8")
    index_dir = tmp_path / "ix"
    build_index(corpus_copy, index_dir, registry=registry)
    rng = random.Random(20)
    for kill in range(KILLS):
        # (articles, not stories: the repeated texts below are copies of one another)
        before = whoosh_service(index_dir, registry).search(SearchRequest())["articles"]
        # Each update adds one article and changes another.
        (corpus_copy / f"new{kill}.txt").write_text(
            f"New story {kill}\n\n" + "Asylum talks resumed. " * 100, encoding="utf-8")
        (corpus_copy / f"extra{kill:03d}.txt").write_text(
            f"Changed story {kill}\n\n" + "Asylum talks were changed. " * 100,
            encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "searchsvc.cli", "index", "--update", "--corpus",
             str(corpus_copy), "--index-dir", str(index_dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.2, 2.5))   # start-up, reading, writing or switching
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        # The served index is the old one or the new one (which has every change so far,
        # those of earlier killed updates too), whole, and answers.
        service = whoosh_service(index_dir, registry)
        total = service.search(SearchRequest())["articles"]
        assert total in (before, 5 + 60 + kill + 1), kill
        assert service.search(SearchRequest(q="asylum"))["total"] > 0
        assert current_generation(index_dir) is not None
    # The next update completes, cleans up what the killed ones left, and has everything.
    report = build_index(corpus_copy, index_dir, registry=registry, update=True)
    assert report.total_documents == 5 + 60 + KILLS
    left = _generations(index_dir)
    # Nothing half-written is left; the generation the test's last service still holds
    # may stay beside the served one.
    assert current_generation(index_dir) in left and len(left) <= 2
    assert not [name for name in left if name.startswith(".building-")]
    service = whoosh_service(index_dir, registry)
    assert service.search(SearchRequest(q='"changed story"'))["articles"] == KILLS
    assert service.search(SearchRequest(q='"new story"'))["articles"] == KILLS
