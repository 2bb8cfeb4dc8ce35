"""The command line: thin click commands over the indexer, the search call and the server."""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import click

from .config import load_settings
from .ingest.corpus import field_map_with
from .backends.whoosh.generations import (BuildError, analysis_current, build_info,
                                          current_generation)
from .backends.whoosh.indexer import BuildReport, build_index
from .backends.contract import SORTS
from .outlets import OutletRegistry
from .service import SearchError, SearchRequest, open_service


def _settings(**overrides) -> dict:
    """Return the settings as the service reads them (instance file included), with overrides."""
    return load_settings(_instance_path(),
                         overrides={k: v for k, v in overrides.items() if v is not None})


def _instance_path() -> str:
    """Return the instance folder create_app() reads searchsvc.toml from."""
    from flask import Flask
    return Flask("searchsvc", instance_relative_config=True).instance_path


@click.group()
def main() -> None:
    """searchsvc: full-text search for news archives."""


def _reason_kind(reason: str) -> str:
    """Return the kind of a skip reason, without the particulars (file names, positions)."""
    return re.split(r" as | \(|: |'", reason, maxsplit=1)[0].strip()


def print_report(report: BuildReport, skipped_shown: int = 50) -> None:
    """Print a build summary: documents, skipped files with reasons, unknowns, time."""
    click.echo(f"{report.mode}: indexed {report.indexed:,} documents in {report.seconds:.1f} s "
               f"({report.total_documents:,} in the index, generation {report.generation})")
    if report.mode == "update":
        click.echo(f"  unchanged files: {report.unchanged_files:,}; "
                   f"documents removed: {report.removed:,}")
    click.echo(f"  unknown outlet: {report.unknown['outlet']:,}; "
               f"unknown date: {report.unknown['date']:,}")
    if report.skipped:
        kinds = Counter(_reason_kind(reason) for _, reason in report.skipped)
        click.echo(f"  skipped {len(report.skipped):,}: "
                   + "; ".join(f"{kind} {count:,}" for kind, count in kinds.most_common()))
        for source, reason in report.skipped[:skipped_shown]:
            click.echo(f"    {source}: {reason}")
        if len(report.skipped) > skipped_shown:
            click.echo(f"    ... and {len(report.skipped) - skipped_shown:,} more")
    if report.notes:
        click.echo(f"  repaired while reading: {len(report.notes):,} "
                   f"(e.g. {report.notes[0][0]}: {report.notes[0][1]})")


def run_build(corpus: str, index_dir: str, update: bool = False, wait: bool = False,
              field_map: dict | None = None) -> BuildReport:
    """Build the index with a progress bar on a terminal; return the report."""
    settings = _settings()
    registry = OutletRegistry.load(settings["OUTLETS_FILE"])
    show_bar = sys.stderr.isatty()
    bar = None

    def progress(done: int, total: int, name: str) -> None:
        nonlocal bar
        if not show_bar:
            return
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label="indexing", file=sys.stderr,
                                    show_percent=True, show_eta=True,
                                    item_show_func=lambda item: item)
            bar.__enter__()
        bar.update(max(0, done - bar.pos), name[-40:])

    try:
        return build_index(corpus, index_dir, registry=registry, update=update, wait=wait,
                           field_map=field_map,
                           keep_generations=settings["KEEP_GENERATIONS"], progress=progress)
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
                   "language).")
def index(corpus: str | None, index_dir: str | None, update: bool, wait: bool,
          shards: int | None, replicas: int | None, fields: tuple[str, ...]) -> None:
    """Build the search index from a corpus, switching to it atomically."""
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


