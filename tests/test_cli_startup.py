"""A search from the command line loads only what a search needs (issue 17: a fast CLI)."""
import subprocess
import sys


def test_search_loads_neither_flask_nor_ingest_code(seeds_index):
    code = ("import sys; from searchsvc.cli import main\n"
            "try:\n    main(['search', 'asylum', '--index-dir', %r])\n"
            "except SystemExit:\n    pass\n"
            "print('LOADED', sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in "
            "('flask', 'werkzeug', 'bs4', 'trafilatura', 'lxml')} | {m for m in sys.modules "
            "if m.startswith(('searchsvc.ingest', 'searchsvc.web', "
            "'searchsvc.backends.whoosh.indexer'))}))" % str(seeds_index))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "articles for 'asylum'" in out
    assert out.strip().splitlines()[-1] == "LOADED []"
