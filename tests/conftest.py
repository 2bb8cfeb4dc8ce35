"""Shared fixtures: real indexes in temporary directories, the Flask app, client and CLI runner."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchsvc import create_app
from searchsvc.config import PACKAGE_DATA, PROJECT_ROOT
from searchsvc.backends.whoosh.indexer import build_index
from searchsvc.outlets import OutletRegistry
from searchsvc.query.synonyms import Synonyms
from builders import whoosh_service

CORPUS = PROJECT_ROOT / "corpus"
SHARED = PROJECT_ROOT.parent / "shared"


def pytest_configure(config):
    """Drop the caller's SEARCHSVC_* settings: each test states the settings it runs with."""
    for name in [name for name in os.environ if name.startswith("SEARCHSVC_")]:
        del os.environ[name]


@pytest.fixture(scope="session")
def registry() -> OutletRegistry:
    return OutletRegistry.load(PACKAGE_DATA / "outlets.toml")


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory, registry) -> Path:
    """An index of the bundled five-article corpus, built once per test session."""
    index_dir = tmp_path_factory.mktemp("seeds-index")
    build_index(CORPUS, index_dir, registry=registry)
    return index_dir


@pytest.fixture(scope="session")
def seeds_service(seeds_index, registry):
    return whoosh_service(seeds_index, registry, Synonyms.load(PACKAGE_DATA / "synonyms.txt"))


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def app(seeds_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(seeds_index)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    return CliRunner()
