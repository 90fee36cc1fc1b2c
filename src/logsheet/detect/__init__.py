"""Detections: rules that flag rows of a sheet. Sigma rules are read with pySigma and compiled to logsheet's
own IR (:mod:`logsheet.detect.sigma`), so they run on every engine a view runs on."""

from logsheet.detect.sigma import (
    CompiledCorrelation,
    CompiledRule,
    Event,
    LogSource,
    Mapping,
    Refused,
    Window,
    compile_rules,
    evaluate,
    load_mapping,
)

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
