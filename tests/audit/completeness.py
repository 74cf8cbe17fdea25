"""Finding write services and whether they audit, by reading their source (no imports).

A service is a public top-level function decorated with `transaction.atomic` in
cases/services/*.py, cases/services.py, cases/linkage/*.py, liaison/services/*.py,
liaison/services*.py or beaconport/accounts/services.py. It
is audited when it calls an `audit_*` function, or a function (a local helper or another
service) that does, directly or further down.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICE_GLOBS = (
    "cases/services/*.py",
    "cases/services.py",
    "liaison/services/*.py",
    "liaison/services*.py",
    "beaconport/accounts/services.py",
    "cases/linkage/*.py",  # the person index (issue 10): decisions, access requests, same person
)


@dataclass(frozen=True)
class Service:
    path: str
    name: str
    module_imports_audit: bool

    @property
    def id(self) -> str:
        return f"{self.path}::{self.name}"


def _name(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return None


def _is_atomic(function: ast.FunctionDef) -> bool:
    return any(_name(decorator) == "atomic" for decorator in function.decorator_list)


def _calls(function: ast.FunctionDef) -> set[str]:
    return {
        name
        for node in ast.walk(function)
        if isinstance(node, ast.Call)
        if (name := _name(node.func))
    }


def _imports_audit(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("beaconport.audit"):
            return True
        if isinstance(node, ast.Import) and any(
            a.name.startswith("beaconport.audit") for a in node.names
        ):
            return True
    return False


def service_files(root: Path = ROOT) -> list[Path]:
    files = {path for pattern in SERVICE_GLOBS for path in root.glob(pattern)}
    return sorted(path for path in files if path.name != "__init__.py")


def scan(files) -> tuple[list[Service], set[str]]:
    """(every service, the names of every function that reaches an audit_* call)."""
    services, calls = [], {}
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        imports_audit = _imports_audit(tree)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                calls.setdefault(node.name, set()).update(_calls(node))
                if _is_atomic(node) and not node.name.startswith("_"):
                    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    services.append(Service(str(rel), node.name, imports_audit))
    audited = {
        name for name, called in calls.items() if any(c.startswith("audit_") for c in called)
    }
    while True:  # a function that calls an audited function is audited
        more = {name for name, called in calls.items() if called & audited} - audited
        if not more:
            return services, audited
        audited |= more
