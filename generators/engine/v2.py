"""2.0.0: the pipeline in this package, one module per stage and per document kind.

Writers (``writers``, ``people``), what is said (``products``, ``content``, ``discourse``),
how (``microplan``, ``realiser``, ``surface``, ``titles``), over the vocabulary in ``vocab/``.
When a later release changes seeded output, this version is frozen into a package of its
own, as 1.0.0 is in ``v1/``.
"""

from generators.engine.feedback import generate_feedback
from generators.engine.interviews import generate_interview
from generators.engine.tickets import generate_tickets

__all__ = ["generate_feedback", "generate_interview", "generate_tickets"]
