"""The two node types of a compiled template that subclass built-ins.

They live apart from ``grammar`` because ``generators.engine.native`` compiles ``grammar``
with mypyc, whose native classes cannot subclass ``tuple`` or ``str``: kept here as plain
Python classes, they are the same objects to the compiled code and to pure Python.
"""


class Alt(tuple):
    """Alternatives: one item is picked per realisation."""

    __slots__ = ()


class Slot(str):
    """A reference to a bank or to a per-sentence value, resolved at realisation."""

    __slots__ = ()
