"""The newest version: the pipeline in this package, one module per stage and per document kind.

Writers (``writers``, ``people``), what is said (``products``, ``content``, ``discourse``),
how (``microplan``, ``realiser``, ``surface``, ``titles``), over the vocabulary in ``vocab/``;
``datasets`` ties them into customers. When a release changes seeded output, the version
before it is frozen into a package of its own (1.0.0 in ``v1/``, 2.0.0 in ``v2/``, 2.1.0 in
``v2_1/``) and this module keeps writing the newest.
"""

from generators.engine.datasets import generate_dataset, part_counts
from generators.engine.feedback import generate_feedback
from generators.engine.interviews import generate_interview
from generators.engine.tickets import generate_tickets

__all__ = [
    "generate_dataset",
    "generate_feedback",
    "generate_interview",
    "generate_tickets",
    "part_counts",
]
