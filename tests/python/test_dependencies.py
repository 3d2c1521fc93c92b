"""Every third-party import and tool is declared in pyproject.toml and pinned in a lock file.

The runtime package (src/segmentation and the dbt Python models that call it) may import
only what `[project.dependencies]` declares; the tests, bench/ and tools/ may also import the
dev extras, and every `.venv/bin/<tool>` that the Makefile or the pre-commit hooks start
must come from a declared distribution. Import names map to distributions through
`importlib.metadata.packages_distributions()`, so a transitive dependency that happens to be
installed does not count as declared.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME_CODE = ("src/segmentation", "models")
DEV_CODE = ("tests/python", "bench", "tools")
# started as `.venv/bin/<name>` or `$(BIN)/<name>`; the interpreter and pip come with the venv
TOOL_CALLERS = {
    "Makefile": r"\$\(BIN\)/([\w.-]+)",
    ".pre-commit-config.yaml": r"\.venv/bin/([\w.-]+)",
}
VENV_OWN = {"python", "pip", canonicalize_name(PYPROJECT["project"]["name"])}


def _requirements(specs: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(req.name): req for req in map(Requirement, specs)}


RUNTIME = _requirements(PYPROJECT["project"]["dependencies"])
DEV = _requirements(PYPROJECT["project"]["optional-dependencies"]["dev"])
# Apache Spark (make run-spark; segmentation.spark and the Spark tests), installed apart
SPARK = _requirements(PYPROJECT["project"]["optional-dependencies"]["spark"])


def _imported_modules(folders: tuple[str, ...]) -> dict[str, set[str]]:
    """Top-level names of absolute imports (and pytest.importorskip) -> files importing them."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                elif (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", None) == "importorskip"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    names = [node.args[0].value]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(path.name)
    return found


def _local_modules(folders: tuple[str, ...]) -> set[str]:
    """Modules that are files of the scanned folders themselves (test helpers, bench scripts)."""
    return {path.stem for folder in folders for path in (REPO_ROOT / folder).glob("*.py")}


def _undeclared(folders: tuple[str, ...], declared: set[str]) -> dict[str, str]:
    """Third-party import name -> why it is not covered by the declared distributions."""
    providers = metadata.packages_distributions()
    own = {PYPROJECT["project"]["name"], *_local_modules(folders)}
    problems = {}
    for module, files in _imported_modules(folders).items():
        if module in sys.stdlib_module_names or module in own:
            continue
        distributions = {canonicalize_name(name) for name in providers.get(module, [])}
        if not distributions:
            problems[module] = f"no installed distribution provides it ({sorted(files)})"
        elif not distributions & declared:
            problems[module] = f"{sorted(distributions)} undeclared ({sorted(files)})"
    return problems


def _installed_executables() -> dict[str, str]:
    """Name of every file a distribution installed into the venv's bin/ -> that distribution."""
    return {
        file.name: canonicalize_name(distribution.metadata["Name"])
        for distribution in metadata.distributions()
        for file in distribution.files or []
        if file.parent.name == "bin"
    }


def _locked(lock: str) -> dict[str, str]:
    """name -> pinned version of a lock file, following its `-r` includes."""
    pins = {}
    for line in (REPO_ROOT / lock).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins |= _locked(line[3:].strip())
        elif "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_runtime_package_imports_only_declared_dependencies():
    assert _undeclared(RUNTIME_CODE, set(RUNTIME) | set(SPARK)) == {}


def test_tests_bench_and_tools_import_only_declared_dependencies():
    assert _undeclared(DEV_CODE, set(RUNTIME) | set(DEV) | set(SPARK)) == {}


@pytest.mark.parametrize("caller", sorted(TOOL_CALLERS))
def test_tools_started_from_the_venv_come_from_declared_distributions(caller):
    text = (REPO_ROOT / caller).read_text(encoding="utf-8")
    tools = set(re.findall(TOOL_CALLERS[caller], text)) - VENV_OWN
    installed = _installed_executables()
    declared = set(RUNTIME) | set(DEV)
    assert tools, f"no .venv tool found in {caller}: has the pattern changed?"
    assert {
        tool: installed.get(tool) for tool in tools if installed.get(tool) not in declared
    } == {}


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [
        (RUNTIME, "requirements.lock"),
        (DEV, "requirements-dev.lock"),
        (SPARK, "requirements-spark.lock"),
    ],
    ids=["runtime", "dev", "spark"],
)
def test_every_declared_dependency_is_pinned_within_its_range(requirements, lock):
    pins = _locked(lock)
    unpinned = sorted(set(requirements) - set(pins))
    outside = {
        name: pins[name]
        for name, requirement in requirements.items()
        if name in pins and Version(pins[name]) not in requirement.specifier
    }
    assert (unpinned, outside) == ([], {})
