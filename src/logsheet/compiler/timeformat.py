"""Timestamp formats between engines: logsheet's ``parse timestamp`` step takes a strptime format (what
DuckDB's ``strptime`` reads); Spark and Trino parse with a Java DateTimeFormatter pattern instead.
:func:`java_datetime_pattern` gives the Java pattern that reads the same text."""

from __future__ import annotations

# strptime directive -> (Java DateTimeFormatter pattern, whether it is a number that may be 1 or 2 digits)
_STRPTIME_TO_JAVA: dict[str, tuple[str, bool]] = {
    "Y": ("yyyy", False),
    "y": ("yy", False),
    "m": ("M", True),
    "d": ("d", True),
    "e": ("d", True),
    "H": ("H", True),
    "I": ("h", True),
    "M": ("m", True),
    "S": ("s", True),
    "f": ("SSSSSS", False),
    "p": ("a", False),
    "b": ("MMM", False),
    "h": ("MMM", False),
    "B": ("MMMM", False),
    "a": ("EEE", False),
    "A": ("EEEE", False),
    "j": ("DDD", False),
    "z": ("Z", False),
    "Z": ("z", False),
}
_STRPTIME_SHORTHANDS = {"T": "%H:%M:%S", "D": "%m/%d/%y", "F": "%Y-%m-%d", "R": "%H:%M"}
_JAVA_SAFE_LITERALS = set(" -/:.,_")


def java_datetime_pattern(fmt: str) -> str:
    """A strptime format (``%d/%m/%Y %H:%M:%S``) as a Java datetime pattern (``d/M/yyyy H:m:s``).

    DuckDB's ``%d`` also reads a single digit; a one-letter Java field does the same, except where two
    numbers are written with nothing between them (``%Y%m%d``), which needs fixed widths (``yyyyMMdd``).
    Literal text is quoted; an unknown directive is kept as literal text (it will not parse, as in DuckDB)."""
    for short, full in _STRPTIME_SHORTHANDS.items():
        fmt = fmt.replace("%" + short, full)
    tokens: list[tuple[str, bool] | str] = []  # (java field, variable width) or literal text
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code == "%":
                tokens.append("%")
            elif code in _STRPTIME_TO_JAVA:
                tokens.append(_STRPTIME_TO_JAVA[code])
            else:
                tokens.append(fmt[i : i + 2])
            i += 2
        else:
            tokens.append(fmt[i])
            i += 1
    out: list[str] = []
    literal = ""
    for index, token in enumerate(tokens):
        if isinstance(token, str):
            literal += token
            continue
        if literal:
            out.append(_java_literal(literal))
            literal = ""
        field, variable = token
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if variable and isinstance(following, tuple):
            field = field * 2
        out.append(field)
    if literal:
        out.append(_java_literal(literal))
    return "".join(out)


def _java_literal(text: str) -> str:
    if all(ch in _JAVA_SAFE_LITERALS for ch in text):
        return text
    return "'" + text.replace("'", "''") + "'"
