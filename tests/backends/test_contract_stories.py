"""The backend contract's story clusters: copies of one wire story are one hit (collapse)."""
import pytest

from searchsvc.backends.contract import COPY_FIELDS, SearchSpec
from searchsvc.query import tree as t
from storycorpus import STORY_RECORDS
from .conftest import BUILDERS, write_corpus

WIRE = {"w1", "w2", "w3"}


@pytest.fixture(scope="session", params=sorted(BUILDERS))
def stories(request, tmp_path_factory):
    """Each backend, built once per session over the story corpus."""
    work = tmp_path_factory.mktemp(f"stories-{request.param}")
    write_corpus(work / "corpus", STORY_RECORDS)
    return BUILDERS[request.param](work / "corpus", work)


def ids(outcome):
    return [found.fields["id"] for found in outcome.hits]


BANK = t.All((t.Word("central"), t.Word("bank")))       # w1-w3, u2 and the headline h1


def test_copies_are_one_hit_listing_the_others(stories):
    outcome = stories.search(SearchSpec(BANK, collapse=True))
    assert outcome.articles == 5 and outcome.total == 3
    (story,) = [found for found in outcome.hits if found.fields["id"] in WIRE]
    assert story.copy_count == 2
    assert {copy["id"] for copy in story.copies} | {story.fields["id"]} == WIRE
    assert all(set(copy) == set(COPY_FIELDS) for copy in story.copies)
    others = [found for found in outcome.hits if found.fields["id"] not in WIRE]
    assert all(found.copies == [] and found.copy_count == 0 for found in others)


def test_without_collapse_every_copy_is_a_hit(stories):
    outcome = stories.search(SearchSpec(BANK))
    assert outcome.total == 5 and outcome.articles is None
    assert WIRE <= set(ids(outcome)) and all(found.copies == [] for found in outcome.hits)


def test_facets_count_articles_when_collapsed(stories):
    collapsed = stories.search(SearchSpec(BANK, collapse=True))
    every = stories.search(SearchSpec(BANK))
    assert collapsed.facets == every.facets
    assert dict(collapsed.facets["outlet"])["BBC News"] == 2


@pytest.mark.parametrize("sort, shown", [("newest", "w3"), ("oldest", "w1")])
def test_the_story_shows_as_its_first_copy_in_the_sort(stories, sort, shown):
    outcome = stories.search(SearchSpec(BANK, sort=sort, collapse=True))
    assert [i for i in ids(outcome) if i in WIRE] == [shown]


def test_pages_of_stories_hold_each_story_once(stories):
    seen = []
    for offset in range(4):
        page = stories.search(SearchSpec(BANK, sort="oldest", offset=offset, limit=1,
                                         collapse=True))
        assert page.total == 3
        seen.extend(ids(page))
    assert len(seen) == 3 and len(set(seen) & WIRE) == 1


def test_an_update_adds_a_new_copy_to_its_story(builder, tmp_path):
    from searchsvc.dates import PartialDate
    from searchsvc.ingest.corpus import Article
    from storycorpus import wire_copy
    write_corpus(tmp_path / "corpus", STORY_RECORDS)
    backend = builder(tmp_path / "corpus", tmp_path)
    backend.update_articles([Article(
        id="w4", title="Rates rise", body=wire_copy({"governor": "bank's governor"}),
        source="api", source_file="api", outlet="Fox News",
        date=PartialDate(2022, 5, 8))], delete_ids=["w3"])
    outcome = backend.search(SearchSpec(BANK, sort="oldest", collapse=True))
    (story,) = [found for found in outcome.hits if found.fields["id"] in WIRE | {"w4"}]
    assert story.fields["id"] == "w1"
    assert sorted(copy["id"] for copy in story.copies) == ["w2", "w4"]
    assert outcome.articles == 5 and outcome.total == 3
