"""The product types that have 2.0 vocabulary so far: every test over product types uses this.

A vocabulary writer who adds a type adds it here, and every such test then covers it.
"""

READY: tuple[str, ...] = (
    "ecommerce",
    "saas",
    "hardware",
    "fintech",
    "healthcare",
    "mobile_app",
    "web_app",
    "gaming",
    "travel",
    "food_delivery",
)
