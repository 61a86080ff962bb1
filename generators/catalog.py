"""What the engine can generate: the version of its output and the choices it accepts."""

# Bump on any change that alters seeded output; the snapshot test pins this version's text.
GENERATOR_VERSION: str = "1.0.0"

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
