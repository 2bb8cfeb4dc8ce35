"""The command line: thin click commands over the indexer, the search call and the server."""
from __future__ import annotations

import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .config import load_settings
from .backends.contract import SORTS
from .service import SearchError, SearchRequest, open_service
from .solr_commands import solr

# Building needs the corpus readers and the index writer, serving needs Flask: each command
# imports what it uses, so that a search from the command line starts without them.
if TYPE_CHECKING:
    from .backends.whoosh.indexer import BuildReport


def _settings(**overrides) -> dict:
    """Return the settings as the service reads them (instance file included), with overrides."""
    return load_settings(_instance_path(),
                         overrides={k: v for k, v in overrides.items() if v is not None})


def _instance_path() -> str:
    """Return the instance folder create_app() reads searchsvc.toml from.

    Flask's rule (flask.sansio.scaffold.find_package), without importing Flask: a package
    installed under the interpreter's prefix uses PREFIX/var/searchsvc-instance, one in a
    site-packages folder elsewhere that folder's prefix, and a source checkout its own
    folder's instance/. tests/test_server.py checks it against Flask's answer.
    """
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    prefix = os.path.abspath(sys.prefix)
    if os.path.commonpath([package_parent, prefix]) == prefix:
        return os.path.join(prefix, "var", "searchsvc-instance")
    site_parent, site_folder = os.path.split(package_parent)
    if site_folder.lower() == "site-packages":
        parent, folder = os.path.split(site_parent)
        if folder.lower() == "lib":
            prefix = parent
        elif os.path.basename(parent).lower() == "lib":
            prefix = os.path.dirname(parent)
        else:
            prefix = site_parent
        return os.path.join(prefix, "var", "searchsvc-instance")
    return os.path.join(package_parent, "instance")


@click.group()
def main() -> None:
    """searchsvc: full-text search for news archives."""


def _reason_kind(reason: str) -> str:
    """Return the kind of a skip reason, without the particulars (file names, positions)."""
    return re.split(r" as | \(|: |'", reason, maxsplit=1)[0].strip()


def print_report(report: BuildReport, examples: int = 3, most_examples: int = 10) -> None:
    """Print a build summary: documents, skipped inputs counted by reason with a few examples,
    unknowns, time, and the report file that lists every skipped input."""
    click.echo(f"{report.mode}: indexed {report.indexed:,} documents in {report.seconds:.1f} s "
               f"({report.total_documents:,} in the index, generation {report.generation})")
    if report.mode == "update":
        unchanged = (f"unchanged articles: {report.unchanged_articles:,}"
                     if report.unchanged_articles else
                     f"unchanged files: {report.unchanged_files:,}")
        click.echo(f"  {unchanged}; documents removed: {report.removed:,}")
    if report.without_text:
        click.echo(f"  indexed without text (headline and metadata only): "
                   f"{report.without_text:,}")
    click.echo(f"  unknown outlet: {report.unknown['outlet']:,}; "
               f"unknown date: {report.unknown['date']:,}")
    clusters = getattr(report, "clusters", None)    # (the Solr build's report has none)
    if clusters:
        click.echo(f"  story clusters: {clusters['clusters']:,} of two or more articles "
                   f"({clusters['clustered_articles']:,} articles, the largest "
                   f"{clusters['largest_cluster']:,}) in {clusters['seconds']:.1f} s")
    if report.skipped:
        kinds = Counter(_reason_kind(reason) for _, reason in report.skipped)
        click.echo(f"  skipped {len(report.skipped):,}: "
                   + "; ".join(f"{kind} {count:,}" for kind, count in kinds.most_common()))
        # A few examples of each reason, at most `most_examples` in all: a file of 400
        # repeated ids is one count, not 400 lines; the report file lists every one.
        budget = most_examples
        for kind, count in kinds.most_common():
            shown = [(source, reason) for source, reason in report.skipped
                     if _reason_kind(reason) == kind][:min(examples, budget)]
            budget -= len(shown)
            for source, reason in shown:
                click.echo(f"    {source}: {reason}")
            if count > len(shown):
                click.echo(f"    ... and {count - len(shown):,} more: {kind}")
    if report.report_file and (report.skipped or report.without_text):
        click.echo(f"  every skipped input and article without text: {report.report_file}")
    if report.notes:
        click.echo(f"  repaired while reading: {len(report.notes):,} "
                   f"(e.g. {report.notes[0][0]}: {report.notes[0][1]})")


