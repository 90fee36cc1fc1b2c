"""Detections: rules that flag rows of a sheet. Sigma rules are read with pySigma and compiled to logsheet's
own IR (:mod:`logsheet.detect.sigma`), so they run on every engine a view runs on."""

from logsheet.detect.sigma import CompiledRule, LogSource, Mapping, Refused, compile_rules, load_mapping

__all__ = ["CompiledRule", "LogSource", "Mapping", "Refused", "compile_rules", "load_mapping"]
