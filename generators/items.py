"""Every item the engines make, defined once: the API schema, CSV columns and docs follow it."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from generators.engine.catalog import INTERVIEW_TYPES, PRODUCT_TYPES


@dataclass(frozen=True)
class Field:
    """One field of an item: its JSON type and what the schema says about its values."""

    name: str
    type: str = "string"
    required: bool = True
    description: str = ""
    enum: tuple[str, ...] = ()
    format: str = ""
    minimum: int | None = None
    maximum: int | None = None
    nullable: bool = False
    example: str = ""
    # An object's fields, or, for an array, the fields of each object in it.
    fields: tuple["Field", ...] = ()
    # An array of plain values: their type. An object without fields: its values' type.
    values: str = ""


@dataclass(frozen=True)
class Item:
    name: str
    fields: tuple[Field, ...]


def _time(name: str, **options: Any) -> Field:
    return Field(name, format="date-time", example="2024-01-15T10:30:00Z", **options)


def _id(prefix: str, description: str = "") -> Field:
    return Field("id", description=f"`{prefix}_` and 12 hex digits. {description}".strip())


SENTIMENTS = ("positive", "neutral", "negative", "mixed")
PLATFORM_ONLY = "Product types with platforms only."

PRODUCT = Field(
    "product",
    "object",
    required=False,
    description="From generatorVersion 2.0.0: the made-up product reviewed (a brand and model "
    "of one kind, or a shop or tool by name).",
    fields=(Field("name"), Field("brand"), Field("kind")),
)

FEEDBACK_ENTRY = Item(
    "FeedbackEntry",
    (
        _id("feedback"),
        Field("rating", "integer", minimum=1, maximum=5, description="Stars."),
        Field("title", description="The review's headline."),
        Field("content", description="The review's text."),
        Field("sentiment", enum=SENTIMENTS, description="The review's label."),
        _time("timestamp", description="When it was posted, inside dateFrom to dateTo."),
        Field("author", required=False, description="The reviewer's display name."),
        Field("verifiedPurchase", "boolean", required=False),
        Field("helpfulVotes", "integer", required=False, minimum=0),
        Field(
            "aspects",
            "array",
            required=False,
            description="What the review talks about.",
            values="string",
        ),
        PRODUCT,
        Field("platform", required=False, description=PLATFORM_ONLY),
        Field("appVersion", required=False, description=PLATFORM_ONLY),
    ),
)

INTERVIEW = Item(
    "Interview",
    (
        _id("interview"),
        Field("interviewType", enum=INTERVIEW_TYPES),
        Field("productType", enum=PRODUCT_TYPES),
        Field(
            "interviewee",
            "object",
            description="The person interviewed.",
            fields=(
                Field("name"),
                Field(
                    "role",
                    description="Their job title; for a consumer product, how they relate to "
                    'it ("Regular customer").',
                ),
                Field("company"),
                Field(
                    "companySize",
                    required=False,
                    description="Professionals only: a consumer's company is empty.",
                    enum=("1-10", "11-50", "51-200", "201-1000", "1000+"),
                ),
                Field("persona", description="Who they are, in a sentence or two."),
                Field(
                    "toolsUsed",
                    "array",
                    required=False,
                    description="What they work with today.",
                    values="string",
                ),
            ),
        ),
        _time("conductedAt", required=False, description="When the interview took place."),
        Field(
            "questions",
            "array",
            description="questionCount pairs, in the order they were asked.",
            fields=(
                Field("number", "integer", minimum=1, description="From 1, in order."),
                Field(
                    "stage",
                    enum=("warm_up", "current_workflow", "pain_points", "wishes", "wrap_up"),
                ),
                Field("question"),
                Field("answer"),
            ),
        ),
    ),
)

TICKET = Item(
    "Ticket",
    (
        _id("ticket"),
        Field("subject", description="The ticket's subject line."),
        Field("description", description="The customer's first message."),
        Field("category", description="What kind of request it is, e.g. billing or how_to."),
        Field("priority", enum=("low", "medium", "high", "urgent")),
        Field("status", enum=("open", "pending", "in_progress", "resolved", "closed")),
        Field("channel", enum=("email", "chat", "phone", "web"), description="Where it came in."),
        Field(
            "customer",
            "object",
            description="Who wrote in.",
            fields=(Field("name"), Field("email", format="email")),
        ),
        Field("sentiment", enum=SENTIMENTS, description="The customer's mood."),
        _time("createdAt", description="When it was opened, inside dateFrom to dateTo."),
        Field(
            "thread",
            "array",
            required=False,
            description="Complex tickets: the customer/agent conversation.",
            fields=(
                Field("from", enum=("customer", "agent")),
                Field("author", description="Who wrote the message."),
                Field("message"),
                _time("sentAt", description="After the ticket's createdAt and earlier messages."),
            ),
        ),
    ),
)

CUSTOMER = Item(
    "Customer",
    (
        _id("cus", description="Stable for a seed and index."),
        Field("name"),
        Field("email", format="email"),
        Field("country", description="ISO 3166-1 alpha-2."),
        Field("locale", description="Language and region, e.g. en-US."),
        _time("signupAt", description="When the customer signed up."),
        Field("segment", description="A segment or plan that fits the product type."),
        Field("status", enum=("active", "churned")),
        _time("churnedAt", nullable=True, description="null while active."),
        replace(PRODUCT, required=True, description="The made-up product the customer uses."),
        Field("platform", required=False, description=PLATFORM_ONLY),
        Field(
            "facts",
            "object",
            description="Product-type facts: orders for a shop, seats for SaaS, cards for a bank.",
            values="integer",
        ),
    ),
)


def _owned(item: Item, name: str, *extra: Field) -> Item:
    """An item of a dataset: ``item`` with its customer's id after its own and ``extra`` last."""
    customer_id = Field("customerId", description="The id of the customer it belongs to.")
    first, *rest = item.fields
    return Item(name, (first, customer_id, *rest, *extra))