def run_build(corpus: str, index_dir: str, update: bool = False, wait: bool = False,
              field_map: dict | None = None) -> BuildReport:
    """Build the index with a progress bar on a terminal; return the report."""
    from .backends.whoosh.indexer import build_index
    from .outlets import OutletRegistry

    settings = _settings()
    registry = OutletRegistry.load(settings["OUTLETS_FILE"])
    show_bar = sys.stderr.isatty()
    bar = None
    started = time.monotonic()

    def progress(done: int, total: int, name: str, articles: int) -> None:
        nonlocal bar
        if not show_bar:
            return
        if bar is None:
            # The bar and its ETA follow bytes read, which a single large file moves too.
            bar = click.progressbar(length=max(total, 1), label="indexing", file=sys.stderr,
                                    show_percent=True, show_eta=True,
                                    item_show_func=lambda item: item)
            bar.__enter__()
        rate = articles / max(time.monotonic() - started, 1e-9)
        bar.update(max(0, done - bar.pos),
                   f"{articles:,} articles, {rate:,.0f}/s  {name[-30:]}")

    try:
        return build_index(corpus, index_dir, registry=registry, update=update, wait=wait,
                           field_map=field_map, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@main.command()
@click.option("--corpus", type=click.Path(),
              help="Folder or .jsonl(.gz) file of articles [SEARCHSVC_CORPUS_DIR].")
@click.option("--index-dir", type=click.Path(),
              help="Where the index is built [SEARCHSVC_INDEX_DIR].")
@click.option("--update", is_flag=True, help="Re-index only new, changed and removed files.")
@click.option("--wait", is_flag=True, help="If another build is running, wait for it.")
@click.option("--shards", type=click.IntRange(min=1), default=None,
              help="Solr backend: shards of the new collection [1].")
@click.option("--replicas", type=click.IntRange(min=1), default=None,
              help="Solr backend: replicas of each shard [1].")
@click.option("--field", "fields", multiple=True, metavar="FIELD=KEY",
              help="Read an article field from this JSON key, e.g. --field body=story "
                   "(fields: id, title, body, outlet, outlet_domain, date, author, url, "
                   "language, topic).")
def index(corpus: str | None, index_dir: str | None, update: bool, wait: bool,
          shards: int | None, replicas: int | None, fields: tuple[str, ...]) -> None:
    """Build the search index from a corpus, switching to it atomically."""
    from .backends.whoosh.generations import BuildError
    from .ingest.corpus import field_map_with

    settings = _settings(CORPUS_DIR=corpus, INDEX_DIR=index_dir)
    overrides = {}
    for pair in fields:
        name, sep, key = pair.partition("=")
        if not sep or not name.strip() or not key.strip():
            raise click.BadParameter(f"expected FIELD=KEY, got {pair!r}", param_hint="--field")
        overrides[name.strip()] = key.strip()
    try:
        field_map = field_map_with(overrides)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--field") from None
    if settings["BACKEND"] == "solr":
        print_report(_solr_build(settings, update, shards, replicas, field_map))
        return
    if shards or replicas:
        raise click.BadParameter("only the Solr backend (SEARCHSVC_BACKEND=solr) has shards "
                                 "and replicas", param_hint="--shards/--replicas")
    try:
        report = run_build(settings["CORPUS_DIR"], settings["INDEX_DIR"], update=update,
                           wait=wait, field_map=field_map)
    except BuildError as error:
        raise click.ClickException(str(error)) from None
    print_report(report)


def _service(index_dir: str | None):
    """Return the search service over the configured index (or index_dir) and backend."""
    settings = _settings(INDEX_DIR=index_dir)
    return open_service(settings["INDEX_DIR"], outlets_file=settings["OUTLETS_FILE"],
                        synonyms_file=settings["SYNONYMS_FILE"],
                        max_query_length=settings["MAX_QUERY_LENGTH"],
                        max_per_page=settings["MAX_PER_PAGE"], backend=settings["BACKEND"],
                        posting_cache_mb=settings["POSTING_CACHE_MB"],
                        worker_memory_mb=settings["WORKER_MEMORY_MB"],
                        solr_url=settings["SOLR_URL"],
                        solr_collection=settings["SOLR_COLLECTION"])


def _solr_build(settings: dict, update: bool, shards: int | None, replicas: int | None,
                field_map: dict) -> BuildReport:
    """Build the corpus into a new collection of the configured SolrCloud and swap its alias."""
    from .backends.solr.backend import SolrBackend
    from .backends.solr.client import SolrError
    from .backends.whoosh.generations import BuildError
    from .outlets import OutletRegistry
    backend = SolrBackend(settings["SOLR_URL"], alias=settings["SOLR_COLLECTION"])
    try:
        return backend.build(settings["CORPUS_DIR"], update=update, shards=shards,
                             replicas=replicas, field_map=field_map,
                             registry=OutletRegistry.load(settings["OUTLETS_FILE"]))
    except (BuildError, SolrError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from None


def _terminal_highlight(html: str) -> str:
    """Turn snippet HTML into terminal text, matches in bold reverse video."""
    import html as html_module
    text = re.sub(r"<mark>(.*?)</mark>",
                  lambda m: click.style(m.group(1), bold=True, reverse=True), html)
    return html_module.unescape(text)


def filter_options(command):
    """Add the search filters (outlet, year, author, topic, from, to) to a command."""
    options = [
        click.option("--outlet", "outlets", multiple=True,
                     help="Only this outlet (repeatable: any of them)."),
        click.option("--year", "years", multiple=True,
                     help="Only this year (repeatable: any of them)."),
        click.option("--author", "authors", multiple=True,
                     help="Only articles by this author (repeatable: any of them)."),
        click.option("--topic", "topics", multiple=True,
                     help="Only articles on this topic (repeatable: any of them)."),
        click.option("--from", "date_from", metavar="DATE",
                     help="Only articles dated on or after this day, month or year "
                          "(2011-07-04, 2011-07, 2011)."),
        click.option("--to", "date_to", metavar="DATE",
                     help="Only articles dated on or before this day, month or year."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--index-dir", type=click.Path(), help="Index to search [SEARCHSVC_INDEX_DIR].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--collapse/--no-collapse", default=True, show_default=True,
              help="One hit per story, its copies at other outlets listed with it; "
                   "--no-collapse: every copy a hit.")
def search(query: str, outlets: tuple, years: tuple, authors: tuple, topics: tuple,
           date_from: str | None,
           date_to: str | None, sort: str, page: int, per_page: int,
           index_dir: str | None, as_json: bool, collapse: bool) -> None:
    """Search the index and print ranked hits with snippets and facet counts."""
    service = _service(index_dir)
    request = SearchRequest(q=query, outlets=outlets, years=years, authors=authors,
                            topics=topics, date_from=date_from,
                            date_to=date_to, sort=sort, page=page, per_page=per_page,
                            collapse=collapse)
    try:
        result = service.search(request)
    except FileNotFoundError as error:
        raise click.ClickException(f"{error}; run `searchsvc index` first") from None
    except SearchError as error:
        # The service names the request's field; the user typed the option.
        field = str(error).split(" ", 1)[0]
        raise click.BadParameter(str(error), param_hint=OPTION_OF.get(field)) from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    counted = f"{result['total']:,} articles"
    if result["collapsed"] and result["articles"] != result["total"]:
        counted = (f"{result['total']:,} stories ({result['articles']:,} articles; facet "
                   "counts are articles)")
    click.echo(f"{counted} for {result['query']['read_as']!r} "
               f"(page {result['page']} of {result['pages']}, {result['took_ms']:.0f} ms)")
    for note in result["query"]["notes"]:
        click.echo(click.style(f"note: {note}", fg="yellow"))
    if result["suggestion"]:
        click.echo(f"did you mean: {result['suggestion']['text']} "
                   f"({result['suggestion']['total']:,} articles)?")
    first = (result["page"] - 1) * result["per_page"]
    for number, hit in enumerate(result["hits"], start=first + 1):
        click.echo("")
        click.echo(click.style(f"{number}. {hit['title']}", bold=True))
        click.echo(f"   {hit['outlet'] or 'unknown outlet'} · "
                   f"{hit['date_display'] or 'date unknown'}"
                   + (f" · {hit['author']}" if hit["author"] else "") + f"   [{hit['id']}]")
        for snippet in hit["snippets"]:
            click.echo("   " + _terminal_highlight(snippet["html"]))
        if hit["copies"]:
            click.echo(f"   also in: " + ", ".join(
                f"{copy['outlet'] or 'unknown outlet'} {copy['date'] or ''} [{copy['id']}]"
                for copy in hit["copies"]) + (f" and {hit['copy_count'] - len(hit['copies'])}"
                                              " more" if hit["copy_count"] > len(hit["copies"])
                                              else ""))
    for name in ("outlet", "year", "author", "topic"):
        values = ", ".join(f"{'*' if row['selected'] else ''}{row['value']} ({row['count']:,})"
                           for row in result["facets"][name][:15])
        click.echo(f"\n{name}: {values or '-'}")


OPTION_OF = {"date_from": "--from", "date_to": "--to", "year": "--year", "page": "--page",
             "per_page": "--per-page", "sort": "--sort"}


@main.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True)
@click.option("--body", is_flag=True, help="Add each article's text (a body column).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (with a progress bar) instead of standard output.")
@click.option("--index-dir", type=click.Path(), help="Index to search [SEARCHSVC_INDEX_DIR].")
def export(query: str, outlets: tuple, years: tuple, authors: tuple, topics: tuple,
           date_from: str | None, date_to: str | None, sort: str, fmt: str, body: bool,
           output: str | None, index_dir: str | None) -> None:
    """Write every hit of a search as CSV or JSON lines, in the search's order."""
    from .service.export import HitStream, export_lines

    request = SearchRequest(q=query, outlets=outlets, years=years, authors=authors,
                            topics=topics, date_from=date_from, date_to=date_to, sort=sort)
    try:
        request.validate()
        stream = HitStream(_service(index_dir), request)
    except FileNotFoundError as error:
        raise click.ClickException(f"{error}; run `searchsvc index` first") from None
    except SearchError as error:
        field = str(error).split(" ", 1)[0]
        raise click.BadParameter(str(error), param_hint=OPTION_OF.get(field)) from None
    fields = ("body",) if body else ()
    if output is None:
        for line in export_lines(stream, fmt, fields):
            click.echo(line, nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="") as file, click.progressbar(
            length=stream.total, label=f"exporting {stream.total:,} hits",
            file=sys.stderr) as bar:

        def counted():
            for found in stream:
                yield found
                bar.update(1)

        file.writelines(export_lines(counted(), fmt, fields))
    click.echo(f"wrote {stream.total:,} hits to {output}", err=True)


@main.command()
@click.argument("query")
@click.option("--outlet", "outlets", multiple=True, help="Only this outlet (repeatable).")
@click.option("--year", "years", multiple=True, help="Only this year (repeatable).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--width", type=click.IntRange(10, 200), default=40, show_default=True,
              help="Characters of context on each side.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=50, show_default=True)
@click.option("--index-dir", type=click.Path(), help="Index to search [SEARCHSVC_INDEX_DIR].")
def kwic(query: str, outlets: tuple, years: tuple, sort: str, width: int, page: int,
         per_page: int, index_dir: str | None) -> None:
    """Print the query's matches in their context (a concordance), one line each."""
    from .service.concordance import concordance

    request = SearchRequest(q=query, outlets=outlets, years=years, sort=sort)
    try:
        result = concordance(_service(index_dir), request, page=page, per_page=per_page,
                             width=width)
    except FileNotFoundError as error:
        raise click.ClickException(f"{error}; run `searchsvc index` first") from None
    except SearchError as error:
        raise click.BadParameter(str(error)) from None
    for line in result["lines"]:
        click.echo(f"{line['left']:>{width}}" + click.style(line["match"], bold=True)
                   + f"{line['right']:<{width}}  [{line['id']}]")
    click.echo(f"{len(result['lines'])} lines from {result['hits_read']:,} of "
               f"{result['total_hits']:,} articles"
               + (f"; more: --page {page + 1}" if result["more"] else ""), err=True)


def build_needed(index_dir: str, default_corpus: str) -> tuple[str, str] | None:
    """Return (why, corpus) when an index must be built before serving, else None.

    A missing index is built from the default corpus; one built with an older text analysis
    is rebuilt from the corpus it was built from, never replaced by another corpus.
    """
    from .backends.whoosh.generations import analysis_current, build_info, current_generation

    if current_generation(index_dir) is None:
        return f"no index in {index_dir}", default_corpus
    info = build_info(index_dir)
    if analysis_current(info):
        return None
    corpus = info.get("corpus")
    if not corpus or not Path(corpus).exists():
        raise click.ClickException(
            f"the index in {index_dir} was built with an older text analysis and its corpus "
            f"({corpus or 'not recorded'}) is not there; rebuild it with "
            f"'searchsvc index --corpus PATH --index-dir {index_dir}'")
    return f"the index in {index_dir} was built with an older text analysis", corpus


@main.command()
@click.option("--host", default=None, help="Address to listen on [127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [8000].")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes [2].")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web page and JSON API with a production WSGI server (gunicorn)."""
    from .backends.whoosh.generations import BuildError

    settings = _settings(HOST=host, PORT=port, WORKERS=workers)
    # A Solr collection is built with `searchsvc index`; only a Whoosh index is built here.
    needed = (None if settings["BACKEND"] == "solr"
              else build_needed(settings["INDEX_DIR"], settings["CORPUS_DIR"]))
    if needed:
        why, corpus = needed
        click.echo(f"{why}; building it from {corpus} first")
        try:
            print_report(run_build(corpus, settings["INDEX_DIR"], wait=True))
        except BuildError as error:
            raise click.ClickException(str(error)) from None
    from .web.server import run_server
    click.echo(f"serving on http://{settings['HOST']}:{settings['PORT']}/ "
               f"with {settings['WORKERS']} workers of {settings['THREADS']} threads")
    run_server(settings["HOST"], settings["PORT"], settings["WORKERS"], settings["THREADS"],
               int(settings["CONCURRENCY"]) or None)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", default=None, help="The URL the page(s) came from (domain, date in path).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file per line.")
def extract(paths: tuple[Path, ...], url: str | None, as_json: bool) -> None:
    """Print the article extracted from each HTML file: title, outlet, date, authors, text.

    A file that cannot be read gets an error line and the others still print; the exit status
    is 1 if any failed.
    """
    from .ingest.extract import NotText, extract_article

    failed = 0
    for path in paths:
        try:
            article = extract_article(path.read_bytes(), url)
        except (OSError, NotText) as error:
            failed += 1
            reason = getattr(error, "strerror", None) or str(error)
            if as_json:
                click.echo(json.dumps({"path": str(path), "error": reason}, ensure_ascii=False))
            else:
                click.echo(f"{path}: error: {reason}", err=True)
            continue
        if as_json:
            click.echo(json.dumps({"path": str(path), **article.to_dict()}, ensure_ascii=False))
            continue
        click.echo(f"{path}")
        for label, value in (("title", article.title), ("outlet", article.outlet),
                             ("date", article.date), ("authors", ", ".join(article.authors)),
                             ("url", article.url), ("language", article.language)):
            source = article.provenance.get(label)
            click.echo(f"  {label + ':':10}{value or '(unknown)'}"
                       + (f"  [{source}]" if value and source else ""))
        words = len(article.body.split())
        opening = " ".join(article.body.split()[:40])
        click.echo(f"  {'body:':10}{words:,} words"
                   + (f"  [{article.provenance.get('body')}]" if words else ""))
        if opening:
            click.echo(f"            {opening}{' …' if words > 40 else ''}")
    if failed:
        sys.exit(1)


main.add_command(solr)      # `searchsvc solr ...`, defined in solr_commands.py


if __name__ == "__main__":
    main()
