"""The 1.0.0 engine, frozen: kept byte for byte so seeds pinned to it keep their output.

Fix nothing here; a change of output belongs in a new version.
"""

from generators.engine.v1.feedback import generate_feedback
from generators.engine.v1.interviews import generate_interview
from generators.engine.v1.tickets import generate_tickets

__all__ = ["generate_feedback", "generate_interview", "generate_tickets"]
