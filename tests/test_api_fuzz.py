"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis).

Every request the document allows, and many it does not, must get a response that matches
the document: never a 500, never an undeclared status or body shape.
"""
import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402  (hypothesis comes with schemathesis)

from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from searchsvc import create_app  # noqa: E402
from searchsvc.query.bounds import parse_bound  # noqa: E402


@pytest.fixture(scope="module")
def api_app(seeds_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(seeds_index)})


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def api_schema(api_app):
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)
    # Requests the document forbids as well as those it allows: both must be answered as
    # it says (a 400 in the error shape for the first, never a 500).
    loaded.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE,
                                           schemathesis.GenerationMode.NEGATIVE])
    return loaded


def _bound(query, names: tuple[str, str], end: bool):
    """Return the day a range bound names: `from` (or `to`) if given, else its older name."""
    for name in names:
        value = query.get(name)
        value = value[0] if isinstance(value, list) and value else value
        if value:
            return parse_bound(str(value), end=end)
    return None


def _reversed_dates(query) -> bool:
    """Tell whether a request's day range starts after it ends (a 400 no schema can state)."""
    query = query or {}
    start = _bound(query, ("from", "date_from"), end=False)
    end = _bound(query, ("to", "date_to"), end=True)
    return start is not None and end is not None and start > end


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case):
    if _reversed_dates(case.query):
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        assert response.status_code == 400
    else:
        case.call_and_validate()
