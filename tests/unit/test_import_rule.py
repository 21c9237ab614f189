"""The import rule of docs/architecture.md holds: `crawler` imports only the parts of `digest`
that the document lists, and `digest` imports neither Scrapy, Twisted nor `crawler`.

The files are parsed, never imported, so every import counts, those inside functions and
under ``if TYPE_CHECKING:`` included. The allowed list is read from the document itself
(between its ``crawler-imports`` markers), so the two cannot drift apart."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
FORBIDDEN_IN_DIGEST = ("scrapy", "scrapy_redis", "twisted", "crawler")

Rule = tuple[str, str | None]  # an allowed name, and the folder it is confined to (or None)


def allowed_crawler_imports(text: str) -> list[Rule]:
    """The list between the markers: each item names one or more `digest...` modules or
    names before its first colon, optionally confined with (from `crawler/...` only)."""
    found = re.search(
        r"<!-- crawler-imports: begin -->\n(.*?)<!-- crawler-imports: end -->", text, re.S
    )
    assert found, "docs/architecture.md has lost its crawler-imports markers"
    rules: list[Rule] = []
    for item in re.findall(r"^- (.*?):", found.group(1), flags=re.M):
        scope = re.search(r"\(from `([^`]+)` only\)", item)
        names = re.findall(r"`(digest(?:\.\w+)*)`", item)
        assert names, f"no `digest...` name in the list item {item!r}"
        rules += [(name, scope.group(1) if scope else None) for name in names]
    return rules


def imported_names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything a module imports, at any depth: `import a.b` gives
    a.b, `from a.b import c` gives a.b.c (a module or a name in it alike)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def covers(allowed: str, name: str) -> bool:
    return name == allowed or name.startswith(allowed + ".")


def test_the_documented_list_names_real_modules() -> None:
    rules = allowed_crawler_imports(ARCHITECTURE.read_text(encoding="utf-8"))
    for name, scope in rules:
        parts = name.split(".")
        # the module is the longest prefix that is a file or a package under digest/
        for end in range(len(parts), 1, -1):
            base = ROOT.joinpath(*parts[:end])
            if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
                break
        else:
            pytest.fail(f"{name} in docs/architecture.md is not a module under digest/")
        if scope:
            assert (ROOT / scope).is_dir(), f"{scope} in docs/architecture.md is not a folder"


def test_crawler_imports_only_what_the_architecture_allows() -> None:
    rules = allowed_crawler_imports(ARCHITECTURE.read_text(encoding="utf-8"))
    files = python_files("crawler")
    assert files
    wrong = []
    for path in files:
        where = path.relative_to(ROOT).as_posix()
        for line, name in imported_names(parse(path)):
            if not covers("digest", name):
                continue
            if not any(
                covers(allowed, name) and (scope is None or where.startswith(scope))
                for allowed, scope in rules
            ):
                wrong.append(f"{where}:{line}: {name}")
    assert not wrong, "crawler imports what docs/architecture.md does not allow:\n" + "\n".join(
        wrong
    )


def test_digest_never_imports_scrapy_twisted_or_crawler() -> None:
    files = python_files("digest")
    assert files
    wrong = [
        f"{path.relative_to(ROOT).as_posix()}:{line}: {name}"
        for path in files
        for line, name in imported_names(parse(path))
        if any(covers(top, name) for top in FORBIDDEN_IN_DIGEST)
    ]
    assert not wrong, "digest imports what it must not:\n" + "\n".join(wrong)


def test_the_checks_see_imports_inside_functions() -> None:
    tree = ast.parse(
        "def f():\n    from digest.extract import extract\n    import scrapy.http\n"
        "from digest import store\n"
    )
    assert sorted(name for _, name in imported_names(tree)) == [
        "digest.extract.extract",
        "digest.store",
        "scrapy.http",
    ]
