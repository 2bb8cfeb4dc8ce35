"""The backend contract: the same tests, through the contract only, for every backend."""
import datetime as dt

from searchsvc.backends.contract import Filters, SearchSpec
from searchsvc.query import tree as t


def ids(outcome):
    return [found.fields["id"] for found in outcome.hits]


def test_a_word_matches_title_and_body_ranked_by_relevance(backend):
    outcome = backend.search(SearchSpec(t.Word("asylum")))
    assert outcome.total == 2 and set(ids(outcome)) == {"a1", "a2"}
    assert ids(outcome)[0] == "a1"          # in the title and twice in the body
    assert all(found.score > 0 for found in outcome.hits)


def test_no_tree_lists_every_article_newest_first(backend):
    outcome = backend.search(SearchSpec(None, limit=10))
    assert outcome.total == 5
    assert ids(outcome) == ["a3", "a4", "a2", "a1", "a5"]    # unknown date last


def test_sort_oldest_and_paging(backend):
    first = backend.search(SearchSpec(None, sort="oldest", offset=0, limit=2))
    second = backend.search(SearchSpec(None, sort="oldest", offset=2, limit=2))
    assert ids(first) == ["a1", "a2"] and ids(second) == ["a4", "a3"]
    assert backend.search(SearchSpec(None, offset=10, limit=2)).hits == []


def test_phrase_all_any_and_not(backend):
    assert ids(backend.search(SearchSpec(t.Phrase(("embassy", "staff"))))) == ["a2"]
    both = t.All((t.Word("diplomat"), t.Word("asylum")))
    assert ids(backend.search(SearchSpec(both))) == ["a1"]
    either = t.Any((t.Word("festival"), t.Word("ambassador")))
    assert set(ids(backend.search(SearchSpec(either)))) == {"a3", "a4"}
    without = t.All((t.Word("diplomat"), t.Not(t.Word("asylum"))))
    assert ids(backend.search(SearchSpec(without))) == ["a4"]


def test_a_phrase_with_stop_words_matches_them_as_written(backend):
    assert ids(backend.search(SearchSpec(t.Phrase(("said", "the", "regime"))))) == ["a1"]
    assert ids(backend.search(SearchSpec(t.Phrase(("said", "a", "regime"))))) == []
    within = t.All((t.Word("diplomat"), t.Phrase(("ordered", "a", "crackdown"))))
    assert ids(backend.search(SearchSpec(within))) == ["a1"]


def test_a_phrase_with_stop_words_is_exact_among_alternatives_and_exclusions(backend):
    # a1 says "said the regime": the index alone sees "said regime" in it.
    written, unwritten = t.Phrase(("said", "the", "regime")), t.Phrase(("said", "a", "regime"))
    either = t.Any((unwritten, t.Word("festival")))
    assert ids(backend.search(SearchSpec(either))) == ["a3"]
    kept = t.All((t.Word("diplomat"), t.Not(unwritten)))
    assert set(ids(backend.search(SearchSpec(kept)))) == {"a1", "a4"}
    dropped = t.All((t.Word("diplomat"), t.Not(written)))
    assert ids(backend.search(SearchSpec(dropped))) == ["a4"]
    assert backend.period_counts(unwritten, Filters(), "year").total == 0
    assert backend.period_counts(written, Filters(), "year").total == 1


def test_fields_and_ranges(backend):
    assert ids(backend.search(SearchSpec(t.Word("asylum", field="title")))) == ["a1"]
    assert ids(backend.search(SearchSpec(t.Word("lee", field="author")))) == ["a1"]
    assert set(ids(backend.search(SearchSpec(t.Word("cnn", field="outlet"))))) == {"a3", "a4"}
    assert set(ids(backend.search(SearchSpec(t.YearRange(2022, 2022))))) == {"a3", "a4"}
    march = t.DateRange(dt.date(2022, 3, 1), dt.date(2022, 3, 24))
    assert ids(backend.search(SearchSpec(march))) == ["a4"]


def test_prefix_and_fuzzy_words(backend):
    assert set(ids(backend.search(SearchSpec(t.Prefix("defect"))))) == {"a2", "a4"}
    assert set(ids(backend.search(SearchSpec(t.Fuzzy("diplomet", edits=1))))) == {"a1", "a4"}


def test_synonym_group_matches_any_alternative(backend):
    group = t.Synonyms((t.Word("festival"), t.Word("markets")))
    assert set(ids(backend.search(SearchSpec(group)))) == {"a3", "a5"}


