import pytest

from builders import jsonl_service
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.query.synonyms import Synonyms
from searchsvc.service import SearchError, SearchRequest
from builders import whoosh_service
from searchsvc.backends.contract import QueryTerms
from searchsvc.backends.whoosh.analysis import analyze_word
from searchsvc.service.snippets import make_snippets
from searchsvc.config import PACKAGE_DATA

SEEDS = {"000_63fb707cc87ede63", "001_239a778613941eab", "002_b799067c995269f7",
         "003_33987ea7448e5f2a", "004_b08c682b17bd4db1"}


def run(service, q="", **kwargs):
    return service.search(SearchRequest(q=q, **kwargs))


def ids(result):
    return {hit["id"] for hit in result["hits"]}


@pytest.mark.parametrize("q, expected", [
    ("Myanmar", SEEDS),                                  # synonyms: Burma-only seeds too
    ("burma", SEEDS),
    ("Myanmar’s parallel government", {"003_33987ea7448e5f2a"}),
    ('"Kyaw Win"', SEEDS - {"003_33987ea7448e5f2a"}),
    ('"second highest"~3', {"001_239a778613941eab", "002_b799067c995269f7"}),
    ("defectors", {"003_33987ea7448e5f2a"}),
    ("title:diplomat", {"000_63fb707cc87ede63", "001_239a778613941eab", "004_b08c682b17bd4db1"}),
    ("outlet:RFA", {"000_63fb707cc87ede63"}),
    ('outlet:"radio free asia"', {"000_63fb707cc87ede63"}),
    ("author:ponnudurai", {"000_63fb707cc87ede63"}),
    ("year:2022", {"003_33987ea7448e5f2a"}),
    ("date:[2011-07-01 TO 2011-07-05]", {"004_b08c682b17bd4db1", "001_239a778613941eab"}),
    ("australia OR geneva", SEEDS - {"001_239a778613941eab"}),
    ("asylum NOT Irrawaddy", SEEDS - {"002_b799067c995269f7", "003_33987ea7448e5f2a"}),
    ("asylum -australia", SEEDS - {"002_b799067c995269f7", "003_33987ea7448e5f2a"}),
    ("Naypyid*", {"002_b799067c995269f7", "004_b08c682b17bd4db1"}),
    ("Ponnudurrai~", {"000_63fb707cc87ede63"}),
    # A phrase beside an operator is still syntax (it was read as plain words).
    ('asylum -"Kyaw Win"', {"003_33987ea7448e5f2a"}),
    ('Clinton OR "deputy chief"', SEEDS - {"003_33987ea7448e5f2a"}),
    # Only excluded words: every article without them.
    ("-australia", {"000_63fb707cc87ede63", "001_239a778613941eab", "004_b08c682b17bd4db1"}),
    ("-asylum", set()),
    # An excluded word is not widened by its synonyms: Myanmar NOT Burma keeps the
    # Irrawaddy's article, which never says Burma.
    ("Myanmar AND NOT Burma", {"003_33987ea7448e5f2a"}),
    ("Myanmar -Burma", {"003_33987ea7448e5f2a"}),
    # Dates: a single day, comparisons, exclusive bounds; field names in any case.
    ("date:2011-07-04", {"004_b08c682b17bd4db1"}),
    ("DATE:2011-07-13", {"000_63fb707cc87ede63"}),
    ("date:>2011", {"003_33987ea7448e5f2a"}),
    ("date:<2011-07-05", {"004_b08c682b17bd4db1", "001_239a778613941eab"}),
    ("date:{2011-07-04 TO 2011-07-13}", {"002_b799067c995269f7"}),
    ("date:[2011-07-12 TO *]", {"000_63fb707cc87ede63", "003_33987ea7448e5f2a"}),
    ("Title:diplomat", {"000_63fb707cc87ede63", "001_239a778613941eab", "004_b08c682b17bd4db1"}),
    ("ａｓｙｌｕｍ", SEEDS),                              # full-width letters (NFKC)
])
def test_query_forms(seeds_service, q, expected):
    result = run(seeds_service, q)
    # Where fewer than a page of articles have all the words, those with some follow them.
    matched = result["total"] if result["all_words"] is None else result["all_words"]
    assert {hit["id"] for hit in result["hits"][:matched]} == expected
    assert matched == len(expected)


