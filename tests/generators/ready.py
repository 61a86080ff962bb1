"""The product types that have 2.0 vocabulary so far: every test over product types uses this.

A vocabulary writer who adds a type adds it here, and every such test then covers it.
"""

READY: tuple[str, ...] = ("ecommerce", "saas", "hardware", "travel", "food_delivery")
