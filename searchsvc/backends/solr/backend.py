"""The Solr backend: the contract of ``searchsvc.backends.contract`` over a SolrCloud alias.

Each call resolves the alias to the collection it points at and queries that collection by
name, so one search sees one generation even when a build swaps the alias meanwhile. Facets
are ``json.facet`` terms facets whose domains exclude their own filter (``{!tag}`` and
``excludeTags``): disjunctive counts, as the Whoosh backend's.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

from ...query import tree as t
from ..contract import (UNKNOWN, Filters, Found, Outcome, PeriodCounts, QueryTerms,
                        SearchSpec)
from .analysis import analyze_word
from .client import SolrClient
from ..whoosh.ranking import Ranking
from .feedback import FEEDBACK_NOTE, expand
from .generations import UNKNOWN_YEAR, generation_name, served
from .highlight import PARAMS as HIGHLIGHT, hit_passages
from .spelling import suggest_surface
from . import stories
from .translate import Translation, query_terms, quote, solr_date

if TYPE_CHECKING:
    from ...ingest.corpus import Article
    from ...outlets import OutletRegistry
    from ..whoosh.indexer import BuildReport

TOO_COMMON_NOTE = "every word is too common to search on its own"
STORED = ("id", "title", "body", "author", "outlet", "outlet_label", "year", "date",
          "date_iso", "url", "has_text", "language", "source", "source_file", "content_hash", "provenance")
FACET_TAGS = "outlet,year,author,topic"
SPELLING_CANDIDATES = 50     # terms the spellcheck component offers per word
MAX_EXPANSION = 200         # index terms a prefix or wildcard marks in snippets


class SolrBackend:
    """Articles in a SolrCloud collection alias, searched through the backend contract."""

    def __init__(self, client: SolrClient | str | list[str], alias: str = "searchsvc",
                 shards: int = 1, replicas: int = 1, keep_generations: int = 2,
                 ranking: Ranking = Ranking()) -> None:
        self.client = client if isinstance(client, SolrClient) else SolrClient(client)
        # Of the ranking, only relevance feedback's parameters apply here: BM25 and the
        # title's weight are the configset's and the translation's.
        self.ranking = ranking
        self.alias = alias
        self.shards, self.replicas = shards, replicas
        self.keep_generations = keep_generations

    # ---- writing

    def build(self, corpus: str | os.PathLike, *, registry: "OutletRegistry",
              update: bool = False, wait: bool = False, **options) -> "BuildReport":
        """Build the corpus into a new collection and swap the alias to it.

        With update=True the served collection is updated by id: the corpus's new and
        changed articles are sent, those no longer in it deleted (see indexer.refresh).
        """
        from . import indexer
        if update:
            return indexer.refresh(self.client, self.alias, corpus, registry=registry,
                                   field_map=options.get("field_map"))
        return indexer.build_collection(
            self.client, self.alias, corpus, registry=registry,
            shards=options.get("shards") or self.shards,
            replicas=options.get("replicas") or self.replicas,
            keep_generations=options.get("keep_generations", self.keep_generations),
            field_map=options.get("field_map"))

    def update_articles(self, articles: Iterable["Article"] = (),
                        delete_ids: Iterable[str] = ()) -> "BuildReport":
        """Add or replace articles by id and delete others, in one commit."""
        from . import indexer
        return indexer.update_by_id(self.client, self.alias, articles, delete_ids)

    def drop(self) -> None:
        """Delete the alias and every collection built for it."""
        from . import indexer
        indexer.drop_all(self.client, self.alias)

    # ---- reading

    def _served(self) -> tuple[str, str, dict]:
        """Return the served collection, its generation name and the alias's properties."""
        collection, properties = served(self.client, self.alias)
        updates = int(properties.get("updates", 0))
        return collection, generation_name(collection, updates), properties

    def search(self, spec: SearchSpec) -> Outcome:
        """Run one search: matches, facets, the page of hits, the terms to highlight."""
        collection, generation, _ = self._served()
        if spec.collapse and not stories.available(self.client, collection):
            spec = replace(spec, collapse=False)     # built before story clusters
        notes: list[str] = []
        translation = Translation(spec.tree)
        if spec.tree is not None and translation.query is None:
            notes.append(TOO_COMMON_NOTE)
        if spec.match_nothing or (spec.tree is not None and translation.query is None):
            return Outcome(total=0, hits=[],
                           facets={"outlet": [], "year": [], "author": [], "topic": []},
                           highlight=self.highlight_terms(spec.tree), generation=generation,
                           notes=notes)
        answer = self._select(collection, translation, spec)
        tree_matches = answer["facets"].get("tree", {}).get("count", 0)
        marked, ahead, searched = spec.tree, None, translation
        if spec.fallback is not None and tree_matches < spec.fallback_below:
            fallback = Translation(spec.fallback, prefix="fb")
            if fallback.query is not None:
                wider = self._select(collection, fallback, spec, ahead=translation)
                if wider["facets"].get("tree", {}).get("count", 0) > tree_matches:
                    answer, ahead, marked, searched = wider, translation, spec.fallback, fallback
        if (spec.feedback and spec.sort == "relevance" and marked is not None
                and answer["facets"].get("tree", {}).get("count", 0)
                >= max(1, self.ranking.feedback_min_matches)):
            dates = _filters(Filters(date_from=spec.filters.date_from,
                                     date_to=spec.filters.date_to))
            expanded = expand(self.client, collection, searched, marked, dates, self.ranking)
            if expanded is not None:
                answer = self._select(collection, expanded, spec, ahead=ahead, within=searched)
                notes.append(FEEDBACK_NOTE)
        scored = spec.sort == "relevance" and spec.tree is not None
        hits = [Found(_fields(doc), round(float(doc["score"]), 4) if scored else None,
                      passages=hit_passages(answer, doc))
                for doc in answer["response"]["docs"]]
        if spec.collapse:
            for doc, hit in zip(answer["response"]["docs"], hits):
                hit.copies, hit.copy_count = stories.copies(answer, doc)
        facets = answer["facets"]
        return Outcome(
            total=answer["response"]["numFound"], hits=hits,
            facets={"outlet": _outlet_facet(facets), "year": _year_facet(facets),
                    "author": _many_facet(facets, "author", spec.facet_limit,
                                          spec.filters.authors),
                    "topic": _many_facet(facets, "topic", spec.facet_limit,
                                         spec.filters.topics)},
            months=_months(facets),
            highlight=self.highlight_terms(marked), generation=generation,
            all_words=None if ahead is None else facets.get("ahead", {}).get("count", 0),
            tree_matches=tree_matches, notes=notes,
            articles=facets.get("articles", {}).get("count", 0) if spec.collapse else None)

    def _select(self, collection: str, translation: Translation, spec: SearchSpec,
                ahead: Translation | None = None, within: Translation | None = None) -> dict:
        """Return Solr's answer to one query with the spec's filters, sort, page and facets.

        within: a query the matches must also match (the typed one, under feedback).
        """
        params = {**translation.params, "fl": "*,score", "start": spec.offset,
                  "rows": spec.limit, "fq": _filters(spec.filters),
                  "q": translation.query or "*:*"}
        if within is not None:
            params["within"] = within.query
            params["fq"] = params["fq"] + ["{!lucene v=$within}"]
        if translation.query and spec.limit:
            params.update(HIGHLIGHT)        # snippets: the passages the highlighter picks
            if within is not None:          # of the words typed, not those feedback added
                params["hl.q"] = "{!lucene v=$within}"
        if spec.sort == "relevance" and spec.tree is not None:
            sort = "score desc,seq asc"
        else:
            sort = "date asc,seq asc" if spec.sort == "oldest" else "date desc,seq asc"
        facet = {
            "outlet": {"type": "terms", "field": "outlet", "limit": -1,
                       "domain": {"excludeTags": "outlet"}},
            "year": {"type": "terms", "field": "year", "limit": -1,
                     "domain": {"excludeTags": "year"}},
            # Every value, cut to the facet limit here: Solr breaks ties of count by byte
            # order, the contract by name ignoring case, so a cut in Solr could differ.
            "author": {"type": "terms", "field": "authors", "limit": -1,
                       "domain": {"excludeTags": "author"}},
            "topic": {"type": "terms", "field": "topics", "limit": -1,
                      "domain": {"excludeTags": "topic"}},
            "month": {"type": "terms", "field": "month", "limit": -1},
            "tree": {"type": "query", "q": "*:*", "domain": {"excludeTags": FACET_TAGS}},
        }
        if ahead is not None:
            # The articles having every word first, then the others, each by score.
            params.update(ahead.params)
            params["aq"] = ahead.query
            sort = "if(exists(query($aq)),1,0) desc," + sort
            facet["ahead"] = {"type": "query", "q": "{!lucene v=$aq}"}
        params["sort"] = sort
        if spec.collapse:
            stories.collapse(params, facet, spec)
        params["json.facet"] = json.dumps(facet)
        answer = self.client.request("POST", f"/{collection}/select", data=params,
                                     params={"wt": "json"})
        answer.setdefault("facets", {})
        return answer

    def count(self, tree: t.Node | None, filters: Filters = Filters()) -> int:
        """Return how many articles match a tree and the day range of the filters."""
        collection, _, _ = self._served()
        translation = Translation(tree)
        if tree is not None and translation.query is None:
            return 0
        answer = self.client.request(
            "POST", f"/{collection}/select", params={"wt": "json"},
            data={**translation.params, "q": translation.query or "*:*", "rows": 0,
                  "fq": _filters(Filters(date_from=filters.date_from,
                                         date_to=filters.date_to))})
        return answer["response"]["numFound"]

    def period_counts(self, tree: t.Node | None, filters: Filters, interval: str,
                      by_outlet: bool = False) -> PeriodCounts:
        """Count matching articles and all articles per period (per outlet if asked)."""
        collection, _, _ = self._served()
        translation = Translation(tree)
        # Words, none of them indexed (stop words), match nothing, as in search().
        nothing = tree is not None and translation.query is None
        matches, total, undated = ({}, 0, 0) if nothing else self._periods(
            collection, translation, filters, interval, by_outlet)
        articles, _, _ = self._periods(collection, Translation(None), filters, interval,
                                       by_outlet)
        return PeriodCounts(matches=matches, articles=articles, unknown_date=undated,
                            total=total)

    def _periods(self, collection: str, translation: Translation, filters: Filters,
                 interval: str, by_outlet: bool) -> tuple[dict, int, int]:
        """Return the counts per period of a query's matches, their total and undated ones."""
        days: dict = {"type": "terms", "field": "date", "limit": -1}
        if by_outlet:
            days["facet"] = {"outlet": {"type": "terms", "field": "outlet", "limit": -1}}
        facet = {"days": days, "undated": {"type": "query", "q": "*:* -date:[* TO *]"}}
        answer = self.client.request(
            "POST", f"/{collection}/select", params={"wt": "json"},
            data={**translation.params, "q": translation.query or "*:*", "rows": 0,
                  "fq": _filters(filters), "json.facet": json.dumps(facet)})
        facets = answer.get("facets", {})
        counts: dict[tuple[str, str | None], int] = {}
        for bucket in facets.get("days", {}).get("buckets", []):
            start = period_start(dt.date.fromisoformat(str(bucket["val"])[:10]), interval)
            inner = (bucket["outlet"]["buckets"] if by_outlet
                     else [{"val": None, "count": bucket["count"]}])
            for each in inner:
                key = (start.isoformat(), each["val"])
                counts[key] = counts.get(key, 0) + each["count"]
        return (counts, answer["response"]["numFound"],
                facets.get("undated", {}).get("count", 0))

    def article(self, article_id: str) -> dict | None:
        """Return the stored fields of one article (with its body), or None."""
        collection, generation, _ = self._served()
        answer = self.client.get(f"/{collection}/select", q=f"id:{quote(article_id)}", rows=1)
        docs = answer["response"]["docs"]
        return {**_fields(docs[0]), "generation": generation} if docs else None

    def similar(self, article_id: str, limit: int = 5) -> list[Found]:
        """Return the articles most like one article (its 25 key body words), itself left out."""
        collection, _, _ = self._served()
        # The MoreLikeThis component, not {!mlt}: that parser fetches the article with a
        # real-time get by id, which cannot find it when articles are routed by their story
        # cluster (stories.py); a search for the id finds it on any shard.
        answer = self.client.get(
            f"/{collection}/select", q=f"id:{quote(article_id)}", rows=1, fl="*,score",
            mlt="true", **{"mlt.fl": "body", "mlt.mintf": 1, "mlt.mindf": 1,
                           "mlt.maxqt": 25, "mlt.count": limit + 1})
        found = stories.more_like_this(answer, article_id)
        return [Found(_fields(doc), round(float(doc["score"]), 4))
                for doc in found if doc["id"] != article_id][:limit]

    def highlight_terms(self, tree: t.Node | None) -> QueryTerms:
        """Return the analysed terms and phrases a tree looks for (not those it excludes)."""
        return query_terms(tree, self._expand)

    def _expand(self, leaf: t.Prefix | t.Wildcard | t.Fuzzy) -> list[str]:
        """Return the body terms a prefix or wildcard word matches (fuzzy words: none)."""
        if isinstance(leaf, t.Fuzzy):
            return []
        collection, _, _ = self._served()
        params = {"terms.limit": MAX_EXPANSION}
        if isinstance(leaf, t.Prefix):
            params["terms.prefix"] = leaf.text.lower()
        else:
            pattern = "".join(".*" if ch == "*" else "." if ch == "?" else escape_regex(ch)
                              for ch in leaf.pattern.lower())
            params["terms.regex"] = pattern
        return list(self._terms(collection, **params))

    def document_frequency(self, word: str) -> int:
        """Return how many articles' bodies hold a word (after analysis)."""
        term = analyze_word(word)
        if not term or " " in term:
            return 0
        collection, _, _ = self._served()
        answer = self.client.get(f"/{collection}/select", q="{!term f=body v=$t}", t=term,
                                 rows=0)
        return answer["response"]["numFound"]

    def suggest_word(self, word: str, maxdist: int) -> str | None:
        """Return a word as articles write it, within maxdist edits of ``word``, of the stem
        most articles use (see ``solr/spelling.py``), if any."""
        collection, _, _ = self._served()

        lexicons: dict[str, list[str]] = {}     # first letter -> body terms, read once

        def near(form: str) -> list[str]:
            answer = self.client.get(f"/{collection}/spell", **{
                "spellcheck.q": form, "spellcheck.count": SPELLING_CANDIDATES,
                "spellcheck.alternativeTermCount": SPELLING_CANDIDATES, "json.nl": "map"})
            found = answer.get("spellcheck", {}).get("suggestions", {})
            entry = found.get(form) if isinstance(found, dict) else None
            terms = [option["word"] if isinstance(option, dict) else option
                     for option in (entry or {}).get("suggestion", [])]
            if not terms:
                # The spellchecker offers nothing for a word it takes as correct or cannot
                # look up (a stop word such as "the", which the index leaves out): the
                # body's terms with its first letter are read instead.
                if form[:1] not in lexicons:
                    lexicons[form[:1]] = list(self._terms(
                        collection, **{"terms.prefix": form[:1], "terms.limit": -1}))
                terms = lexicons[form[:1]]
            return [form, *terms]

        def frequencies(terms: list[str]) -> dict[str, int]:
            if not terms:
                return {}
            found = self._terms(collection, **{"terms.list": ",".join(terms)})
            return {term: int(found[term]) if not isinstance(found[term], dict)
                    else int(found[term].get("df", 0)) for term in terms if term in found}

        def texts(term: str, count: int) -> list[str]:
            answer = self.client.get(f"/{collection}/select", q="{!term f=body v=$t}", t=term,
                                     rows=count, sort="seq asc", fl="body")
            return [doc.get("body") or "" for doc in answer["response"]["docs"]]

        return suggest_surface(word, maxdist, near, frequencies, texts)

    def _terms(self, collection: str, **params) -> dict:
        """Return the terms component's answer for the body field as {term: counts}."""
        answer = self.client.get(f"/{collection}/terms", **{"terms.fl": "body",
                                                             "json.nl": "map", **params})
        return answer.get("terms", {}).get("body", {})

    def info(self) -> dict:
        """Return the served generation, its document count and when it was built."""
        collection, generation, properties = self._served()
        answer = self.client.get(f"/{collection}/select", q="*:*", rows=0)
        return {"generation": generation, "documents": answer["response"]["numFound"],
                "built_at": properties.get("built_at")}

    def warm(self) -> dict:
        """Answer one search per collection so that its first real search is not cold."""
        collection, generation, _ = self._served()
        self.search(SearchSpec(None))
        return {"generation": generation, "collection": collection}