def test_facets_are_disjunctive(backend):
    outcome = backend.search(SearchSpec(None, filters=Filters(outlets=("CNN",))))
    assert outcome.total == 2
    assert dict(outcome.facets["outlet"]) == {"Reuters": 2, "CNN": 2, "BBC News": 1}
    assert dict(outcome.facets["year"]) == {"2022": 2}
    years = backend.search(SearchSpec(None, filters=Filters(years=("2011", "unknown"))))
    assert years.total == 3 and dict(years.facets["year"]) == {"2011": 2, "2022": 2,
                                                                "unknown": 1}
    assert years.facets["year"][-1][0] == "unknown"


def test_author_and_topic_facets_count_each_value_of_an_article(backend):
    outcome = backend.search(SearchSpec(None))
    assert outcome.facets["author"] == [("Bo Chen", 2), ("Ann Lee", 1), ("Cy Dunn", 1)]
    assert outcome.facets["topic"] == [("diplomacy", 3), ("asylum", 1), ("culture", 1)]


def test_author_and_topic_filters_are_disjunctive_and_combine_with_others(backend):
    bo = backend.search(SearchSpec(None, Filters(authors=("Bo Chen",))))
    assert bo.total == 2 and set(ids(bo)) == {"a2", "a4"}
    # A facet counts without its own filter, with every other one.
    assert dict(bo.facets["author"]) == {"Bo Chen": 2, "Ann Lee": 1, "Cy Dunn": 1}
    assert dict(bo.facets["topic"]) == {"diplomacy": 2, "asylum": 1}
    assert dict(bo.facets["outlet"]) == {"Reuters": 1, "CNN": 1}
    either = backend.search(SearchSpec(None, Filters(authors=("Ann Lee", "Cy Dunn"))))
    assert set(ids(either)) == {"a1", "a2"}
    assert backend.search(SearchSpec(None, Filters(topics=("culture",),
                                                   authors=("Bo Chen",)))).total == 0
    reuters_topics = backend.search(SearchSpec(None, Filters(outlets=("Reuters",),
                                                             topics=("asylum", "culture"))))
    assert ids(reuters_topics) == ["a2"]
    assert backend.search(SearchSpec(None, Filters(topics=("nothing",)))).total == 0


def test_facet_limit_keeps_the_largest_values_and_the_selected_ones(backend):
    top = backend.search(SearchSpec(None, facet_limit=1))
    assert top.facets["author"] == [("Bo Chen", 2)] and top.facets["topic"] == [("diplomacy", 3)]
    chosen = backend.search(SearchSpec(None, Filters(authors=("Cy Dunn",)), facet_limit=1))
    assert chosen.facets["author"] == [("Bo Chen", 2), ("Cy Dunn", 1)]


def test_months_count_the_results_dated_to_the_month(backend):
    assert backend.search(SearchSpec(None)).months == [
        ("2011-07", 1), ("2011-08", 1), ("2022-03", 2)]
    cnn = backend.search(SearchSpec(None, Filters(outlets=("CNN",))))
    assert cnn.months == [("2022-03", 2)]


def test_day_range_filter(backend):
    filters = Filters(date_from=dt.date(2011, 8, 1), date_to=dt.date(2022, 3, 10))
    assert set(ids(backend.search(SearchSpec(None, filters=filters)))) == {"a2", "a4"}
    assert backend.count(None, filters) == 2


def test_fallback_when_few_match_every_word(backend):
    tree = t.All((t.Word("asylum"), t.Word("festival")))
    spec = SearchSpec(tree, fallback=t.Any(tree.parts), fallback_below=10)
    outcome = backend.search(spec)
    assert outcome.all_words == 0 and outcome.tree_matches == 0
    assert set(ids(outcome)) == {"a1", "a2", "a3"}


def test_a_tree_of_stop_words_matches_nothing(backend):
    outcome = backend.search(SearchSpec(t.Word("the")))
    assert outcome.total == 0 and outcome.notes
    assert backend.search(SearchSpec(t.Word("asylum"), match_nothing=True)).total == 0


def test_highlight_terms_are_analysed_and_skip_exclusions(backend):
    terms = backend.highlight_terms(t.All((t.Word("Diplomats"), t.Not(t.Word("asylum")),
                                           t.Phrase(("embassy", "staff")))))
    assert terms.analyze("Diplomats") in terms.terms
    assert terms.analyze("asylum") not in terms.terms
    assert tuple(terms.analyze(w) for w in ("embassy", "staff")) in terms.phrases


