"""Sigma rules compiled to logsheet's IR: :func:`compile_rules` reads rules (:mod:`.load`), picks the rules
whose log source a sheet format covers (:mod:`.logsources`) and turns each detection into one
:data:`~logsheet.core.ir.Predicate` (:mod:`.compile`); a rule that cannot be read or compiled becomes a
:class:`Refused` with its reason, and the others still compile."""

from logsheet.detect.sigma.correlation import CompiledCorrelation, Event, Window, evaluate
from logsheet.detect.sigma.logsources import LogSource, Mapping, load_mapping
from logsheet.detect.sigma.rules import CompiledRule, Refused, compile_rules

__all__ = [
    "CompiledCorrelation",
    "CompiledRule",
    "Event",
    "LogSource",
    "Mapping",
    "Refused",
    "Window",
    "compile_rules",
    "evaluate",
    "load_mapping",
]
