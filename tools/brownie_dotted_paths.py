"""Lets `brownie run` import scripts from a checkout whose path has a dot in it.

brownie 1.22.2 imports a script by a module name made of its absolute path's folders
joined by dots (/home/jane.doe/src/crowdfund/scripts/deploy.py becomes
`home.jane.doe.src.crowdfund.scripts.deploy`, with "/" on sys.path), so a folder named
`jane.doe` reads as the two packages `jane` and `doe` and the import fails (upstream
issues #1081 and #1281). That code is compiled (mypyc) and cannot be patched in its
Python source, so this finder, consulted only after every other has failed, resolves
such names: a missing package `jane` beside a folder named `jane.doe` becomes a
placeholder, and `jane.doe` under it becomes that folder.

`make setup` copies this file into brownie's environment with a .pth file that imports
it at start.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType


class DottedFolderFinder(MetaPathFinder):
    def __init__(self) -> None:
        # placeholder package name -> the path prefix it stands for ("/home/jane")
        self.prefixes: dict[str, str] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        parent, _, last = fullname.rpartition(".")
        if not parent:
            return None
        if parent in self.prefixes:
            bases = [f"{self.prefixes[parent]}.{last}"]
        else:
            bases = [os.path.join(folder, last) for folder in path or ()]
        for base in bases:
            if os.path.isdir(base):
                return self._package(fullname, [base])
            if os.path.isfile(base + ".py"):
                return importlib.util.spec_from_file_location(fullname, base + ".py")
            folder, name = os.path.split(base)
            try:
                if any(entry.startswith(name + ".") for entry in os.listdir(folder or ".")):
                    self.prefixes[fullname] = base
                    return self._package(fullname, [])
            except OSError:
                continue
        return None

    @staticmethod
    def _package(fullname: str, locations: list[str]) -> ModuleSpec:
        # A namespace package: no loader, only where its submodules live.
        spec = ModuleSpec(fullname, None, is_package=True)
        spec.submodule_search_locations = locations
        return spec


if not any(isinstance(finder, DottedFolderFinder) for finder in sys.meta_path):
    sys.meta_path.append(DottedFolderFinder())