def test_stored_fields_article_and_similar(backend):
    article = backend.article("a1")
    assert article["title"] == "Diplomat seeks asylum in Geneva"
    assert article["outlet"] == "Reuters" and article["date_iso"] == "2011-07-04"
    assert "asked for asylum" in article["body"]
    assert backend.article("nope") is None
    assert backend.article("a5")["year"] is None
    similar = [found.fields["id"] for found in backend.similar("a1", limit=3)]
    assert similar and "a1" not in similar and similar[0] in {"a2", "a4"}


def test_spelling_lexicon_and_frequencies(backend):
    assert backend.document_frequency("asylum") == 2
    assert backend.document_frequency("zeppelin") == 0
    assert backend.suggest_word("asylim", maxdist=1) == "asylum"
    # Words as articles write them, not index terms ("embassi", "defect").
    assert backend.suggest_word("embasy", maxdist=2) == "embassy"
    assert backend.suggest_word("defecton", maxdist=2) == "defection"
    assert backend.suggest_word("ambasador", maxdist=2) == "ambassador"
    assert backend.suggest_word("diplomta", maxdist=2) == "diplomat"     # letters swapped
    assert backend.suggest_word("zzqxv", maxdist=2) is None


def test_info_names_the_generation(backend):
    info = backend.info()
    assert info["documents"] == 5 and info["generation"]
    assert backend.search(SearchSpec(None)).generation == info["generation"]


def test_a_rebuild_switches_the_served_generation(builder, tmp_path):
    from .conftest import RECORDS, write_corpus
    write_corpus(tmp_path / "corpus", RECORDS)
    backend = builder(tmp_path / "corpus", tmp_path)
    before = backend.info()["generation"]
    changed = [dict(RECORDS[0], title="Diplomat leaves", body="Nothing about that.")] + RECORDS[1:]
    write_corpus(tmp_path / "corpus", changed)
    builder(tmp_path / "corpus", tmp_path)
    assert backend.info()["generation"] != before       # the open backend follows the switch
    assert ids(backend.search(SearchSpec(t.Word("asylum")))) == ["a2"]


def test_update_by_id_adds_replaces_and_deletes(builder, tmp_path):
    from searchsvc.dates import PartialDate
    from searchsvc.ingest.corpus import Article
    from .conftest import RECORDS, write_corpus
    write_corpus(tmp_path / "corpus", RECORDS)
    backend = builder(tmp_path / "corpus", tmp_path)
    before = backend.info()["generation"]
    report = backend.update_articles(
        [Article(id="a3", title="Harvest festival cancelled", body="The zeppelin show is off.",
                 source="api", source_file="api", outlet="CNN", date=PartialDate(2022, 3, 26)),
         Article(id="a9", title="New zeppelin hangar", body="A zeppelin hangar opened.",
                 source="api", source_file="api")],
        delete_ids=["a5"])
    assert report.indexed == 2 and report.removed == 1
    assert backend.info()["generation"] != before and backend.info()["documents"] == 5
    assert set(ids(backend.search(SearchSpec(t.Word("zeppelin"))))) == {"a3", "a9"}
    assert backend.article("a3")["title"] == "Harvest festival cancelled"
    assert backend.article("a5") is None
    assert ids(backend.search(SearchSpec(t.Word("apples")))) == []


def test_period_counts_per_interval_and_outlet(backend):
    # a1 2011-07-04 (a Monday), a2 2011-08-15, a3 2022-03-25, a4 2022-03-01; a5 has no date.
    diplomat = t.Any((t.Word("diplomat"), t.Word("asylum")))   # a1, a2, a4
    months = backend.period_counts(diplomat, Filters(), "month")
    assert months.matches == {("2011-07-01", None): 1, ("2011-08-01", None): 1,
                              ("2022-03-01", None): 1}
    assert months.articles == {("2011-07-01", None): 1, ("2011-08-01", None): 1,
                               ("2022-03-01", None): 2}
    assert (months.total, months.unknown_date) == (3, 0)
    weeks = backend.period_counts(None, Filters(), "week")
    assert weeks.matches == weeks.articles and weeks.total == 5 and weeks.unknown_date == 1
    assert ("2011-07-04", None) in weeks.matches and ("2022-03-21", None) in weeks.matches
    years = backend.period_counts(diplomat, Filters(outlets=("CNN",)), "year", by_outlet=True)
    assert years.matches == {("2022-01-01", "CNN"): 1}
    assert years.articles == {("2022-01-01", "CNN"): 2}
    days = backend.period_counts(diplomat, Filters(date_from=dt.date(2011, 8, 1)), "day")
    assert days.matches == {("2011-08-15", None): 1, ("2022-03-01", None): 1}
