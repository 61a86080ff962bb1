"""Every item every engine version makes fits its one definition in generators.items."""

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from generators import engine
from generators.engine.catalog import (
    COMPLEXITY_LEVELS,
    INTERVIEW_TYPES,
    PRODUCT_TYPES,
    SENTIMENT_MIXES,
)
from generators.engine.datasets import generate_dataset
from generators.items import DATASET_PARTS, JOB_ITEMS, Field, Item, csv_columns, item_schema
from generators.jobs import flatten
from tests.generators.windows import WINDOW


def feedback(version: str) -> Iterator[dict[str, Any]]:
    for product_type in PRODUCT_TYPES:
        for complexity in COMPLEXITY_LEVELS:
            for sentiment_mix in SENTIMENT_MIXES:
                yield from engine.generate_feedback(
                    version=version, product_type=product_type, sentiment_mix=sentiment_mix,
                    count=6, complexity=complexity, seed=7, window=WINDOW,
                )  # fmt: skip


def tickets(version: str) -> Iterator[dict[str, Any]]:
    for product_type in PRODUCT_TYPES:
        for complexity in COMPLEXITY_LEVELS:
            yield from engine.generate_tickets(
                version=version, product_type=product_type, count=8, complexity=complexity,
                seed=7, window=WINDOW,
            )  # fmt: skip


def interviews(version: str) -> Iterator[dict[str, Any]]:
    for product_type in PRODUCT_TYPES:
        for interview_type in INTERVIEW_TYPES:
            for complexity in COMPLEXITY_LEVELS:
                yield engine.generate_interview(
                    version=version, product_type=product_type, question_count=5,
                    interview_type=interview_type, complexity=complexity, seed=7, window=WINDOW,
                )  # fmt: skip


MAKERS = {"feedback": feedback, "tickets": tickets, "interviews": interviews}


def datasets() -> Iterator[tuple[str, dict[str, Any]]]:
    for product_type in PRODUCT_TYPES:
        for complexity in COMPLEXITY_LEVELS:
            dataset = generate_dataset(
                product_type=product_type, customer_count=12, seed=7, complexity=complexity,
                window=WINDOW,
            )  # fmt: skip
            for part, records in dataset.items():
                yield from ((part, record) for record in records)


def defined_paths(fields: tuple[Field, ...], prefix: str = "") -> set[str]:
    """Every field path the definition allows: `customer.email`, `thread[].message`."""
    paths = set()
    for field in fields:
        path = prefix + field.name
        paths.add(path)
        if field.fields:
            inner = f"{path}[]." if field.type == "array" else f"{path}."
            paths |= defined_paths(field.fields, inner)
    return paths


def paths(value: dict[str, Any], fields: tuple[Field, ...], prefix: str = "") -> set[str]:
    """The field paths ``value`` has, read as the definition nests them (a map stops a path)."""
    found = set()
    nested = {field.name: field for field in fields}
    for name, item in value.items():
        path = prefix + name
        found.add(path)
        field = nested.get(name)
        if field is None or not field.fields:
            continue
        if field.type == "array":
            for element in item:
                found |= paths(element, field.fields, f"{path}[].")
        elif item is not None:
            found |= paths(item, field.fields, f"{path}.")
    return found


def check(item: Item, records: list[dict[str, Any]]) -> None:
    validator = OAS30Validator(item_schema(item), format_checker=oas30_format_checker)
    defined, seen = defined_paths(item.fields), set()
    for record in records:
        assert [error.message for error in validator.iter_errors(record)] == [], record["id"]
        found = paths(record, item.fields)
        assert found <= defined, (record["id"], found - defined)
        seen |= found
    assert seen == defined, defined - seen


@pytest.mark.parametrize("version", engine.VERSIONS)
@pytest.mark.parametrize("kind", list(JOB_ITEMS))
def test_every_entry_of_every_version_has_exactly_its_defined_fields(
    version: str, kind: str
) -> None:
    records = list(MAKERS[kind](version))
    # Fields added by a later version are optional, so each version is checked on its own
    # for what it writes and all versions together for what the definition holds.
    assert records
    validator = OAS30Validator(item_schema(JOB_ITEMS[kind]), format_checker=oas30_format_checker)
    for record in records:
        assert [error.message for error in validator.iter_errors(record)] == [], record["id"]
        assert paths(record, JOB_ITEMS[kind].fields) <= defined_paths(JOB_ITEMS[kind].fields)


@pytest.mark.parametrize("kind", list(JOB_ITEMS))
def test_the_versions_together_write_every_field_a_job_item_defines(kind: str) -> None:
    records = [record for version in engine.VERSIONS for record in MAKERS[kind](version)]
    check(JOB_ITEMS[kind], records)


def test_every_dataset_record_has_exactly_its_parts_defined_fields() -> None:
    by_part: dict[str, list[dict[str, Any]]] = {part: [] for part in DATASET_PARTS}
    for part, record in datasets():
        by_part[part].append(record)
    for part, item in DATASET_PARTS.items():
        assert by_part[part], part
        check(item, by_part[part])


def test_csv_columns_follow_the_definition_whatever_order_they_were_seen_in() -> None:
    ticket = next(ticket for ticket in tickets(engine.LATEST) if len(ticket.get("thread", [])) > 1)
    columns = list(flatten(ticket))

    assert csv_columns(JOB_ITEMS["tickets"], reversed(columns)) == columns
    assert columns[:3] == ["id", "subject", "description"]
    assert columns.index("customer.email") < columns.index("thread.1.from")
    assert columns.index("thread.1.sentAt") < columns.index("thread.2.from")
