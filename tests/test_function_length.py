"""No function over 80 lines in reseau/ and devdata/: a longer one is a step of its own
waiting for a name."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["reseau", "devdata"]
LIMIT = 80


def long_functions(folder: Path, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > LIMIT:
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    found.append(f"{where} {node.name}() is {length} lines")
    return found


def test_no_function_over_80_lines():
    offenders = [line for folder in CHECKED for line in long_functions(ROOT / folder)]
    assert offenders == []


def test_the_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{n} = {n}" for n in range(LIMIT))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n")
    (tmp_path / "short.py").write_text("def short():\n    return 1\n")
    assert long_functions(tmp_path, tmp_path) == [f"long.py:1 long() is {LIMIT + 1} lines"]
