"""Search backends behind one contract (``contract``); Whoosh (``whoosh``) is the default."""
