"""The package's layers: who may import whom, where Whoosh lives, how big a module may be."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "searchsvc"
MAX_LINES = 500
# Each layer and the layers it may import (shared vocabulary modules: config, dates, outlets,
# passages: what of an article's text snippets show, decided at index time, read at search;
# utf8: the byte-level word passes' character replacement, for indexing and queries alike).
SHARED = {"config", "dates", "outlets", "passages", "residency", "utf8"}
ALLOWED = {
    "ingest": {"ingest"} | SHARED,
    "query": {"query"} | SHARED,
    "backends": {"backends", "query", "ingest"} | SHARED,
    "service": {"service", "backends", "query"} | SHARED,
    "web": {"web", "service", "backends", "query"} | SHARED,
}


def _modules():
    return sorted(path for path in PACKAGE.rglob("*.py"))


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path):
    """Yield (imported searchsvc module path as parts, imported names) of a module."""
    package = path.relative_to(PACKAGE.parent).parts[:-1]     # the module's own package
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = base + tuple((node.module or "").split(".")) if node.module else base
            else:
                target = tuple((node.module or "").split("."))
            yield target, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield tuple(alias.name.split(".")), []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_one_way(path):
    layer = _layer(path)
    for target, _ in _imports(path):
        if target[0] != "searchsvc" or len(target) < 2 or layer not in ALLOWED:
            continue
        assert target[1] in ALLOWED[layer], f"{layer} imports {'.'.join(target)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_whoosh_backend_imports_whoosh(path):
    inside = path.relative_to(PACKAGE).parts[:2] == ("backends", "whoosh")
    for target, _ in _imports(path):
        if target[0] == "whoosh":
            assert inside, f"{path.name} imports {'.'.join(target)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_name_is_imported_from_another_module(path):
    for target, names in _imports(path):
        if target[0] == "searchsvc":
            private = [name for name in names if name.startswith("_")]
            assert not private, f"{path.name} imports {private} from {'.'.join(target)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"


def test_the_web_app_loads_no_ingest_code(tmp_path):
    code = ("import sys, searchsvc; app = searchsvc.create_app({'INDEX_DIR': %r}); "
            "app.test_client().get('/api/search?q=x'); "
            "print(sorted(m for m in sys.modules if m.startswith('searchsvc.ingest')))"
            % str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
