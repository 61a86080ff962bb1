"""The human documentation at /docs/: every section of the API page, numbers from the data."""

import re

import pytest
from django.test import Client

from billing.models import Tier
from billing.prices import PRICES
from generators.engine import LATEST, VERSIONS
from generators.items import ITEMS

SECTIONS = [
    "API Documentation",
    "Quick Start",
    "Request Access",
    "Get Approved",
    "Start Building",
    "API Endpoints",
    "Ready to Integrate?",
    "Authentication",
    "API Key Authentication",
    "Header Authentication",
    "Example Request",
    "Security Note",
    "Rate Limits &amp; Pricing",
    "Credit Usage",
    "Error Handling",
    "Common Error Responses",
    "401 Unauthorized",
    "429 Too Many Requests",
    "400 Bad Request",
    "SDKs &amp; Code Examples",
    "JavaScript/Node.js",
    "Python",
]


@pytest.fixture
def page(client: Client, db: None) -> str:
    response = client.get("/docs/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_has_every_section_of_the_api_page(page: str) -> None:
    for heading in SECTIONS:
        assert heading in page, heading


def test_each_endpoint_has_its_parameters_and_examples(page: str) -> None:
    for path in ("/api/feedback/generate", "/api/interviews/generate", "/api/tickets/generate"):
        assert f"<code>{path}</code>" in page
    for name in (
        "productType",
        "sentimentMix",
        "feedbackCount",
        "complexityLevel",
        "questionCount",
        "interviewType",
        "ticketCount",
        "seed",
    ):
        assert f"<td><code>{name}</code></td>" in page, name
    assert "From 1 to 50" in page
    assert "From 1 to 25" in page
    assert "Default: <code>medium</code>" in page
    assert "&quot;feedback_123&quot;" in page


def test_the_parameter_table_says_which_fields_are_required(page: str) -> None:
    feedback = page[page.index('id="feedback"') : page.index('id="interviews"')]
    rows = re.findall(r"<td><code>(\w+)</code></td><td>[^<]+</td><td>(Yes|No)</td>", feedback)
    assert rows[:3] == [("productType", "Yes"), ("sentimentMix", "Yes"), ("feedbackCount", "Yes")]
    assert ("complexityLevel", "No") in rows


def test_prices_come_from_the_price_table(page: str) -> None:
    assert "2 credits per request" in page
    assert "2 credits per question" in page
    assert "1 credit per ticket" in page
    for price in PRICES.values():
        assert price.label in page


def test_limits_come_from_the_tier_rows(client: Client, db: None) -> None:
    page = client.get("/docs/").content.decode()
    assert "5 requests/day" in page
    assert "100 requests/day" in page
    assert "1,000 requests/day" in page
    assert "Unlimited" in page
    Tier.objects.filter(slug="basic").update(daily_request_limit=250)
    page = client.get("/docs/").content.decode()
    assert "250 requests/day" in page
    assert "100 requests/day" not in page


def test_examples_use_this_servers_own_address(client: Client, db: None) -> None:
    page = client.get("/docs/", HTTP_HOST="localhost:8123").content.decode()
    assert "curl -X POST http://localhost:8123/api/feedback/generate" in page
    assert "fetch('http://localhost:8123/api/feedback/generate'" in page
    assert "    'http://localhost:8123/api/feedback/generate'," in page
    assert "synthgen.app" not in page


def test_every_error_code_is_explained(page: str) -> None:
    for code in (
        "INVALID_PARAMETERS",
        "INVALID_JSON",
        "UNAUTHORIZED",
        "INSUFFICIENT_CREDITS",
        "ACCOUNT_SUSPENDED",
        "IDEMPOTENCY_IN_PROGRESS",
        "IDEMPOTENCY_KEY_REUSED",
        "NOT_FOUND",
        "METHOD_NOT_ALLOWED",
        "RATE_LIMIT_EXCEEDED",
        "INTERNAL_ERROR",
        "SERVICE_UNAVAILABLE",
    ):
        assert f"<td><code>{code}</code></td>" in page, code


def test_the_page_links_back_and_to_the_reference(page: str) -> None:
    assert 'href="/api/docs/"' in page
    assert 'href="/api/schema/?format=json"' in page
    assert 'href="/"' in page
    assert "<title>API documentation · SynthGen</title>" in page


def test_the_page_explains_dry_runs_and_summaries(page: str) -> None:
    for anchor in ('id="dry-run"', 'id="summary"', 'href="#dry-run"', 'href="#summary"'):
        assert anchor in page, anchor
    for field in ("remainingCreditsAfter", "sufficientCredits", "refusal", "estimatedSeconds"):
        assert f"<code>{field}</code>" in page, field
    assert "<td><code>dryRun</code></td><td>boolean</td><td>No</td>" in page
    assert "Default: <code>false</code>" in page
    assert "&quot;dryRun&quot;: true" in page
    assert "&quot;repeatedShare&quot;" not in page  # the sync example has no sentences
    assert "<code>repeatedShare</code>" in page


def test_the_summary_table_names_what_each_kind_counts(page: str) -> None:
    table = page[
        page.index('id="summary-fields"') : page.index(
            "</table>", page.index('id="summary-fields"')
        )
    ]
    assert "ratings (1, 2, 3, 4, 5)" in table
    assert "priority (low, medium, high, urgent)" in table
    assert "warm_up, current_workflow, pain_points, wishes, wrap_up" in table
    assert "each answer" in table


def test_the_page_names_every_generator_version(page: str) -> None:
    for version in VERSIONS:
        assert f"<code>{version}</code>" in page, version
    assert f"<code>{LATEST}</code>, the newest" in page


def test_the_datasets_section_is_in_the_nav_with_every_parameter_and_default_rate(
    page: str,
) -> None:
    from generators.engine.datasets import default_rates
    from generators.serializers import DatasetRequestSerializer

    assert '<a href="#datasets">Datasets</a>' in page
    section = page.split('<section id="datasets"', 1)[1].split("</section>", 1)[0]
    table = section.split('id="dataset-parameters"', 1)[1].split("</table>", 1)[0]
    for name in DatasetRequestSerializer().fields:
        assert f"<td><code>{name}</code></td>" in table, name
    rates = default_rates("saas")
    assert (
        f"<tr><td><code>saas</code></td><td>{rates.reviews}</td><td>{rates.tickets}</td>"
        f"<td>{rates.interview_share}</td><td>{rates.questions}</td></tr>"
    ) in section
    assert "Customers are free" in section and "Prefix stability" in section


def test_every_item_has_a_table_of_every_field_it_defines(page: str) -> None:
    for item in ITEMS:
        start = page.index(f'id="item-{item.name}"')
        table = page[start : page.index("</table>", start)]
        names = re.findall(r"<tr><td><code>([^<]+)</code></td>", table)
        assert [name for name in names if "." not in name] == [f.name for f in item.fields]
    ticket = page[page.index('id="item-Ticket"') :]
    assert "<code>customer.email</code></td><td>email</td><td>Yes</td>" in ticket
    assert "<code>thread[].from</code></td><td>string</td><td>Yes</td>" in ticket
    assert "One of: low, medium, high, urgent." in ticket