def _filters(filters: Filters) -> list[str]:
    """Return the filter queries: outlets and years tagged for their own facet's counts."""
    queries = []
    if filters.outlets:
        queries.append("{!tag=outlet}outlet:(" + " OR ".join(map(quote, filters.outlets)) + ")")
    if filters.years:
        years = [str(UNKNOWN_YEAR) if y == UNKNOWN else str(int(y))
                 for y in filters.years]
        queries.append("{!tag=year}year:(" + " OR ".join(years) + ")")
    for tag, field, values in (("author", "authors", filters.authors),
                               ("topic", "topics", filters.topics)):
        if values:
            queries.append(f"{{!tag={tag}}}{field}:(" + " OR ".join(map(quote, values)) + ")")
    if filters.date_from or filters.date_to:
        low = solr_date(filters.date_from) if filters.date_from else "*"
        high = solr_date(filters.date_to, end=True) if filters.date_to else "*"
        queries.append(f"date:[{low} TO {high}]")
    return queries


def _outlet_facet(facets: dict) -> list[tuple[str, int]]:
    """Return outlet counts, largest first then by name ("unknown" last among equals)."""
    buckets = facets.get("outlet", {}).get("buckets", [])
    return sorted(((b["val"], b["count"]) for b in buckets),
                  key=lambda item: (-item[1], item[0] == UNKNOWN, item[0].casefold()))


