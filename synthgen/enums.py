"""Names for the choice sets request fields share, for the schema (drf-spectacular).

The datasets endpoint takes fewer product types and versions than the others (those with 2.0
vocabulary, from 2.0.0) and its ``satisfaction`` the same four values as ``sentimentMix``;
without names, the schema's shared enums would be renamed by a hash and the deploy check
would warn. Read by settings, so it imports only the engine's plain catalogues.
"""

from generators.engine import VERSIONS
from generators.engine.catalog import DATASET_VERSIONS, PRODUCT_TYPES, SENTIMENT_MIXES
from generators.engine.vocabulary import product_types_with_vocabulary


def enum_names() -> dict[str, list[str]]:
    """Each shared choice set by name; a set equal to another is named once (drf-spectacular
    refuses two names for one set)."""
    names = {
        "ProductTypeEnum": list(PRODUCT_TYPES),
        "GeneratorVersionEnum": list(VERSIONS),
        "SentimentMixEnum": list(SENTIMENT_MIXES),
        # A job's file formats (generators.models.Job.Format, which settings cannot import);
        # a dataset job's ZIP holds CSV or JSON-lines files (generators.jobs_api.FORMATS).
        "FormatEnum": ["jsonl", "csv", "json"],
        "DatasetJobFormatEnum": ["jsonl", "csv"],
    }
    if set(product_types_with_vocabulary()) != set(PRODUCT_TYPES):
        names["DatasetProductTypeEnum"] = list(product_types_with_vocabulary())
    if set(DATASET_VERSIONS) != set(VERSIONS):
        names["DatasetGeneratorVersionEnum"] = list(DATASET_VERSIONS)
    return names