def _solr_build(settings: dict, update: bool, shards: int | None, replicas: int | None,
                field_map: dict) -> BuildReport:
    """Build the corpus into a new collection of the configured SolrCloud and swap its alias."""
    from .backends.solr.backend import SolrBackend
    from .backends.solr.client import SolrError
    backend = SolrBackend(settings["SOLR_URL"], alias=settings["SOLR_COLLECTION"])
    try:
        return backend.build(settings["CORPUS_DIR"], update=update, shards=shards,
                             replicas=replicas, field_map=field_map,
                             keep_generations=settings["KEEP_GENERATIONS"],
                             registry=OutletRegistry.load(settings["OUTLETS_FILE"]))
    except (BuildError, SolrError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from None


def _terminal_highlight(html: str) -> str:
    """Turn snippet HTML into terminal text, matches in bold reverse video."""
    import html as html_module
    text = re.sub(r"<mark>(.*?)</mark>",
                  lambda m: click.style(m.group(1), bold=True, reverse=True), html)
    return html_module.unescape(text)


@main.command()
@click.argument("query", required=False, default="")
@click.option("--outlet", "outlets", multiple=True, help="Only this outlet (repeatable).")
@click.option("--year", "years", multiple=True, help="Only this year (repeatable).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--index-dir", type=click.Path(), help="Index to search [SEARCHSVC_INDEX_DIR].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def search(query: str, outlets: tuple, years: tuple, sort: str, page: int, per_page: int,
           index_dir: str | None, as_json: bool) -> None:
    """Search the index and print ranked hits with snippets and facet counts."""
    settings = _settings(INDEX_DIR=index_dir)
    service = open_service(settings["INDEX_DIR"], outlets_file=settings["OUTLETS_FILE"],
                           synonyms_file=settings["SYNONYMS_FILE"],
                           max_query_length=settings["MAX_QUERY_LENGTH"],
                           max_per_page=settings["MAX_PER_PAGE"], backend=settings["BACKEND"],
                           solr_url=settings["SOLR_URL"],
                           solr_collection=settings["SOLR_COLLECTION"])
    request = SearchRequest(q=query, outlets=outlets, years=years, sort=sort, page=page,
                            per_page=per_page)
    try:
        result = service.search(request)
    except FileNotFoundError as error:
        raise click.ClickException(f"{error}; run `searchsvc index` first") from None
    except SearchError as error:
        raise click.BadParameter(str(error)) from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result['total']:,} articles for {result['query']['read_as']!r} "
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
    for name in ("outlet", "year"):
        values = ", ".join(f"{'*' if row['selected'] else ''}{row['value']} ({row['count']:,})"
                           for row in result["facets"][name][:15])
        click.echo(f"\n{name}: {values or '-'}")


def build_needed(index_dir: str, default_corpus: str) -> tuple[str, str] | None:
    """Return (why, corpus) when an index must be built before serving, else None.

    A missing index is built from the default corpus; one built with an older text analysis
    is rebuilt from the corpus it was built from, never replaced by another corpus.
    """
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
               f"with {settings['WORKERS']} workers")
    run_server(settings["HOST"], settings["PORT"], settings["WORKERS"])


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


@main.group()
def solr() -> None:
    """A local SolrCloud cluster for development and tests (needs Java 17 and Maven)."""


@solr.command("start")
@click.option("--nodes", type=click.IntRange(1, 9), default=3, show_default=True)
@click.option("--dir", "folder", type=click.Path(), required=True,
              help="Folder for the nodes' data, the log and cluster.json.")
def solr_start(nodes: int, folder: str) -> None:
    """Build the launcher if needed, start the cluster, return once every node answers."""
    from .backends.solr.cluster import ClusterError, start
    try:
        cluster = start(folder, nodes=nodes)
    except ClusterError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"SolrCloud with {nodes} nodes, ZooKeeper at {cluster['zk_host']}")
    click.echo(f"SEARCHSVC_SOLR_URL={','.join(cluster['solr_urls'])}")


@solr.command("stop")
@click.option("--dir", "folder", type=click.Path(), required=True)
def solr_stop(folder: str) -> None:
    """Stop the cluster started in a folder and wait for its JVM to exit."""
    from .backends.solr.cluster import ClusterError, stop
    try:
        stop(folder)
    except ClusterError as error:
        raise click.ClickException(str(error)) from None
    click.echo("stopped")


@solr.command("stop-node")
@click.option("--dir", "folder", type=click.Path(), required=True)
@click.option("--node", type=click.IntRange(min=0), required=True, help="Node number, from 0.")
def solr_stop_node(folder: str, node: int) -> None:
    """Stop one node of a running cluster (its data stays; `start-node` brings it back)."""
    _node_command(folder, node, start=False)


@solr.command("start-node")
@click.option("--dir", "folder", type=click.Path(), required=True)
@click.option("--node", type=click.IntRange(min=0), required=True, help="Node number, from 0.")
def solr_start_node(folder: str, node: int) -> None:
    """Start a stopped node again, on its old port with its old data."""
    _node_command(folder, node, start=True)


def _node_command(folder: str, node: int, start: bool) -> None:
    """Stop or start one node and print which nodes are running."""
    from .backends.solr import cluster
    try:
        state = (cluster.start_node if start else cluster.stop_node)(folder, node)
    except cluster.ClusterError as error:
        raise click.ClickException(str(error)) from None
    for number, (url, up) in enumerate(zip(state["solr_urls"], state["running"])):
        click.echo(f"node {number}: {url} {'running' if up else 'stopped'}")


if __name__ == "__main__":
    main()
