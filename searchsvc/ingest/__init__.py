"""Reading a corpus: files and datasets into articles with normalised metadata.

Readers for plain text, HTML pages, JSON lines and ``metadata.toml`` files (``corpus``), the
HTML extractor (``htmlpage``), titles and metadata values (``metadata``). Nothing here knows
how articles are indexed or searched.
"""
