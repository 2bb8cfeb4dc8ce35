"""The Whoosh backend: the only package that imports Whoosh."""
