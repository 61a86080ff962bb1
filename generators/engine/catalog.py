"""The choices the newest engine accepts, which the API validates against."""

PRODUCT_TYPES: tuple[str, ...] = (
    "mobile_app",
    "web_app",
    "ecommerce",
    "saas",
    "fintech",
    "healthcare",
    "gaming",
    "hardware",
    "travel",
    "food_delivery",
)

SENTIMENT_MIXES: tuple[str, ...] = ("balanced", "positive", "negative", "mixed")

COMPLEXITY_LEVELS: tuple[str, ...] = ("simple", "medium", "complex")

INTERVIEW_TYPES: tuple[str, ...] = ("user_research", "customer_discovery", "usability", "churn")

# Datasets are new in 2.0.0: there is no 1.0.0 dataset to keep.
DATASET_VERSIONS: tuple[str, ...] = ("2.0.0", "2.1.0", "2.2.0")
