"""Every setting of searchsvc, once: name, default and one line of help.

Settings resolve in this order: the defaults below, then an instance file
(``instance/searchsvc.toml`` or the path in ``SEARCHSVC_CONFIG``), then
``SEARCHSVC_<NAME>`` environment variables, then an explicit override dict.
Nothing is read at import time.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Setting:
    """One named setting with its default, type and help text."""

    name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return "SEARCHSVC_" + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting("CORPUS_DIR", "corpus",
            "Folder or .jsonl(.gz) dataset file of articles to index (relative paths: "
            "from the working directory)."),
    Setting("INDEX_DIR", "index",
            "Folder that holds the built index generations."),
    Setting("OUTLETS_FILE", str(PACKAGE_DATA / "outlets.toml"),
            "Registry of outlet names, aliases and domains (TOML)."),
    Setting("SYNONYMS_FILE", str(PACKAGE_DATA / "synonyms.txt"),
            "Query-time synonyms, one group of equivalent terms per line."),
    Setting("MAX_QUERY_LENGTH", 10_000,
            "Longest query read, in characters; a longer query is cut there, with a note."),
    Setting("SEARCH_TIME_LIMIT_MS", 1000,
            "Milliseconds a search of the service may take before it returns what it found, "
            "marked partial (0: no limit)."),
    Setting("MAX_PER_PAGE", 100,
            "Largest page size a client may ask for."),
    Setting("DEFAULT_PER_PAGE", 10,
            "Page size when none is given."),
    Setting("FACET_VALUES", 100,
            "Values listed of the author and topic facets (most articles first; selected "
            "values always)."),
    Setting("HOST", "127.0.0.1",
            "Address `searchsvc serve` listens on."),
    Setting("PORT", 8000,
            "Port `searchsvc serve` listens on."),
    Setting("WORKERS", 2,
            "Worker processes of `searchsvc serve`, a client's connections spread evenly over "
            "them (2, with THREADS 64 and CONCURRENCY 1: the model measured best on 2 cores, "
            "BENCHMARKS.md)."),
    Setting("THREADS", 64,
            "Threads per worker process of `searchsvc serve`: requests one worker serves at "
            "once, a client stalled mid-request holding one for at most 10 s."),
    Setting("CONCURRENCY", 1,
            "Requests one worker process of `searchsvc serve` computes at once; its other "
            "threads wait with their requests read (0: as many as threads)."),
    Setting("POSTING_CACHE_MB", 64,
            "MiB of decoded postings each worker keeps (the Whoosh backend): the query terms "
            "of a 63k-article index fit in 64; at a million articles 32 serves as fast and "
            "keeps a worker within 300 MiB (BENCHMARKS.md, \"Worker memory at a million "
            "articles\")."),
    Setting("WORKER_MEMORY_MB", 300,
            "Resident MiB past which a worker releases the index pages it has read to the "
            "operating system's page cache (the Whoosh backend; 0: never). Releasing keeps "
            "its RSS near its own data at any index size, at about 30% more CPU a search "
            "at a million articles (BENCHMARKS.md, \"Worker memory at a million articles\")."),
    Setting("BACKEND", "whoosh",
            "Search backend: `whoosh` (the embedded index in INDEX_DIR) or `solr` (SolrCloud)."),
    Setting("SOLR_URL", "",
            "Base URLs of SolrCloud nodes, comma-separated (`http://host:8983/solr`), for "
            "BACKEND=solr; any node can serve, the others are tried when one is down."),
    Setting("SOLR_COLLECTION", "searchsvc",
            "Solr alias the service searches; each build creates a collection behind it."),
)

SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def _coerce(setting: Setting, raw: Any) -> Any:
    """Convert a raw value (often a string from the environment) to the default's type."""
    if isinstance(setting.default, bool):
        if isinstance(raw, str):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return bool(raw)
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ValueError(f"setting {setting.name} must be an integer, got {raw!r}") from None
    return str(raw)


def load_settings(instance_path: str | os.PathLike | None = None,
                  overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting resolved from defaults, instance file, environment and overrides."""
    environ = os.environ if environ is None else environ
    values = {setting.name: setting.default for setting in SETTINGS}

    config_file = environ.get("SEARCHSVC_CONFIG")
    if config_file is None and instance_path is not None:
        config_file = str(Path(instance_path) / "searchsvc.toml")
    if config_file and Path(config_file).is_file():
        with open(config_file, "rb") as handle:
            for key, raw in tomllib.load(handle).items():
                name = key.upper()
                if name in SETTINGS_BY_NAME:
                    values[name] = _coerce(SETTINGS_BY_NAME[name], raw)

    for setting in SETTINGS:
        if setting.env_var in environ:
            values[setting.name] = _coerce(setting, environ[setting.env_var])

    for key, raw in (overrides or {}).items():
        name = key.upper()
        if name in SETTINGS_BY_NAME:
            values[name] = _coerce(SETTINGS_BY_NAME[name], raw)
        else:
            values[name] = raw
    return values