DATASET_FEEDBACK_ENTRY = _owned(FEEDBACK_ENTRY, "DatasetFeedbackEntry")
DATASET_TICKET = _owned(
    TICKET,
    "DatasetTicket",
    _time("resolvedAt", nullable=True, description="null while unresolved."),
    Field("aspect", description="What the ticket is about, as reviews name it."),
    Field("incident", description="The kind of incident behind the ticket."),
)


def _with_email(interview: Item) -> Item:
    # A dataset's interviewee is its customer, so they have the customer's email too.
    fields = tuple(
        replace(
            field, fields=(*field.fields[:1], Field("email", format="email"), *field.fields[1:])
        )
        if field.name == "interviewee"
        else field
        for field in interview.fields
    )
    return Item(interview.name, fields)


DATASET_INTERVIEW = _owned(
    _with_email(INTERVIEW),
    "DatasetInterview",
    Field(
        "mainPain",
        description="What annoys the customer most, as reviews name aspects; a churn interview "
        "says they left over it.",
    ),
    Field("aspects", "array", description="The aspects its questions were about.", values="string"),
)

ITEMS: tuple[Item, ...] = (
    FEEDBACK_ENTRY,
    INTERVIEW,
    TICKET,
    CUSTOMER,
    DATASET_FEEDBACK_ENTRY,
    DATASET_TICKET,
    DATASET_INTERVIEW,
)
# What a bulk job of each type makes, and the parts of a dataset.
JOB_ITEMS: dict[str, Item] = {
    "feedback": FEEDBACK_ENTRY,
    "tickets": TICKET,
    "interviews": INTERVIEW,
}
DATASET_PARTS: dict[str, Item] = {
    "customers": CUSTOMER,
    "feedback": DATASET_FEEDBACK_ENTRY,
    "tickets": DATASET_TICKET,
    "interviews": DATASET_INTERVIEW,
}


def field_schema(field: Field) -> dict[str, Any]:
    """``field`` as an OpenAPI 3.0 schema."""
    schema: dict[str, Any] = {"type": field.type}
    if field.fields and field.type == "array":
        schema["items"] = _object_schema(field.fields)
    elif field.fields:
        schema.update(_object_schema(field.fields))
    elif field.values and field.type == "array":
        schema["items"] = {"type": field.values}
    elif field.values:
        schema["additionalProperties"] = {"type": field.values}
    options = {
        "enum": list(field.enum),
        "format": field.format,
        "example": field.example,
        "minimum": field.minimum,
        "maximum": field.maximum,
        "nullable": field.nullable or None,
        "description": field.description,
    }
    schema.update({key: value for key, value in options.items() if value not in ("", [], None)})
    return schema


def _object_schema(fields: Iterable[Field]) -> dict[str, Any]:
    fields = tuple(fields)
    return {
        "type": "object",
        "required": [field.name for field in fields if field.required],
        "properties": {field.name: field_schema(field) for field in fields},
    }


def item_schema(item: Item) -> dict[str, Any]:
    """``item`` as an OpenAPI 3.0 schema that refuses fields it does not define."""
    schema = _object_schema(item.fields)
    return {"type": "object", "additionalProperties": False, **schema}


def _column_key(fields: tuple[Field, ...], parts: list[str], rank: int) -> tuple:
    """Where a flattened column sorts: by field, then by list position, as the item defines;
    a map's keys and any field the item does not define by ``rank``, the order seen in."""
    if not parts:
        return ()
    names = [field.name for field in fields]
    if parts[0] not in names:
        return ((len(names), rank),)
    field = fields[names.index(parts[0])]
    rest = parts[1:]
    position: tuple = (names.index(parts[0]),)
    if field.type == "array" and rest:
        position += (int(rest[0]) if rest[0].isdigit() else 0,)
        rest = rest[1:]
    elif field.type == "object" and not field.fields and rest:
        position += (rank,)
        rest = []
    return (position, *_column_key(field.fields, rest, rank))


def csv_columns(item: Item, seen: Iterable[str]) -> list[str]:
    """The CSV header of an export of ``item``s: the flattened columns its entries have
    (nested fields as `customer.email`, list items by position as `thread.2.message`), in
    the order the item defines its fields."""
    ranks = {column: rank for rank, column in enumerate(dict.fromkeys(seen))}
    return sorted(
        ranks, key=lambda column: _column_key(item.fields, column.split("."), ranks[column])
    )
