"""Naming each article's outlet by its domain, from the labels a dataset gives the domain.

News datasets label articles with a columnist's or guest writer's name where the outlet
belongs ("Guest Writer - Right", a pundit's name) and give one outlet several labels
("Fox Online News", "Fox News (Online)"). The article's domain decides its outlet: the
registry's name for the domain, else the domain's most common label that is not a person's or
a guest writer's, else the domain itself. The label as written is kept beside it.

A label counts as a person's or guest writer's when:

- it says so ("Guest Writer", "Contributor", "Columnist");
- it is the article's author, or one of them, in most of its articles at the domain;
- it roves: it is seen at several sites and most of its articles are at domains where
  another label is more common (a columnist syndicated across outlets);
- it is shaped like a personal name (two to four capitalised words or initials) sharing no
  word with its domain and holding none of the words outlets name themselves with.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Mapping

import orjson

from ..outlets import OutletRegistry, domain_of
from .decoding import INFLATE_ERRORS, open_lines

GUEST_RE = re.compile(r"\b(guest|contributors?|columnists?|writers?|bloggers?|op-?ed)\b",
                      re.IGNORECASE)
DOMAIN_SHAPED_RE = re.compile(r"[\w-]+(\.[\w-]+)+")
NAME_WORD_RE = re.compile(r"(?:[A-Z][a-z'’-]+|[A-Z]\.?|Mc[A-Z][a-z]+|[A-Z][a-z]*[A-Z][a-z]+)")
# Words outlets, not people, are named with; a label holding one is not a personal name.
OUTLET_WORDS = frozenset("""
    news times post journal magazine review report reports daily weekly monthly media press
    center centre institute university college foundation tribune herald sun star chronicle
    gazette radio tv television network online blog wire world today insider monitor observer
    register record dispatch standard mail telegraph express guardian independent republic
    nation national american international global public policy research project council
    society association committee party group agency office watch fund forum digest courier
    sentinel bulletin examiner inquirer enquirer beacon voice free live channel show hour
    politics political street economist economics business finance money science
    the of and for
""".split())
ROVING_SHARE = 2 / 3       # of a label's articles at domains where another label leads


@functools.lru_cache(maxsize=8192)     # outlet labels and bylines repeat article after article
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"\w+", text))


def is_guest_label(label: str) -> bool:
    """Tell whether a label names a guest writer or contributor rather than an outlet."""
    return bool(GUEST_RE.search(label))


def names_an_author(label: str, authors: str | None) -> bool:
    """Tell whether a label is the article's author or one of its authors (whole words)."""
    folded, among = _fold(label), _fold(authors or "")
    return bool(folded) and f" {folded} " in f" {among} "


def looks_like_person(label: str, domain: str | None) -> bool:
    """Tell whether a label is shaped like a personal name that its domain does not spell."""
    words = label.replace(",", " ").split()
    if not 2 <= len(words) <= 4 or not all(NAME_WORD_RE.fullmatch(w) for w in words):
        return False
    folded = [_fold(word) for word in words]
    if any(word in OUTLET_WORDS for word in folded):
        return False
    letters = re.sub(r"[^a-z]", "", _fold(domain or ""))
    return not any(len(word) >= 3 and word in letters for word in folded)


def site_of(host: str) -> str:
    """Return the site a host belongs to: its last two labels, three under 'co.uk' and the like."""
    parts = host.split(".")
    keep = 3 if len(parts) > 2 and len(parts[-1]) == 2 and len(parts[-2]) <= 3 else 2
    return ".".join(parts[-keep:])


def outlet_domain(domain: str | None, url: str | None) -> str:
    """Return the folded domain that decides an outlet: the given one, else the URL's host."""
    return domain_of(domain or "") or domain_of(url or "")


