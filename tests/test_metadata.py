import datetime as dt

import pytest

from searchsvc.dates import PartialDate, parse_date
from searchsvc.ingest.metadata import derive_title
from searchsvc.outlets import OutletRegistry, domain_of

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("text, iso, precision", [
    ("2011-07-13", "2011-07-13", "day"),
    ("2011-07-13T09:30:00Z", "2011-07-13", "day"),
    ("2011-07", "2011-07", "month"),
    ("2011", "2011", "year"),
    ("July 11, 2011", "2011-07-11", "day"),
    ("25 March 2022", "2022-03-25", "day"),
    ("Sept. 3rd, 2015", "2015-09-03", "day"),
    ("July 2011", "2011-07", "month"),
    ("20160920", "2016-09-20", "day"),
    ("2016/09/20", "2016-09-20", "day"),
])
def test_parse_date_forms(text, iso, precision):
    date = parse_date(text, today=TODAY)
    assert date.iso() == iso
    assert date.precision == precision


@pytest.mark.parametrize("text", ["1799-12-31", "0001-01-01", "2031-01-01", "2026-12",
                                  "not a date", "", None, "2011-13-40", "32 July 2011"])
def test_implausible_or_unreadable_dates_are_unknown(text):
    assert parse_date(text, today=TODAY) is None


def test_month_date_displays_without_invented_day():
    assert PartialDate(2011, 7).display() == "July 2011"
    assert PartialDate(2011, 7, 4).display() == "4 July 2011"


def test_registry_folds_names_aliases_and_domains(tmp_path):
    path = tmp_path / "outlets.toml"
    path.write_text('[[outlet]]\nname = "Radio Free Asia"\naliases = ["RFA"]\n'
                    'domains = ["rfa.org"]\n', encoding="utf-8")
    registry = OutletRegistry.load(path)
    assert registry.canonical("RFA") == "Radio Free Asia"
    assert registry.canonical("radio free asia") == "Radio Free Asia"
    assert registry.canonical(None, "https://www.rfa.org/english/news") == "Radio Free Asia"
    assert registry.canonical(None, "https://sub.rfa.org/x") == "Radio Free Asia"
    assert registry.canonical("  Some   Blog ") == "Some Blog"
    assert registry.canonical("unknown") is None


def test_domain_of():
    assert domain_of("https://www.example.com:8080/a") == "example.com"
    assert domain_of("www.nytimes.com") == "nytimes.com"


def test_derived_title_is_readable_and_never_empty():
    assert derive_title("") == "(untitled article)"
    title = derive_title("The second-ranking diplomat at the Burmese Embassy in Washington has "
                         "decided to defect and is seeking asylum in the United States.")
    assert title.startswith("The second-ranking diplomat")
    assert len(title) <= 91 and title.endswith("…")
    assert derive_title("Short opening sentence. Then more.") == "Short opening sentence"
