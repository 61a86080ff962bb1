"""The ticket generator: fields, and a category and priority that match the wording."""

import re

import pytest

from generators.engine.v1.catalog import COMPLEXITY_LEVELS, PRODUCT_TYPES
from generators.engine.v1.tickets import generate_tickets
from tests.generators.windows import WINDOW

FIELDS = ["id", "subject", "description", "category", "priority", "status", "channel",
          "customer", "sentiment", "createdAt"]  # fmt: skip
CATEGORY_WORDS = {
    "billing": r"charge|refund|invoice|payment",
    "bug": r"error|broken|crash|freez|blank|fail|wiped|hangs|drops",
    "account": r"account|password|log in|two-factor|sign in",
    "how_to": r"how do i|is there a way|where can i|best way|how to",
    "feature_request": r"feature|would be great|please add|suggestion|love an option",
    "shipping": r"package|parcel|delivery|tracking|courier|shipped",
    "delivery": r"order|driver|delivered",
    "booking": r"booking|reservation|flight",
    "security": r"fraud|suspicious|unauthori|scam|stolen",
}
URGENT = r"urgent|immediately|right away|critical"
LOW = r"no rush|whenever you get a chance|low priority|not time-sensitive"


def make(product_type: str = "ecommerce", complexity: str = "medium", count: int = 50) -> list:
    return generate_tickets(product_type=product_type, count=count, complexity=complexity,
                            seed=5, window=WINDOW)  # fmt: skip


def test_a_ticket_carries_the_documented_fields_in_order() -> None:
    for ticket in make(count=10):
        assert list(ticket)[:10] == FIELDS
        assert re.fullmatch(r"ticket_[0-9a-f]{12}", ticket["id"])
        assert ticket["priority"] in ("low", "medium", "high", "urgent")
        assert ticket["status"] in ("open", "pending", "in_progress", "resolved", "closed")
        assert ticket["channel"] in ("email", "chat", "phone", "web")
        assert set(ticket["customer"]) == {"name", "email"} and "@" in ticket["customer"]["email"]


@pytest.mark.parametrize("product_type", PRODUCT_TYPES)
def test_the_category_matches_the_text(product_type: str) -> None:
    for ticket in make(product_type=product_type):
        text = f"{ticket['subject']} {ticket['description']}".lower()
        assert re.search(CATEGORY_WORDS[ticket["category"]], text), ticket


def test_the_priority_matches_the_urgency_of_the_wording() -> None:
    for ticket in make(count=200):
        text = f"{ticket['subject']} {ticket['description']}".lower()
        assert bool(re.search(URGENT, text)) == (ticket["priority"] == "urgent")
        assert bool(re.search(LOW, text)) == (ticket["priority"] == "low")


def test_shipping_tickets_exist_only_where_goods_ship() -> None:
    categories = {ticket["category"] for ticket in make(product_type="fintech", count=200)}
    assert "shipping" not in categories
    assert "shipping" in {ticket["category"] for ticket in make(count=200)}


@pytest.mark.parametrize("complexity", COMPLEXITY_LEVELS)
def test_only_complex_tickets_carry_a_thread(complexity: str) -> None:
    for ticket in make(complexity=complexity, count=30):
        assert ("thread" in ticket) == (complexity == "complex")


def test_a_thread_alternates_between_customer_and_agent_and_ends_as_the_status_says() -> None:
    for ticket in make(complexity="complex", count=100):
        thread = ticket["thread"]
        assert 3 <= len(thread) <= 5
        assert all(set(message) == {"from", "author", "message", "sentAt"} for message in thread)
        assert thread[0]["from"] == "agent"
        if ticket["status"] in ("resolved", "closed"):
            assert any(message["from"] == "agent" and message is not thread[0]
                       for message in thread)  # fmt: skip
        customer = [m["author"] for m in thread if m["from"] == "customer"]
        assert set(customer) == {ticket["customer"]["name"]}


# The agent's question and the customer's answer, in our own words for each category.
REPLY_FITS = {
    "billing": r"card|receipt|address|statement|payment",
    "bug": r"version|every time|both|signed out|screenshot",
    "account": r"email|name|sign|days ago|last year",
    "how_to": r"website|laptop|phone|android|look",
    "feature_request": r"time|list|ask|work",
    "shipping": r"order|address|courier|knock|nothing",
    "delivery": r"dish|order|photo|pm",
    "booking": r"bk\d|adults|email",
    "security": r"payments|shared|passcode|links",
}


@pytest.mark.parametrize("product_type", PRODUCT_TYPES)
def test_the_customer_answers_the_question_the_agent_asked(product_type: str) -> None:
    for ticket in make(product_type=product_type, complexity="complex", count=60):
        ask, reply = ticket["thread"][0]["message"], ticket["thread"][1]["message"]
        assert ask.endswith("?") and ticket["thread"][1]["from"] == "customer"
        assert re.search(REPLY_FITS[ticket["category"]], reply.lower()), (ask, reply)


def test_no_ecommerce_thread_talks_about_plans() -> None:
    for ticket in make(complexity="complex", count=200):
        assert not re.search(r"free or paid|plan\b", " ".join(m["message"] for m in
                                                              ticket["thread"]))  # fmt: skip


def test_a_thread_ends_as_its_status_says() -> None:
    for product_type in PRODUCT_TYPES:
        for ticket in make(product_type=product_type, complexity="complex", count=60):
            thread, status = ticket["thread"], ticket["status"]
            last = thread[-1]
            if status in ("resolved", "closed"):
                fix = next(m for m in thread[2:] if m["from"] == "agent")
                assert "?" not in fix["message"], fix
            if status == "closed":
                assert last["from"] == "agent" and re.search(r"clos", last["message"].lower())
            elif status == "pending":
                assert last["from"] == "agent" and "?" in last["message"]
            elif status in ("in_progress", "open"):
                assert last["from"] == "agent"
                assert re.search(r"team|engineer|contacted|courier|restaurant|investigat",
                                 last["message"].lower()), last  # fmt: skip


def test_a_broken_feature_takes_a_verb_that_agrees_with_it() -> None:
    for product_type in PRODUCT_TYPES:
        for ticket in make(product_type=product_type, count=120):
            subject = ticket["subject"].removeprefix("URGENT: ")
            if "broken since" in subject:
                assert re.search(r" (is|are) broken since", subject), subject
            for plural in ("Discount codes", "Widgets", "Notifications", "Comments"):
                assert not re.search(rf"{plural} (is|shows|keeps|crashes|freezes)\b",
                                     ticket["subject"] + ticket["description"])  # fmt: skip


def test_a_date_in_the_subject_is_the_date_in_the_description() -> None:
    for ticket in make(count=300):
        named = re.search(r"on ([A-Z][a-z]+ \d+)$", ticket["subject"])
        if named and ticket["category"] == "billing":
            assert named.group(1) in ticket["description"], ticket


def test_subjects_vary_across_many_tickets() -> None:
    subjects = [t["subject"] for p in PRODUCT_TYPES for t in make(product_type=p, count=150)]
    assert len(set(subjects)) / len(subjects) >= 0.5