class OutletNamer:
    """Counts the labels each domain is given, then names each domain's outlet."""

    def __init__(self, registry: OutletRegistry) -> None:
        self.registry = registry
        self.labels: dict[str, Counter[str]] = defaultdict(Counter)
        self.personal: Counter[tuple[str, str]] = Counter()
        self._names: dict[str, str] | None = None

    def observe(self, label: str | None, domain: str | None, url: str | None = None,
                authors: str | None = None) -> None:
        """Count one article's label at its domain (articles without a domain are not named)."""
        host = outlet_domain(domain, url)
        label = re.sub(r"\s+", " ", label or "").strip()
        if not host or not label:
            return
        self.labels[host][label] += 1
        if names_an_author(label, authors):
            self.personal[host, label] += 1
        self._names = None

    def person_labels(self) -> set[tuple[str, str]]:
        """Return the (domain, label) pairs that name a person or guest writer, by the rules."""
        # A label repeating a domain ("abcnews.go.com") is no rival name: it leads nowhere.
        leader = {host: max([count for label, count in counts.items()
                             if not DOMAIN_SHAPED_RE.fullmatch(label)], default=0)
                  for host, counts in self.labels.items()}
        at_domains: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for host, counts in self.labels.items():
            for label, count in counts.items():
                at_domains[label].append((host, count))
        roving = set()
        for label, places in at_domains.items():
            behind = sum(count for host, count in places if count < leader[host])
            sites = {site_of(host) for host, _ in places}
            if len(sites) > 1 and behind >= ROVING_SHARE * sum(c for _, c in places):
                roving.add(label)
        found = set()
        for host, counts in self.labels.items():
            for label, count in counts.items():
                if (label in roving or is_guest_label(label)
                        or 2 * self.personal[host, label] > count
                        or looks_like_person(label, host)):
                    found.add((host, label))
        return found

    def names(self) -> dict[str, str]:
        """Return {domain: outlet name} for every domain observed."""
        if self._names is not None:
            return self._names
        people = self.person_labels()
        names = {}
        for host, counts in self.labels.items():
            listed = self.registry.canonical(None, host)
            if listed:
                names[host] = listed
                continue
            usable = [(label, count) for label, count in counts.items()
                      if (host, label) not in people]
            # A real name beats a label that merely repeats a domain ("abcnews.go.com").
            usable.sort(key=lambda item: (bool(DOMAIN_SHAPED_RE.fullmatch(item[0])), -item[1],
                                          item[0]))
            if usable:
                names[host] = self.registry.canonical(usable[0][0]) or usable[0][0]
        for host in self.labels:
            if host not in names:    # only people's labels: the site's name, else the domain
                names[host] = names.get(site_of(host)) or host
        self._names = names
        return names

    def outlet_for(self, label: str | None, domain: str | None, url: str | None = None,
                   authors: str | None = None) -> str | None:
        """Return one article's outlet (see :func:`name_outlet`) by this namer's domain names."""
        return name_outlet(self.registry, self.names(), label, domain, url, authors)


def name_outlet(registry: OutletRegistry, names: Mapping[str, str] | None, label: str | None,
                domain: str | None, url: str | None = None,
                authors: str | None = None) -> str | None:
    """Return an article's outlet: its domain's name (from ``names``, else the registry),
    else its label unless the label names a guest writer or the article's author, else the
    bare domain."""
    host = outlet_domain(domain, url)
    if host:
        listed = (names or {}).get(host) or registry.canonical(None, host)
        if listed:
            return listed
    label = re.sub(r"\s+", " ", label or "").strip()
    if label and not is_guest_label(label) and not names_an_author(label, authors):
        named = registry.canonical(label)
        if named:
            return named
    return host or None


def survey_jsonl(paths: Iterable[Path], registry: OutletRegistry,
                 keys: Mapping[str, tuple[str, ...]]) -> OutletNamer:
    """Count the outlet labels per domain of JSON-lines files (unreadable lines are skipped).

    ``keys`` maps outlet, outlet_domain, url and author to the JSON keys they are read from.
    """
    namer = OutletNamer(registry)

    def pick(record: dict, name: str) -> str | None:
        for key in keys.get(name, ()):
            value = record.get(key)
            if value not in (None, "", []):
                return value if isinstance(value, str) else None
        return None

    for path in paths:
        try:
            with open_lines(path) as handle:
                for raw in handle:
                    try:
                        # orjson parses a line in about half json's time; what it refuses
                        # (lone surrogates, NaN, a byte-order mark) json reads. Only string
                        # values are counted, so its floats for huge integers do not matter.
                        record = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        try:
                            record = json.loads(raw)
                        except (json.JSONDecodeError, UnicodeDecodeError):
                            continue
                    if isinstance(record, dict):
                        namer.observe(pick(record, "outlet"), pick(record, "outlet_domain"),
                                      pick(record, "url"), pick(record, "author"))
        except (OSError, ValueError, *INFLATE_ERRORS):
            continue    # the reading pass reports the file; its labels just go uncounted
    return namer
