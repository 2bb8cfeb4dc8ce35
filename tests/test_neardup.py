"""Near-duplicate signatures, LSH candidates and story clusters (ingest.neardup)."""
import random

import numpy as np
import pytest

from searchsvc.ingest import neardup as nd
from storycorpus import STORY_RECORDS, UNRELATED, WIRE, wire_copy


def _words(count, seed):
    rng = random.Random(seed)
    return [f"w{rng.randrange(20_000)}" for _ in range(count)]


def _true_jaccard(first: str, second: str) -> float:
    a, b = set(nd.shingles(first).tolist()), set(nd.shingles(second).tolist())
    return len(a & b) / len(a | b)


def test_a_signature_is_the_same_every_time_and_survives_storage():
    data = nd.signature_bytes(WIRE)
    assert len(data) == nd.SIGNATURE_BYTES and data == nd.signature_bytes(WIRE)
    assert np.array_equal(nd.from_bytes(data), nd.signature(WIRE))
    # case and punctuation are folded away: the same words give the same signature
    assert nd.signature_bytes(WIRE.upper().replace(",", " ;")) == data


def test_short_bodies_and_other_versions_have_no_signature():
    assert nd.signature(" ".join(["word"] * (nd.MIN_WORDS - 1))) is None
    assert nd.signature_bytes("Subscribe to read the rest.") == b""
    assert nd.from_bytes(b"") is None
    assert nd.from_bytes(bytes([nd.VERSION + 1]) + bytes(nd.SIGNATURE_BYTES - 1)) is None


@pytest.mark.parametrize("length", [60, 300, 1000])
def test_the_estimate_follows_the_true_jaccard(length):
    errors = []
    for seed in range(20):
        words = _words(length, seed)
        edited = list(words)
        rng = random.Random(seed + 1000)
        for _ in range(rng.randrange(length // 6)):
            edited[rng.randrange(length)] = "changed"
        first, second = " ".join(words), " ".join(edited)
        errors.append(nd.estimated_jaccard(nd.signature(first), nd.signature(second))
                      - _true_jaccard(first, second))
    assert abs(np.mean(errors)) < 0.03          # unbiased
    assert np.std(errors) < 0.08                # about sqrt(J(1-J)/128) and a little more


def test_copies_with_small_edits_cluster_and_other_stories_do_not():
    bodies = [r.get("body") for r in STORY_RECORDS]
    signatures = [nd.signature(b) if b else None for b in bodies]
    leaders = nd.cluster_signatures(signatures, [r["date"] for r in STORY_RECORDS])
    ids = [r["id"] for r in STORY_RECORDS]
    by_id = dict(zip(ids, (ids[leader] for leader in leaders)))
    assert by_id == {"w1": "w1", "w2": "w1", "w3": "w1", "u1": "u1", "u2": "u2", "h1": "h1"}


def test_the_earliest_article_leads_whatever_the_input_order():
    bodies = [wire_copy({"Thursday": "Friday"}), WIRE, UNRELATED]
    leaders = nd.cluster_signatures([nd.signature(b) for b in bodies],
                                    ["2022-05-03", "2022-05-01", "2022-05-02"])
    assert leaders.tolist() == [1, 1, 2]


def test_a_copy_of_a_copy_does_not_chain_into_the_first_story():
    # 0 ~ 1 and 1 ~ 2 are copies, 0 and 2 are not: 2 cannot join 0's cluster through 1,
    # and 1 has joined 0, so 2 leads its own.
    rank = np.array([0, 1, 2])
    assert nd.assign_leaders(rank, np.array([[0, 1], [1, 2]])).tolist() == [0, 0, 2]
    assert nd.assign_leaders(rank, np.array([[1, 2], [0, 2], [0, 1]])).tolist() == [0, 0, 0]
    # a later article is placed by its earliest partner that leads
    assert nd.assign_leaders(np.array([2, 0, 1]), np.array([[1, 0], [2, 0]])).tolist() == [1, 1, 2]


def test_a_shared_band_alone_never_makes_a_copy():
    base = nd.signature(" ".join(_words(400, 1)))
    other = nd.signature(" ".join(_words(400, 2))).copy()
    other[:nd.ROWS] = base[:nd.ROWS]            # the first band the same, nothing else
    keys = nd.band_keys(np.stack([base, other]))
    assert keys[0, 0] == keys[1, 0]
    assert nd.candidate_pairs(keys, np.array([0, 1])).tolist() == [[0, 1]]
    leaders = nd.cluster_signatures([base, other], [1, 2])
    assert leaders.tolist() == [0, 1]


def test_a_passage_shared_by_very_many_articles_gives_a_bounded_number_of_pairs():
    count = nd.LARGEST_BUCKET * 3
    keys = np.zeros((count, nd.BANDS), dtype=np.uint32)     # every band the same
    pairs = nd.candidate_pairs(keys, np.arange(count))
    assert len(pairs) == nd.LARGEST_BUCKET * (nd.LARGEST_BUCKET - 1) // 2


def test_words_are_split_as_the_word_pattern_finds_them():
    # shingles() splits bytes translated by _WORD_BYTES instead of running WORD_RE.
    from searchsvc.ingest.neardup import _WORD_BYTES, WORD_RE, shingle_words, shingles
    every_byte = bytes(range(256))
    assert every_byte.translate(_WORD_BYTES).split() == WORD_RE.findall(every_byte)
    texts = ["snake_case __init__ x86_64\ttab\vvertical\fform\r\nCRLF", "Café naïve Straße ﬁne",
             "O’Neill’s “quoted” 3.14 e-mail — dash", "\x00\x1f\x7f" * 3 + "end_"]
    # case foldings that hold ASCII letters (ß, ﬁ, the Kelvin sign, İ, ŉ), lone surrogates
    texts.append("STRASSE Straße ẞ ﬁne K İstanbul ŉ ǅemal ΣΊΣΥΦΟΣ \ud800x\udfff")
    texts.append(" ".join(texts * 20))
    for text in texts:
        data = text.casefold().encode("utf-8", "surrogatepass")
        assert data.translate(_WORD_BYTES).split() == WORD_RE.findall(data)
        assert shingle_words(text) == WORD_RE.findall(data)
    # and a long text's shingles are those of WORD_RE's words written out with spaces
    data = texts[-1].casefold().encode("utf-8", "surrogatepass")
    words = " ".join(word.decode("ascii") for word in WORD_RE.findall(data))
    assert shingles(texts[-1]).size > 0
    assert np.array_equal(shingles(texts[-1]), shingles(words))
