"""The import contracts in pyproject.toml name what they hold: every package of the project has a
layer, and every page or API module is kept from the models (docs/architecture.md)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "liaison"
NOT_CODE = {"tests", "templates", "static", "__pycache__"}


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(contract for contract in config["contracts"] if contract["id"] == contract_id)


def _packages() -> set[str]:
    return {
        f"liaison.{path.name}"
        for path in PACKAGE.iterdir()
        if path.is_dir() and path.name not in NOT_CODE and (path / "__init__.py").exists()
    }


def _page_modules() -> set[str]:
    found = set()
    for package in _packages():
        for path in (PACKAGE / package.split(".")[1]).glob("*.py"):
            if path.stem in ("views", "api") or path.stem.endswith(("_views", "_api")):
                found.add(f"{package}.{path.stem}")
    return found


def test_every_package_of_the_project_has_a_layer():
    layers = _contract("layers")["layers"]
    named = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    assert _packages() - named == set()


def test_every_page_and_api_module_is_kept_from_the_models():
    sources = _contract("views-reach-no-models")["source_modules"]
    unlisted = {module for module in _page_modules() if not any(fnmatch(module, pattern) for pattern in sources)}
    assert unlisted == set()
