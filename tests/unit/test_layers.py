"""The layers import only downward: core, then node and index, then services, then HTTP."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The folders and the packages they install as.
PACKAGES = {"crowdfund": REPO / "crowdfund", "crowdfund_api": REPO / "api"}

WEB = ("fastapi", "starlette", "pydantic", "pydantic_settings")
# (the modules a rule binds, the modules it exempts, what they must not import)
RULES: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    (("crowdfund",), (), ("api", "crowdfund_api")),
    (
        ("crowdfund_api.node", "crowdfund_api.index"),
        (),
        (
            "crowdfund_api.http",
            "crowdfund_api.services",
            "crowdfund_api.gateway",
            "crowdfund_api.settings",
            *WEB,
        ),
    ),
    (("crowdfund_api.node",), (), ("crowdfund_api.index",)),
    (("crowdfund_api.services",), (), ("crowdfund_api.http", *WEB)),
    (
        ("crowdfund", "crowdfund_api"),
        ("crowdfund_api.http", "crowdfund_api.settings"),
        ("pydantic", "pydantic_settings"),
    ),
]


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def modules(packages: dict[str, Path]) -> Iterator[tuple[str, Path, Path]]:
    """Each module's dotted name, its file, and the file as shown (from the repository)."""
    for package, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            yield ".".join((package, *parts)).removesuffix(".__init__"), path, path.relative_to(folder.parent)


def imports(name: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """Every import in module `name`, anywhere in it (in functions, under TYPE_CHECKING), with
    its line and the modules it may name, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, [alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            # `from crowdfund_api import http` imports the module crowdfund_api.http.
            yield from ((node.lineno, [source, f"{source}.{alias.name}"]) for alias in node.names)


def violations(packages: dict[str, Path]) -> list[str]:
    found = set()
    for name, path, shown in modules(packages):
        for bound, exempt, forbidden in RULES:
            if not _within(name, bound) or _within(name, exempt):
                continue
            for line, candidates in imports(name, path):
                hit = next((c for c in candidates if _within(c, forbidden)), None)
                if hit is not None:
                    found.add(f"{name} ({shown}:{line}) imports {hit}")
    return sorted(found)


def test_no_layer_imports_a_layer_above_it() -> None:
    walked = {name for name, _, _ in modules(PACKAGES)}
    assert {"crowdfund.state", "crowdfund_api.node.reads", "crowdfund_api.http.app"} <= walked
    assert violations(PACKAGES) == []


def test_the_check_reports_each_forbidden_import_with_its_module_and_line(tmp_path: Path) -> None:
    files = {
        "crowdfund/__init__.py": "",
        "crowdfund/state.py": "import os\nfrom crowdfund_api.http import app\n",
        "api/__init__.py": "",
        "api/settings.py": "import pydantic_settings\n",
        "api/node/__init__.py": "",
        "api/index/__init__.py": "from ..http import errors\n",
        "api/node/reads.py": "from .types import Block\n\n\ndef f():\n    from ..index import store\n",
        "api/node/types.py": "from .. import http\n",
        "api/services/campaigns.py": "import typing\nfrom pydantic import BaseModel\n",
        "api/http/render.py": "from pydantic import BaseModel\nfrom ..services import types\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)

    found = violations({"crowdfund": tmp_path / "crowdfund", "crowdfund_api": tmp_path / "api"})

    assert found == [
        "crowdfund.state (crowdfund/state.py:2) imports crowdfund_api.http",
        "crowdfund_api.index (api/index/__init__.py:1) imports crowdfund_api.http",
        "crowdfund_api.node.reads (api/node/reads.py:5) imports crowdfund_api.index",
        "crowdfund_api.node.types (api/node/types.py:1) imports crowdfund_api.http",
        "crowdfund_api.services.campaigns (api/services/campaigns.py:2) imports pydantic",
    ]
