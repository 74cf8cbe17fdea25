"""Architecture rules that a review might miss: `cases` never imports `liaison`."""

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_cases_never_imports_liaison():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "liaison"
        )
        for path in (ROOT / "cases").rglob("*.py")
    }
    offenders = {path: mods for path, mods in offenders.items() if mods}
    assert offenders == {}


def test_the_rule_would_catch_an_import(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("from liaison.models import LiaisonRecord\nimport liaison.tasks\n")
    assert {"liaison.models", "liaison.tasks"} <= imported_modules(module)


def test_guardian_is_imported_only_by_permission_modules_and_models():
    allowed = {"permissions.py", "models.py", "admin.py"}
    users = [
        str(path.relative_to(ROOT))
        for app in ("cases", "liaison", "beaconport")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and path.name not in allowed
        and path.parent.name != "models"
        and any(m.split(".")[0] == "guardian" for m in imported_modules(path))
    ]
    assert users == []


# The repository stands on its own: its documents say in its own words what a user needs,
# so nothing it holds may send a reader to files that live outside it.
OUTSIDE_POINTERS = ("../shared", "shared/DESIGN", "shared/referral-format", "shared/STYLE")


def outside_pointers(text: str) -> list[str]:
    return [pointer for pointer in OUTSIDE_POINTERS if pointer in text]


SKIPPED_FOLDERS = {
    ".git",
    ".venv",
    "var",
    "node_modules",
    "test-artifacts",
    "__pycache__",
    ".ruff_cache",
    ".pytest_cache",
    "beaconport.egg-info",
}


def tracked_text_files() -> list[Path]:
    """The repository's text files: git's list in a checkout, else every file outside tools."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode == 0:
        candidates = [ROOT / name.decode() for name in listed.stdout.split(b"\0") if name]
    else:  # an exported copy with no .git
        candidates = [
            path
            for path in ROOT.rglob("*")
            if not SKIPPED_FOLDERS.intersection(path.relative_to(ROOT).parts)
        ]
    return [path for path in candidates if path.is_file() and b"\0" not in path.read_bytes()[:4096]]


def test_nothing_in_the_repository_points_outside_it():
    this_file = Path(__file__).resolve()
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in tracked_text_files()
        if path.resolve() != this_file
        and (found := outside_pointers(path.read_text(errors="replace")))
    }
    assert offenders == {}


def test_the_pointer_rule_would_catch_a_link_to_the_design_notes():
    assert outside_pointers("See `../shared/DESIGN.md` for the domain.") == [
        "../shared",
        "shared/DESIGN",
    ]
    assert outside_pointers("See docs/domain.md for the domain.") == []