@pytest.mark.parametrize("q", ['"unbalanced', "asylum (", "asylum )", "AND", "OR asylum",
                               "asylum AND OR Burma", "nofield:asylum", "*sylum", "a*",
                               "\x00asylum\x07", "x" * 5000, "[2011 TO", "asylum^^^", "-",
                               "title:", ":::", "<script>alert(1)</script>", "year:abc"])
def test_malformed_queries_never_raise_and_say_how_they_were_read(seeds_service, q):
    result = run(seeds_service, q)
    assert isinstance(result["total"], int)
    assert result["query"]["mode"] in {"plain words", "empty", "all words", "any word", "syntax"}


@pytest.mark.parametrize("q", ["!!!", "-", "\\", "()", "~", "the", "*"])
def test_a_query_without_searchable_words_finds_nothing_and_says_so(seeds_service, q):
    result = run(seeds_service, q)
    assert result["total"] == 0 and result["query"]["notes"]


@pytest.mark.parametrize("q, problem", [
    ("- asylum", "a lone + or -"), ("asylum - Clinton", "a lone + or -"),
    ("{2011 TO 2022}", "a range without a field name"),
])
def test_stray_syntax_is_read_as_words_and_noted(seeds_service, q, problem):
    result = run(seeds_service, q)
    assert problem in result["query"]["notes"][0]
    assert result["total"] > 0


def test_an_empty_field_is_read_as_a_word(seeds_service):
    result = run(seeds_service, "title:")
    assert "a field name with nothing after it" in result["query"]["notes"][0]


def test_outlet_filters_take_the_registry_s_aliases(seeds_service):
    result = run(seeds_service, "asylum", outlets=("RFA",))
    assert ids(result) == {"000_63fb707cc87ede63"}
    assert [row for row in result["facets"]["outlet"] if row["selected"]] == [
        {"value": "Radio Free Asia", "count": 1, "selected": True}]


def test_malformed_query_is_searched_as_plain_words(seeds_service):
    result = run(seeds_service, '"Kyaw Win')
    assert result["query"]["mode"] == "plain words"
    assert "unbalanced quote" in result["query"]["notes"][0]
    assert result["total"] == 4


def test_long_natural_language_query_ranks_by_matching_terms(seeds_service):
    result = run(seeds_service, "Why did the deputy chief of mission at the embassy in Washington "
                                "defect and ask for asylum in the United States?")
    assert result["total"] >= 4
    assert result["query"]["mode"] == "any word"
    # The three reports of defections from the embassy in Washington first; RFA's (on a
    # second diplomat, naming the deputy chief of mission too) may lead them, now that "did"
    # no longer counts for the two on Kyaw Win.
    assert {hit["id"] for hit in result["hits"][:3]} == {
        "000_63fb707cc87ede63", "001_239a778613941eab", "004_b08c682b17bd4db1"}


def test_all_words_first_then_articles_with_some_of_them(seeds_service):
    # Two of the five articles say both words; the three that only say "asylum" follow.
    result = run(seeds_service, "asylum geneva")
    assert result["all_words"] == 2 and result["total"] == 5
    assert {hit["id"] for hit in result["hits"][:2]} == {"000_63fb707cc87ede63",
                                                         "004_b08c682b17bd4db1"}
    assert result["query"]["notes"][-1].startswith("only 2 articles have all the words")
    # None has both: all five have one of them, the note says so.
    fallback = run(seeds_service, "asylum xylophone")
    assert fallback["query"]["mode"] == "any word" and fallback["total"] == 5
    assert fallback["all_words"] == 0
    assert fallback["query"]["notes"][-1].startswith("no article has all the words")
    # Sorted by date, the same articles, in date order only, and the note says no more.
    newest = run(seeds_service, "asylum geneva", sort="newest")
    assert newest["total"] == 5 and ids(newest) == ids(result)
    assert newest["query"]["notes"][-1] == ("only 2 articles have all the words, so articles "
                                            "with some of them are shown too")


