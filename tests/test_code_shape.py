"""Product code stays readable: no function too long or too branchy to follow in one sitting.

The limits are stated in docs/architecture.md ("Keep functions small"). A failure lists each
offender as ``path:line function grade/length`` so the fix starts at the right place.
"""

import ast
from pathlib import Path

from radon.complexity import cc_rank, cc_visit
from radon.visitors import Function

ROOT = Path(__file__).resolve().parent.parent

# Longest function, counted from its ``def`` line to its last line (docstring included).
MAX_LINES = 60
# Radon's cyclomatic complexity grades: A-C pass; D (21-30), E, F fail.
WORST_GRADE = "C"


def product_files() -> list[Path]:
    """The Python that ships: netroots/, plugins/ and tasks.py (not tests/ or bench/)."""
    files = sorted((ROOT / "netroots").rglob("*.py")) + sorted((ROOT / "plugins").rglob("*.py"))
    return [*files, ROOT / "tasks.py"]


def _too_complex(path: str, code: str) -> list[tuple[str, int, str, str]]:
    """(path, line, name, grade) for every function or method graded worse than WORST_GRADE."""
    found = []
    for block in cc_visit(code):  # functions, classes and their methods, as `radon cc` lists them
        grade = cc_rank(block.complexity)
        if isinstance(block, Function) and grade > WORST_GRADE:
            found.append((path, block.lineno, block.fullname, f"{grade} ({block.complexity})"))
    return found


def _too_long(path: str, code: str) -> list[tuple[str, int, str, str]]:
    """(path, line, name, length) for every function, method or inner function over MAX_LINES."""
    found = []
    tree = ast.parse(code)
    for parent in ast.walk(tree):
        for node in ast.iter_child_nodes(parent):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1
            if length > MAX_LINES:
                name = f"{parent.name}.{node.name}" if isinstance(parent, ast.ClassDef) else node.name
                found.append((path, node.lineno, name, f"{length} lines"))
    return found


def offenders() -> list[str]:
    """Every function in product code over the limits, as ``path:line function grade/length``."""
    rows = []
    for file in product_files():
        path = file.relative_to(ROOT).as_posix()
        code = file.read_text(encoding="utf-8")
        for where, line, name, what in _too_complex(path, code) + _too_long(path, code):
            rows.append(f"{where}:{line} {name} {what}")
    return sorted(set(rows))


def test_no_function_in_product_code_is_too_long_or_too_complex() -> None:
    """Split offenders into small functions whose names say what each part does."""
    found = offenders()
    assert not found, (
        f"{len(found)} function(s) over {MAX_LINES} lines or radon grade worse than {WORST_GRADE}:\n" + "\n".join(found)
    )


def test_the_checker_catches_a_long_and_a_branchy_function() -> None:
    """The check itself works: a 70-line function and a 25-branch one are both named."""
    long_body = "\n".join(f"    x{i} = {i}" for i in range(70))
    branches = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(25))
    code = f"def long():\n{long_body}\n\n\ndef branchy(x):\n{branches}\n    return -1\n"
    assert [(line, name) for _, line, name, _ in _too_long("t.py", code)] == [(1, "long")]
    assert [(line, name, grade[0]) for _, line, name, grade in _too_complex("t.py", code)] == [(74, "branchy", "D")]