def _year_facet(facets: dict) -> list[tuple[str, int]]:
    """Return year counts in year order, 'unknown' last."""
    values = [(UNKNOWN if b["val"] == UNKNOWN_YEAR else str(b["val"]), b["count"])
              for b in facets.get("year", {}).get("buckets", [])]
    return sorted(values, key=lambda item: (item[0] == UNKNOWN, item[0]))


def _many_facet(facets: dict, name: str, limit: int,
                selected: tuple[str, ...]) -> list[tuple[str, int]]:
    """Return a many-valued facet's counts, most first then by name: the first ``limit``
    and the selected ones, as the Whoosh backend's."""
    values = sorted(((b["val"], b["count"]) for b in facets.get(name, {}).get("buckets", [])),
                    key=lambda item: (-item[1], item[0].casefold()))
    return [item for i, item in enumerate(values) if i < limit or item[0] in selected]


def _months(facets: dict) -> list[tuple[str, int]]:
    """Return the counts per month ("2016-09") in month order; 0, no known month, left out."""
    buckets = sorted((b["val"], b["count"]) for b in facets.get("month", {}).get("buckets", []))
    return [(f"{month // 100:04d}-{month % 100:02d}", count)
            for month, count in buckets if month]


def period_start(day: dt.date, interval: str) -> dt.date:
    """Return the first day of a day's period (weeks start on Monday)."""
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return day.replace(month=1, day=1)
    return day


def _fields(doc: dict) -> dict:
    """Return a Solr document's stored fields as the Whoosh backend gives them."""
    fields = {name: doc.get(name) for name in STORED}
    if fields["year"] == UNKNOWN_YEAR:
        fields["year"] = None
    if fields["date"]:
        fields["date"] = dt.datetime.strptime(fields["date"][:10], "%Y-%m-%d")
    fields["provenance"] = json.loads(fields["provenance"]) if fields["provenance"] else {}
    return fields


def escape_regex(ch: str) -> str:
    """Return one character as a literal in Java's regex syntax."""
    return "\\" + ch if not ch.isalnum() else ch