def test_articles_with_all_the_words_stay_first_whatever_their_score(tmp_path, registry):
    # The partial match says "storm" twenty times; the two with every word still lead.
    service = jsonl_service(tmp_path, registry, [
        {"id": "loud", "title": "Weather", "body": "storm " * 20 + FILLER},
        {"id": "both1", "title": "Harbour", "body": f"a storm closed the harbour {FILLER}"},
        {"id": "both2", "title": "Port", "body": f"the harbour storm {FILLER}"},
    ])
    result = run(service, "storm harbour")
    assert [hit["id"] for hit in result["hits"]][2] == "loud"
    assert result["all_words"] == 2
    # With ten articles having every word, none of the others is shown.
    many = jsonl_service(tmp_path / "many", registry, [
        {"id": f"both{n}", "title": "Port", "body": f"the harbour storm {n} {FILLER}"}
        for n in range(10)] + [{"id": "loud", "title": "Weather", "body": "storm " * 20}])
    result = run(many, "storm harbour")
    assert result["total"] == 10 and result["all_words"] is None


def test_snippets_escape_markup_and_mark_matches(tmp_path, registry):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "x.txt").write_text("Script Story\n\nThe page contained <script>alert('x')</script> "
                                  "and the diplomats defected.\n", encoding="utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry)
    service = whoosh_service(tmp_path / "ix", registry)
    hit = run(service, "script defects")["hits"][0]
    html = hit["snippets"][0]["html"]
    assert "<script>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html
    assert "<mark>defected</mark>" in html           # stemmed match marks the word as written
    assert "<script>" in hit["snippets"][0]["text"]


def test_phrase_marks_the_phrase_only():
    text = "Win went home. Later Kyaw Win spoke, and Kyaw left."
    snippet = make_snippets(text, QueryTerms(frozenset(), (("kyaw", "win"),), analyze=analyze_word))[0]
    assert snippet.html.count("<mark>") == 2
    assert "<mark>Kyaw</mark> <mark>Win</mark> spoke" in snippet.html


def test_snippets_deep_in_long_articles():
    text = ("filler words here. " * 3000) + "the rare zeugma appears here."
    snippets = make_snippets(text, QueryTerms(frozenset({"zeugma"}), analyze=analyze_word))
    assert len(text) > 32_000
    assert "<mark>zeugma</mark>" in snippets[0].html
    assert len(snippets[0].text) <= 210


def test_title_only_match_shows_opening(tmp_path, registry):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "z.txt").write_text("Zeppelin Report\n\nThe airship flew over the city at dawn. "
                                  + "More words follow here. " * 30, encoding="utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry)
    service = whoosh_service(tmp_path / "ix", registry)
    hit = run(service, "title:zeppelin")["hits"][0]
    assert hit["title_html"] == "<mark>Zeppelin</mark> Report"
    # The body holds the headline too; the snippet is the opening after it, not it again.
    assert hit["snippets"][0]["text"].startswith("The airship flew")
    opening = make_snippets("The airship flew over the city at dawn. " * 20,
                            QueryTerms(frozenset({"zeppelin"}), analyze=analyze_word))
    assert opening[0].text.startswith("The airship flew over the city at dawn.")


def test_up_to_three_snippets_of_about_200_chars(seeds_service):
    for hit in run(seeds_service, "Kyaw Win")["hits"]:
        assert 1 <= len(hit["snippets"]) <= 3
        for snippet in hit["snippets"]:
            assert len(snippet["text"]) <= 210


def test_disjunctive_facets(seeds_service):
    plain = run(seeds_service, "asylum")
    outlets = {row["value"]: row["count"] for row in plain["facets"]["outlet"]}
    assert len(outlets) == 5
    selected = run(seeds_service, "asylum", outlets=["CNN"])
    assert selected["total"] == 1
    counts = {row["value"]: (row["count"], row["selected"]) for row in selected["facets"]["outlet"]}
    # Selecting one outlet leaves the others' counts as they were (tag/exclude semantics)...
    assert counts["The Irrawaddy"] == (1, False) and counts["CNN"] == (1, True)
    # ...while the year facet is filtered by the outlet selection.
    years = {row["value"]: row["count"] for row in selected["facets"]["year"]}
    assert years == {"2011": 1}
    both = run(seeds_service, "asylum", outlets=["CNN", "The Irrawaddy"], years=["2022"])
    assert ids(both) == {"003_33987ea7448e5f2a"}
    years = {row["value"]: row["count"] for row in both["facets"]["year"]}
    assert years == {"2011": 1, "2022": 1}


def test_unknown_is_a_facet_value(tmp_path, registry):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Headline\n\nAn undated article about asylum.\n", "utf-8")
    build_index(corpus, tmp_path / "ix", registry=registry)
    service = whoosh_service(tmp_path / "ix", registry)
    result = run(service, "asylum")
    assert result["facets"]["outlet"] == [{"value": "unknown", "count": 1, "selected": False}]
    assert result["facets"]["year"] == [{"value": "unknown", "count": 1, "selected": False}]
    assert run(service, "asylum", years=["unknown"])["total"] == 1


def test_sorting_and_paging_are_stable(seeds_service):
    newest = run(seeds_service, "", sort="newest")
    dates = [hit["date"] for hit in newest["hits"]]
    assert dates[0] == "2022-03-25" and dates[-1] == "2011-07"
    oldest = [hit["id"] for hit in run(seeds_service, "", sort="oldest")["hits"]]
    assert oldest[0] == "001_239a778613941eab"   # July 2011 sorts as its first day
    # "asylum geneva": two articles with both words, then three with one of them.
    for q in ("diplomat OR asylum", "asylum geneva"):
        for sort in ("relevance", "newest", "oldest"):
            whole = [hit["id"] for hit in run(seeds_service, q, sort=sort, per_page=5)["hits"]]
            paged = []
            for page in (1, 2, 3):
                paged += [hit["id"] for hit in run(seeds_service, q, sort=sort,
                                                   per_page=2, page=page)["hits"]]
            assert paged == whole and len(set(paged)) == len(paged) == 5


def test_suggestion_when_query_finds_little(seeds_service):
    result = run(seeds_service, "diplomta")
    assert result["total"] == 0
    assert result["suggestion"]["text"] == "diplomat"


@pytest.mark.parametrize("kwargs, message", [
    (dict(page=0), "page"), (dict(per_page=1000), "per_page"), (dict(sort="sideways"), "sort"),
    (dict(years=["abc"]), "year"), (dict(date_from="yesterday"), "date_from"),
])
def test_invalid_parameters_raise_search_error(seeds_service, kwargs, message):
    with pytest.raises(SearchError, match=message):
        run(seeds_service, "asylum", **kwargs)


def test_more_like_this_finds_other_coverage(seeds_service):
    related = seeds_service.more_like_this("001_239a778613941eab")
    assert related and "001_239a778613941eab" not in {item["id"] for item in related}
    assert related[0]["id"] in {"004_b08c682b17bd4db1", "002_b799067c995269f7"}


@pytest.mark.parametrize("article_id", sorted(SEEDS))
def test_more_like_this_ranks_as_whoosh_more_like(seeds_service, article_id):
    searcher, _, _ = seeds_service.backend.handle.searcher()
    docnum = searcher.document_number(id=article_id)
    expected = [hit["id"] for hit in searcher.more_like(docnum, "body", top=4, numterms=25)]
    assert [item["id"] for item in seeds_service.more_like_this(article_id, limit=4)] == expected


def test_result_shape(seeds_service):
    result = run(seeds_service, "asylum")
    assert set(result) >= {"total", "hits", "facets", "suggestion", "took_ms", "generation"}
    hit = result["hits"][0]
    assert set(hit) >= {"id", "title", "outlet", "date", "year", "author", "url", "score",
                        "snippets"}


def test_synonym_file_is_editable(tmp_path, seeds_index, registry):
    path = tmp_path / "syn.txt"
    path.write_text("# comment\nzebra, kyaw win\n", encoding="utf-8")
    service = whoosh_service(seeds_index, registry, Synonyms.load(path))
    assert run(service, "zebra")["total"] == 4


def test_handle_follows_each_new_generation(corpus_copy, tmp_path, registry):
    service = whoosh_service(tmp_path / "ix", registry)
    first = build_index(corpus_copy, tmp_path / "ix", registry=registry).generation
    assert run(service, "asylum")["generation"] == first
    assert run(service, "asylum")["total"] == 5
    (corpus_copy / "000_63fb707cc87ede63.txt").unlink()
    second = build_index(corpus_copy, tmp_path / "ix", registry=registry).generation
    result = run(service, "asylum")
    assert result["generation"] == second != first and result["total"] == 4


def test_warm_loads_frequent_terms_and_search_still_agrees(seeds_index, registry):
    service = whoosh_service(seeds_index, registry, Synonyms.load(PACKAGE_DATA / "synonyms.txt"))
    cold = whoosh_service(seeds_index, registry, Synonyms.load(PACKAGE_DATA / "synonyms.txt"))
    loaded = service.warm(frequent_terms=20)
    assert loaded["terms"] == 40
    for q in ("said", "Kyaw Win", "embassy OR asylum"):
        warm_hits = [(h["id"], h["score"]) for h in run(service, q)["hits"]]
        assert warm_hits == [(h["id"], h["score"]) for h in run(cold, q)["hits"]]
    # Warming stops at its time limit (a large index) and when the posting cache is full.
    assert whoosh_service(seeds_index, registry, Synonyms.load(PACKAGE_DATA / "synonyms.txt")
                          ).warm(frequent_terms=20, seconds=0)["terms"] == 0
    small = whoosh_service(seeds_index, registry, Synonyms.load(PACKAGE_DATA / "synonyms.txt"))
    small.backend.warm(frequent_terms=1)            # opens the generation and its cache
    next(iter(small.backend._postings.values())).budget = 1
    assert small.warm(frequent_terms=20)["terms"] == 0


# ---- ranking behaviour the IR evaluation (bench/ir_eval.py) relies on

FILLER = " ".join(f"filler{n}" for n in range(8))


def test_more_matching_query_terms_rank_higher(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, [
        {"id": "one", "title": "Report one", "body": f"alpha {FILLER}"},
        {"id": "two", "title": "Report two", "body": f"alpha beta {FILLER}"},
        {"id": "three", "title": "Report three", "body": f"alpha beta gamma {FILLER}"},
    ])
    result = run(service, "alpha beta gamma delta epsilon")
    assert result["query"]["mode"] == "any word"
    assert [hit["id"] for hit in result["hits"]] == ["three", "two", "one"]


def test_long_query_with_brackets_is_a_sentence(tmp_path, registry):
    # Brackets without an operator in a long query are punctuation: the query is a
    # description, ranked by matches, not a boolean query requiring every word.
    service = jsonl_service(tmp_path, registry, [
        {"id": "tss", "title": "Time sharing", "body": f"the TSS time sharing system {FILLER}"},
        {"id": "other", "title": "Compilers", "body": f"compiler construction {FILLER}"},
    ])
    result = run(service, "What articles deal with TSS (Time Sharing System), an operating "
                          "system for IBM computers?")
    assert result["query"]["mode"] == "any word"
    assert [hit["id"] for hit in result["hits"]] == ["tss"]


def test_short_query_with_brackets_still_requires_all_words(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, [
        {"id": "both", "title": "Both", "body": f"alpha beta {FILLER}"},
        {"id": "alpha", "title": "Alpha", "body": f"alpha {FILLER}"},
    ])
    assert ids(run(service, "alpha (beta)")) == {"both"}


def test_repeated_query_word_counts_more(tmp_path, registry):
    # Without query term frequency the two documents tie and "a" (indexed first) leads.
    service = jsonl_service(tmp_path, registry, [
        {"id": "a", "title": "Report", "body": f"alpha {FILLER}"},
        {"id": "b", "title": "Report", "body": f"beta {FILLER}"},
    ])
    result = run(service, "alpha beta beta gamma delta")
    assert [hit["id"] for hit in result["hits"]] == ["b", "a"]


def test_word_in_every_document_adds_almost_nothing(tmp_path, registry):
    # Lucene's BM25 idf; Whoosh's tf-idf idf would give such a word a weight near 1.
    service = jsonl_service(tmp_path, registry, [
        {"id": str(n), "title": f"Report {n}", "body": f"common words {n} {FILLER}"}
        for n in range(20)])
    assert all(hit["score"] < 0.1 for hit in run(service, "common")["hits"])


FUNCTION_WORD_RECORDS = [
    {"id": "harbour", "title": "Port news", "body": f"the harbour reopened after the storm {FILLER}"},
    {"id": "wordy", "title": "Letters", "body": f"which of these have been about what and how {FILLER}"},
]


@pytest.mark.parametrize("q", [
    "which harbours have been reopened after what storm",          # plain words
    "which harbours have been reopened (after the storm) and how",  # read as syntax
    "What's the news about which harbours have reopened",
])
def test_long_query_leaves_out_function_words(tmp_path, registry, q):
    # A long query is a description: "which", "have", "been", "what" say nothing about
    # its subject, so an article having only those words is not a match at all.
    service = jsonl_service(tmp_path, registry, FUNCTION_WORD_RECORDS)
    result = run(service, q)
    assert [hit["id"] for hit in result["hits"]] == ["harbour"]
    assert result["query"]["text"] == q


@pytest.mark.parametrize("q, expected", [
    ("which have been", {"wordy"}),                          # a short query keeps every word
    ('harbour "which of these" storm reopened after', {"harbour", "wordy"}),   # a phrase
    ("harbour storm reopened after title:letters", {"harbour", "wordy"}),     # a field
    ("harbour storm reopened -which after", {"harbour"}),                      # excluded
    ("which what how when where", {"wordy"}),               # nothing else to search
    ("-harbour which what how when", {"wordy"}),            # nothing else to search for
])
def test_function_words_kept_where_the_user_means_them(tmp_path, registry, q, expected):
    service = jsonl_service(tmp_path, registry, FUNCTION_WORD_RECORDS)
    assert ids(run(service, q)) == expected


def test_stemming_conflates_forms_not_different_words(tmp_path, registry):
    # Snowball English keeps "generators" and "generous" apart (Porter made both "gener").
    service = jsonl_service(tmp_path, registry, [
        {"id": "power", "title": "Power", "body": f"the new generators were started {FILLER}"},
        {"id": "donor", "title": "Donor", "body": f"a generous donor gave again {FILLER}"},
    ])
    assert ids(run(service, "generator")) == {"power"}
    assert ids(run(service, "generously")) == {"donor"}


FEEDBACK_RECORDS = [
    {"id": "best1", "title": "Winter storm",
     "body": f"storm damage to coastal towns this winter; hurricane hurricane hurricane {FILLER}"},
    {"id": "best2", "title": "Storm toll",
     "body": f"the storm damage in coastal towns this winter, a hurricane hurricane {FILLER}"},
    {"id": "plain", "title": "Local news",
     "body": f"coastal roads were repaved during spring {FILLER}"},
    {"id": "tagged", "title": "Local news",
     "body": f"coastal hurricane hurricane hurricane shelters opened {FILLER}"},
]
# Feedback needs its 10 best matches to be at most a tenth of the matches: 100 others
# that match one typed word, in longer articles (so they rank below the four above).
FEEDBACK_CROWD = [{"id": f"crowd{n}", "title": f"Notice {n}",
                   "body": f"winter timetable {n} {FILLER} {FILLER} {FILLER}"}
                  for n in range(96)]


def test_a_description_is_reranked_by_the_words_its_best_matches_share(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, FEEDBACK_RECORDS + FEEDBACK_CROWD)
    q = "storm damage to coastal towns this winter"
    result = run(service, q, per_page=100)
    order = [hit["id"] for hit in result["hits"]]
    # "plain" and "tagged" match one typed word alike (same length, so the same score);
    # the best matches' "hurricane" lifts the one that shares it.
    assert order[:2] == ["best1", "best2"] or order[:2] == ["best2", "best1"]
    assert order.index("tagged") < order.index("plain")
    assert "ranked by the words the best matches share" in result["query"]["notes"][-1]
    # Only the order changes: the same articles, the same total (date order has no feedback).
    assert ids(run(service, q, sort="newest", per_page=100)) == set(order)
    assert result["total"] == 100


def test_feedback_needs_a_hundred_matches(tmp_path, registry):
    service = jsonl_service(tmp_path, registry, FEEDBACK_RECORDS + FEEDBACK_CROWD[:95])
    result = run(service, "storm damage to coastal towns this winter", per_page=100)
    assert result["total"] == 99
    assert not any("best matches share" in note for note in result["query"]["notes"])
    # Snippets mark the words typed, not the words feedback added.
    tagged = next(hit for hit in result["hits"] if hit["id"] == "tagged")
    assert "<mark>coastal</mark>" in tagged["snippets"][0]["html"]
    assert "<mark>hurricane" not in tagged["snippets"][0]["html"]


def test_words_of_a_multi_word_synonym_stay_words(tmp_path, registry):
    # "Myanmar military" is a synonym of "tatmadaw"; typed as two words it still finds an
    # article that has both words apart (and Burma for Myanmar), as well as the synonyms.
    service = jsonl_service(tmp_path, registry, [
        {"id": "apart", "title": "Border",
         "body": f"the military fired on villages in Burma {FILLER}"},
        {"id": "synonym", "title": "Coup", "body": f"the tatmadaw seized power {FILLER}"},
        {"id": "neither", "title": "Trade", "body": f"Burma exports rice {FILLER}"},
    ], synonyms=Synonyms.load(PACKAGE_DATA / "synonyms.txt"))
    assert ids(run(service, "Myanmar military")) == {"apart", "synonym"}


PHRASE_RECORDS = [
    {"id": "x1", "title": "Speech", "body": "The state of the union is strong, he said."},
    {"id": "x2", "title": "Labour", "body": "The state union met today."},
    {"id": "x3", "title": "Report", "body": "State, of the Union: a report."},
    {"id": "x4", "title": "Plural", "body": "The states of the unions were strong."},
    {"id": "x5", "title": "Other", "body": "A state of a union, he said."},
    {"id": "x6", "title": "State of the Union", "body": "Headline only has it."},
]


@pytest.mark.parametrize("q, expected", [
    ('"state of the union"', {"x1", "x3", "x4", "x6"}),       # stop words as written
    ('"state of a union"', {"x5"}),
    ('"state of the union" strong', {"x1", "x4"}),           # a required part of the query
    ('title:"state of the union"', {"x6"}),
    ('"of the union"', {"x1", "x3", "x4", "x6"}),
    ('"state of a union" OR labour', {"x2", "x5"}),          # among alternatives
    ('said -"state of the union"', {"x5"}),                   # excluded
])
def test_phrases_with_stop_words_match_exactly(tmp_path, registry, q, expected):
    service = jsonl_service(tmp_path, registry, PHRASE_RECORDS)
    result = service.search(SearchRequest(q=q, per_page=20))
    assert result["all_words"] is None or result["all_words"] == len(expected)
    found = [hit["id"] for hit in result["hits"]][:len(expected)]
    assert set(found) == expected and result["total"] >= len(expected)
