"""What one charged request costs the database: the statements of a warm request (today's usage
row exists, the key is cached), counted with Django's test client. Before issue 11 it was 10 on
either database: the key lookup, a savepoint, the daily-usage UPDATE and its read-back, the
balance UPDATE and its read-back, the ledger INSERT, the usage-record INSERT, the release and
the answer's UPDATE."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.conftest import Consumer

FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "ecommerce", "sentimentMix": "balanced", "feedbackCount": 5}
# PostgreSQL: the one call that charges (billing_charge_request) and the answer. SQLite: the
# same four steps as statements between BEGIN and COMMIT, and the answer.
QUERIES = {"postgresql": 2, "sqlite": 7}


@override_settings(API_KEY_CACHE_SECONDS=60)
def test_a_charged_request_makes_few_queries(bob: Consumer) -> None:
    assert bob.client.post(FEEDBACK, BODY, format="json").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        answer = bob.client.post(FEEDBACK, BODY, format="json")
    assert answer.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == QUERIES[connection.vendor], statements
