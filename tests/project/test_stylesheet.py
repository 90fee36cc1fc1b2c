"""The stylesheet stays well formed: Vite's build accepts a rule whose closing brace was lost (a bad merge
does that) and silently swallows the rules after it, so the braces are checked here."""

from __future__ import annotations

import re

import pytest

from repo_paths import WEB


def brace_problem(text: str) -> str | None:
    """Where the braces of a stylesheet go wrong, or None. Rules nest only inside at-rules (@media...)."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', text)
    stack: list[bool] = []  # per open block: is it an at-rule?
    for number, line in enumerate(text.splitlines(), 1):
        for ch in line:
            if ch == "{":
                at_rule = line.lstrip().startswith("@")
                if stack and not stack[-1]:
                    return f"line {number}: a rule opened inside a rule (a closing brace lost above?)"
                stack.append(at_rule)
            elif ch == "}":
                if not stack:
                    return f"line {number}: a closing brace with no rule open"
                stack.pop()
    return f"{len(stack)} rule(s) never closed" if stack else None


@pytest.mark.parametrize("name", sorted(p.name for p in (WEB / "src").rglob("*.css")))
def test_every_rule_of_the_stylesheet_is_closed(name: str) -> None:
    (path,) = list((WEB / "src").rglob(name))
    assert brace_problem(path.read_text(encoding="utf-8")) is None


def test_a_lost_brace_is_caught() -> None:
    assert brace_problem(".a {\n  color: red;\n.b {\n  color: blue;\n}\n") == (
        "line 3: a rule opened inside a rule (a closing brace lost above?)"
    )
    assert brace_problem("@media (max-width: 1px) {\n  .a { color: red; }\n}\n") is None
    assert brace_problem(".a { content: '{'; }\n") is None
