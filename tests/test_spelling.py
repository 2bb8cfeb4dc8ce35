"""Spelling suggestions equal Whoosh's reader corrector, on real indexes."""
import random


from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.backends.whoosh.spelling import Lexicon

WORDS = ("diplomat diplomats diploma asylum ambassador embassy australia austria geneva "
         "government governor generous general parliament protest protester president "
         "presidency resident refugee refuge military militia election elector").split()


def _misspellings(rng: random.Random, word: str) -> set[str]:
    out = {word, word[:-1], word + "e", word[0] + word[2:], word[0] + word[2] + word[1] + word[3:]}
    for _ in range(6):
        chars = list(word)
        for _ in range(rng.randint(1, 2)):
            chars[rng.randrange(1, len(chars))] = rng.choice("aeiourstn")
        out.add("".join(chars))
    return out


def _check(index_dir, words):
    from searchsvc.backends.whoosh.generations import open_current
    ix, _ = open_current(index_dir)
    with ix.searcher() as searcher:
        corrector = searcher.corrector("body")
        lexicon = Lexicon(searcher.reader(), "body")
        for word in sorted(words):
            for maxdist in (1, 2):
                expected = corrector.suggest(word, limit=1, maxdist=maxdist, prefix=1)
                assert lexicon.suggest(word, maxdist) == (expected[0] if expected else None), \
                    (word, maxdist)
        return searcher.reader().is_atomic()


def test_same_suggestions_as_whoosh(seeds_index):
    rng = random.Random(3)
    words = set().union(*(_misspellings(rng, w) for w in WORDS))
    assert _check(seeds_index, words)


def test_same_suggestions_on_several_segments(tmp_path, registry, corpus_copy):
    build_index(corpus_copy, tmp_path / "ix", registry=registry)
    (corpus_copy / "extra.txt").write_text("Extra\n\nThe diplomta and the protset met the "
                                           "presidnet and the goverment.\n", encoding="utf-8")
    build_index(corpus_copy, tmp_path / "ix", registry=registry, update=True)
    rng = random.Random(4)
    words = set().union(*(_misspellings(rng, w) for w in WORDS))
    assert not _check(tmp_path / "ix", words | {"diplomat", "protest", "president"})
