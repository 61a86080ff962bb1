"""Input validation for the generation endpoints: camelCase fields, exactly as the contract."""

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from rest_framework import serializers

from generators.engine import LATEST, VERSIONS
from generators.engine.catalog import (
    COMPLEXITY_LEVELS,
    DATASET_VERSIONS,
    INTERVIEW_TYPES,
    PRODUCT_TYPES,
    SENTIMENT_MIXES,
)
from generators.engine.datasets import PARTS
from generators.engine.vocabulary import product_types_with_vocabulary

MAX_SEED = 2**63 - 1
DEFAULT_WINDOW = dt.timedelta(days=90)
DATE_MESSAGE = "Must be a date as YYYY-MM-DD"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class WholeNumberField(serializers.Field):
    """A JSON integer in a range. Booleans, decimals (even 5.0) and strings are refused."""

    def __init__(self, *, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.error_messages["invalid"] = f"Must be a whole number from {low} to {high}"

    def to_internal_value(self, data: Any) -> int:
        # bool is a subclass of int, hence the exact type check.
        if type(data) is not int or not self.low <= data <= self.high:
            self.fail("invalid")
        return data

    def to_representation(self, value: int) -> int:
        return value


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false. DRF's BooleanField also takes "yes", "1" and 0, which a typo could
    turn into a charged request."""

    default_error_messages = {"invalid": "Must be true or false", "null": "Must be true or false"}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


def dry_run_field() -> StrictBooleanField:
    return StrictBooleanField(default=False)


def choice(choices: tuple[str, ...], **kwargs: Any) -> serializers.ChoiceField:
    message = f"Must be one of: {', '.join(choices)}"
    return serializers.ChoiceField(
        choices=choices, error_messages={"invalid_choice": message}, **kwargs
    )


EARLIEST_DATE = dt.date(1970, 1, 1)


def within_reason(day: dt.date) -> None:
    if day > utc_now().date():
        raise serializers.ValidationError("Must not be in the future")
    if day < EARLIEST_DATE:
        raise serializers.ValidationError(f"Must be on or after {EARLIEST_DATE.isoformat()}")


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class IsoDateField(serializers.DateField):
    """YYYY-MM-DD in ASCII digits and nothing else: DRF's DateField also takes "2024-1-5",
    "20240105" and other scripts' digits, which the documented format does not."""

    def to_internal_value(self, value: Any) -> dt.date:
        if isinstance(value, str) and not ISO_DATE.fullmatch(value):
            self.fail("invalid")
        return super().to_internal_value(value)


def date_field() -> serializers.DateField:
    return IsoDateField(
        required=False,
        validators=[within_reason],
        error_messages={"invalid": DATE_MESSAGE, "datetime": DATE_MESSAGE + ", without a time"},
    )


MAX_NAME_SHOWN = 40
MAX_UNKNOWN_SHOWN = 20


def shown_name(name: str) -> str:
    """A client's field name as an error repeats it: cut short, so a 2 MB name is not echoed."""
    return name if len(name) <= MAX_NAME_SHOWN else name[: MAX_NAME_SHOWN - 1] + "…"


def unknown_fields(data: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, str]:
    """An error for each field the serializer does not take, so a typo is not ignored; past
    MAX_UNKNOWN_SHOWN of them, one line says how many more there are."""
    message = "Unknown field; allowed: " + ", ".join(fields)
    unknown = [name for name in data if name not in fields]
    errors = {shown_name(name): message for name in unknown[:MAX_UNKNOWN_SHOWN]}
    if len(unknown) > MAX_UNKNOWN_SHOWN:
        errors["…"] = f"{len(unknown) - MAX_UNKNOWN_SHOWN} more unknown fields"
    return errors


class StrictSerializer(serializers.Serializer):
    """Unknown fields are refused, together with every other bad field."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        errors: dict[str, Any] = dict(unknown_fields(data, self.fields))
        values: dict[str, Any] = {}
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # A serializer's to_internal_value raises its errors keyed by field name.
            errors.update(cast(dict[str, Any], exc.detail))
        if errors:
            raise serializers.ValidationError(errors)
        return values


class GenerationRequestSerializer(serializers.Serializer):
    """What every generator takes. Unknown fields are refused, so a typo in an optional
    field's name is an error rather than a silent default."""

    productType = choice(PRODUCT_TYPES)
    complexityLevel = choice(COMPLEXITY_LEVELS, default="medium")
    seed = WholeNumberField(low=0, high=MAX_SEED, required=False)
    generatorVersion = choice(VERSIONS, default=LATEST)
    dateFrom = date_field()
    dateTo = date_field()
    dryRun = dry_run_field()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({"non_field_errors": "Must be a JSON object"})
        errors: dict[str, Any] = {}
        values: dict[str, Any] = {}
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # A serializer's to_internal_value raises its errors keyed by field name.
            errors.update(cast(dict[str, Any], exc.detail))
        if "dateFrom" not in errors and "dateTo" not in errors:
            errors.update(self._date_order_errors(data))
        errors.update(unknown_fields(data, self.fields))
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def _date_order_errors(self, data: Mapping[str, Any]) -> dict[str, str]:
        """dateFrom after dateTo, checked even when other fields failed, so every problem
        is reported at once."""
        try:
            start = self.fields["dateFrom"].to_internal_value(data["dateFrom"])
            end = self.fields["dateTo"].to_internal_value(data["dateTo"])
        except (KeyError, serializers.ValidationError):
            return {}
        if start > end:
            return {"dateFrom": "Must be on or before dateTo"}
        return {}


class FeedbackRequestSerializer(GenerationRequestSerializer):
    sentimentMix = choice(SENTIMENT_MIXES)
    feedbackCount = WholeNumberField(low=1, high=50)


class InterviewRequestSerializer(GenerationRequestSerializer):
    questionCount = WholeNumberField(low=1, high=25)
    interviewType = choice(INTERVIEW_TYPES, default="user_research")


class TicketRequestSerializer(GenerationRequestSerializer):
    ticketCount = WholeNumberField(low=1, high=50)


class FractionField(serializers.Field):
    """A JSON number from `low` to `high`: an integer or a decimal, never a boolean or a string."""

    def __init__(self, *, low: float, high: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.error_messages["invalid"] = f"Must be a number from {low:g} to {high:g}"

    def to_internal_value(self, data: Any) -> float:
        if type(data) not in (int, float) or not self.low <= data <= self.high:
            self.fail("invalid")
        return float(data)

    def to_representation(self, value: float) -> float:
        return value


class DatasetRequestSerializer(GenerationRequestSerializer):
    """A customer base with its feedback, tickets and interviews (issue 12). Datasets exist
    from 2.0.0 on, for the product types with 2.0 vocabulary; the per-customer rates
    default per product type."""

    productType = choice(product_types_with_vocabulary())
    generatorVersion = choice(DATASET_VERSIONS, default=DATASET_VERSIONS[-1])
    customerCount = WholeNumberField(low=1, high=50, default=10)
    satisfaction = choice(SENTIMENT_MIXES, default="balanced")
    churnRate = FractionField(low=0, high=1, default=0.15)
    include = serializers.ListField(
        child=choice(PARTS),
        default=list(PARTS),
        min_length=1,
        error_messages={"not_a_list": f"Must be a list of: {', '.join(PARTS)}"},
    )
    meanReviews = FractionField(low=0, high=10, required=False)
    meanTickets = FractionField(low=0, high=10, required=False)
    interviewShare = FractionField(low=0, high=1, required=False)
    questionsPerInterview = WholeNumberField(low=1, high=25, required=False)

    def validate_include(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # a part named twice is made once


def generation_window(
    *, date_from: dt.date | None, date_to: dt.date | None, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The (start, end) UTC window that timestamps are drawn from.

    Default: the 90 whole UTC days before today, so a seed gives byte-identical data all day
    long. With dates: from dateFrom 00:00 to the end of dateTo, never past now; dateTo
    alone looks back 90 days, dateFrom alone runs to now.
    """
    now = now or utc_now()
    if date_from is None and date_to is None:
        end = dt.datetime.combine(now.date(), dt.time.min, tzinfo=dt.UTC) - dt.timedelta.resolution
        return end - DEFAULT_WINDOW + dt.timedelta.resolution, end
    end = dt.datetime.combine(date_to, dt.time.max, tzinfo=dt.UTC) if date_to else now
    end = min(end, now)
    if date_from is None:
        return end - DEFAULT_WINDOW, end
    return dt.datetime.combine(date_from, dt.time.min, tzinfo=dt.UTC), end


# The fast path for a valid request: the serializers' checks re-read from their own fields, for
# the field kinds that need no more than a type and a range or a set of choices. DRF copies
# every field anew for each serializer it builds, which cost a generation request about a
# tenth of what is not generation (issue 11). Anything the fast path does not take (a missing
# required field, an unknown one, a date, a wrong value) goes to the serializer, so every error
# body is the serializer's own and the fast path only ever answers what it would have.
Check = Callable[[Any], bool]


def _fast_check(field: serializers.Field) -> Check | None:
    """What the field accepts as sent, or None when only the serializer can tell."""
    if field.validators or field.allow_null:
        return None
    if type(field) is serializers.ChoiceField and not field.allow_blank:
        choices = frozenset(key for key in field.choices if isinstance(key, str))
        return lambda value: type(value) is str and value in choices
    if type(field) is WholeNumberField:
        low, high = field.low, field.high
        return lambda value: type(value) is int and low <= value <= high
    if type(field) is StrictBooleanField:
        return lambda value: type(value) is bool
    return None


@dataclass(frozen=True)
class FastField:
    name: str
    check: Check | None  # None: the serializer decides whenever the field is sent
    required: bool
    default: Any  # serializers.empty: none, the field is left out


@cache
def _fast_fields(serializer_class: type[serializers.Serializer]) -> tuple[FastField, ...] | None:
    """The serializer's fields as fast checks; None when the serializer must always decide
    (a validate method, a computed default, or a field it alone checks that is not optional)."""
    serializer = serializer_class()
    if serializer.validators or type(serializer).validate is not serializers.Serializer.validate:
        return None
    fields = []
    for name, field in serializer.fields.items():
        check = _fast_check(field)
        has_default = field.default is not serializers.empty  # empty is a class: callable
        if has_default and callable(field.default):
            return None
        if check is None and (field.required or has_default):
            return None
        if field.read_only or hasattr(serializer_class, f"validate_{name}"):
            return None
        fields.append(FastField(name, check, field.required, field.default))
    return tuple(fields)


def fast_validated(
    serializer_class: type[serializers.Serializer], data: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The serializer's validated data for a request every field of which it takes as sent,
    without building the serializer; None when the serializer must decide."""
    fields = _fast_fields(serializer_class)
    if fields is None:
        return None
    values: dict[str, Any] = {}
    sent = 0
    for field in fields:
        if field.name in data:
            value = data[field.name]
            if field.check is None or not field.check(value):
                return None
            values[field.name] = value
            sent += 1
        elif field.required:
            return None
        elif field.default is not serializers.empty:
            values[field.name] = field.default
    if sent != len(data):
        return None  # a field the serializer does not take
    return values
