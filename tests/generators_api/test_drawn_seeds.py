"""A seed the server draws for a request without one fits a JavaScript number exactly, so
any client can send it back and get the same data."""

import pytest

from tests.conftest import Consumer

JAVASCRIPT_SAFE = 2**53 - 1
REQUESTS = [
    (
        "/api/feedback/generate",
        {"productType": "saas", "sentimentMix": "mixed", "feedbackCount": 1},
    ),
    ("/api/tickets/generate", {"productType": "saas", "ticketCount": 1}),
    ("/api/interviews/generate", {"productType": "saas", "questionCount": 1}),
    ("/api/datasets/generate", {"productType": "saas", "customerCount": 1, "dryRun": True}),
]


@pytest.mark.parametrize(("path", "body"), REQUESTS)
def test_a_drawn_seed_is_a_safe_javascript_integer(bob: Consumer, path: str, body: dict) -> None:
    # Twelve draws: were seeds drawn from 63 bits, all twelve would fit 53 by chance with a
    # probability of 2**-120.
    seeds = []
    for _ in range(12):
        response = bob.client.post(path, body, format="json")
        assert response.status_code == 200, response.json()
        seeds.append(response.json()["seed"])

    assert all(0 <= seed <= JAVASCRIPT_SAFE for seed in seeds)
    assert len(set(seeds)) > 1
