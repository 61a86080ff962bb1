"""The 2.1.0 engine, frozen: kept byte for byte so seeds pinned to it keep their output.

A copy of the pipeline as 2.1.0 shipped it (its stages, its vocabulary in ``vocab/``), made
when 2.2.0 changed seeded output. Fix nothing here; a change of output belongs in a new
version, written in the modules of ``generators/engine/`` itself. Only the newest version
is compiled (``generators.engine.native``): this one runs as Python.
"""

from generators.engine.v2_1.datasets import generate_dataset, part_counts
from generators.engine.v2_1.feedback import generate_feedback
from generators.engine.v2_1.interviews import generate_interview
from generators.engine.v2_1.tickets import generate_tickets

__all__ = [
    "generate_dataset",
    "generate_feedback",
    "generate_interview",
    "generate_tickets",
    "part_counts",
]
