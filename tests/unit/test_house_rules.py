"""House rules that keep the library usable without the web layer."""

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "sasci_map"


def test_library_never_imports_dash():
    offenders = []
    for path in LIBRARY.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names
                          if n == "dash" or n.startswith(("dash.", "dash_", "flask"))]
    assert offenders == []
