"""Words that tell how to read a query, not what it is about."""
from __future__ import annotations

import re

# English function words beyond STOP_WORDS: pronouns, determiners, auxiliaries, prepositions,
# conjunctions, question words, degree adverbs. A long query is a description ranked by how
# many of its words an article has, and these words say nothing about its subject, so a long
# query leaves them out (searchsvc.query.reader). They stay indexed, and a short query keeps them.
# Not listed: words that are also names or nouns in news ("us", "who", "may", "can", "might").
FUNCTION_WORDS = frozenset("""
i me my mine myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself its itself them theirs themselves
those some any each every either neither both all none another other others
what which whom whose whatever whichever whoever whomever
am were been being have has had having do does did done doing could would shall should must
ought about above across after against along amid among amongst around before behind below
beneath beside besides between beyond down during except from inside like near off onto out
outside over past per since than through throughout till toward towards under underneath unlike
until unto up upon via within without nor so yet else because although though while whereas
whether unless once how when where why whence whereby wherein also very too quite rather just
only even still already much more most less least many few several here thus hence therefore
however
""".split())


def is_function_word(word: str) -> bool:
    """Tell whether a word as typed is a function word ("which", "have", "what's")."""
    return re.sub(r"'s$", "", word.lower().replace("’", "'")) in FUNCTION_WORDS
