"""Spelling suggestions equal Whoosh's reader corrector, on real indexes."""
import random
import re


from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.backends.whoosh.spelling import Lexicon, _token_starts

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


def test_did_you_mean_offers_words_as_written_and_only_when_they_find_more(tmp_path, registry):
    from builders import jsonl_service
    from searchsvc.service import SearchRequest
    records = [{"id": f"g{n}", "title": f"Government report {n}",
                "body": "The government said the embassy would reopen."} for n in range(60)]
    records.append({"id": "typo", "title": "A governmnet typo", "body": "Once, in one text."})
    service = jsonl_service(tmp_path, registry, records)

    def suggestion(q):
        return service.search(SearchRequest(q=q))["suggestion"]
    # No article has the word: the written form ("embassy", not the term "embassi").
    assert suggestion("embasy") == {"text": "embassy", "total": 60}
    assert suggestion("Embasy") == {"text": "Embassy", "total": 60}
    # One article has the typo, sixty the word: the word is offered all the same.
    assert suggestion("governmnet") == {"text": "government", "total": 60}
    # A word as common as its neighbour, or nothing near: no suggestion.
    assert suggestion("typo") is None and suggestion("zzqxv") is None


def test_edit_distance_counts_a_swap_as_one():
    from searchsvc.backends.whoosh.spelling import edit_distance
    assert edit_distance("diplomta", "diplomat") == 1
    assert edit_distance("governmnet", "government") == 1
    assert edit_distance("goverment", "government") == 1 and edit_distance("ab", "ba") == 1
    assert edit_distance("", "ab") == 2 and edit_distance("same", "same") == 0


def test_surface_forms_are_the_tokens_as_the_index_reads_them(tmp_path, registry):
    from collections import Counter

    from builders import jsonl_service
    from searchsvc.backends.whoosh.spelling import surface_forms
    from searchsvc.backends.whoosh.storedfields import stored_fields
    # "U.Embassies" is one token (not a form of "embassi"); a dotted capital I changes the
    # length of the lowercased text, and the forms are the same.
    bodies = ["The Embassy and U.Embassies, the embassies.",
              "\u0130zmir: EMBASSY staff at embassies.", "Embassy.Staff and the embassy."]
    service = jsonl_service(tmp_path, registry, [
        {"id": f"e{n}", "title": f"Report {n}", "body": body} for n, body in enumerate(bodies)])
    searcher, _, _ = service.backend.handle.searcher()
    forms = surface_forms(searcher, "body", "embassi",
                          lambda docnum: stored_fields(searcher, docnum)["body"])
    assert forms == Counter({"embassy": 3, "embassies": 2})


def test_token_starts_finds_what_a_lookbehind_pattern_finds():
    pieces = ["go", "gov", "o", ".", " ", "_", "1", "é", "-", "'", "\n", "go.v", "..", "Ω"]
    rng = random.Random(5)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        begin = rng.choice(["go", "g", "ov", "o", "1g", "é"])
        behind = re.compile(r"(?<!\w)(?<!\w\.)" + re.escape(begin) + r"\w*(?:\.?\w+)*")
        scan = re.compile(re.escape(begin) + r"\w*(?:\.?\w+)*")
        assert _token_starts(scan, text) == behind.findall(text), (text, begin)


def test_suggestion_is_the_nearest_form_of_every_candidate(tmp_path, registry):
    """suggest_surface stops reading candidates once a form one edit away is found; what it
    returns is the best of every candidate's forms, as an exhaustive search finds it."""
    from builders import jsonl_service
    from searchsvc.backends.whoosh.spelling import (SURFACE_CANDIDATES, candidate_stems,
                                                    edit_distance, suggest_surface,
                                                    surface_forms)
    from searchsvc.backends.whoosh.storedfields import stored_fields
    rng = random.Random(6)
    words = [f"{word} " * rng.randint(1, 4) for word in WORDS] + ["goverment diplomas", "diplomta"]
    service = jsonl_service(tmp_path, registry, [
        {"id": f"w{n}", "title": f"Report {n}", "body": " ".join(rng.sample(words, 6))}
        for n in range(40)])
    searcher, _, generation = service.backend.handle.searcher()
    lexicon = service.backend._lexicon(searcher, generation)

    def read_text(docnum):
        return stored_fields(searcher, docnum)["body"]
    typed_words = set().union(*(_misspellings(rng, word) for word in WORDS))
    suggested = 0
    for typed in sorted(typed_words):
        for maxdist in (1, 2):
            frequency = {term: lexicon.doc_frequency(term)
                         for term in candidate_stems(lexicon, typed, maxdist)}
            stems = sorted(frequency, key=lambda term: (-frequency[term], term))
            near = [(edit_distance(typed, form), -frequency[term], -count, form)
                    for term in stems[:SURFACE_CANDIDATES]
                    for form, count in surface_forms(searcher, "body", term, read_text).items()
                    if 0 < edit_distance(typed, form) <= maxdist]
            expected = min(near)[3] if near else None
            assert suggest_surface(searcher, lexicon, typed, maxdist, read_text) == expected, \
                (typed, maxdist)
            suggested += expected is not None
    assert suggested > 50
