"""What one charged request costs the database: the statements of a warm request (today's usage
row exists), counted with Django's test client. Before issue 11: 10 on either database.

On PostgreSQL: the key lookup, the one call that charges, the answer."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Consumer

FEEDBACK = "/api/feedback/generate"
BODY = {"productType": "ecommerce", "sentimentMix": "balanced", "feedbackCount": 5}


def test_a_charged_request_makes_few_queries(bob: Consumer) -> None:
    assert bob.client.post(FEEDBACK, BODY, format="json").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        answer = bob.client.post(FEEDBACK, BODY, format="json")
    assert answer.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) <= (3 if connection.vendor == "postgresql" else 10), statements
