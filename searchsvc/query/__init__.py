"""Reading a user's query, once, into a backend-neutral query tree (``tree``)."""
