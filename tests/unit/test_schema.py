"""docs/schema.md describes the live schema: every table, view and column, and no more."""

from __future__ import annotations

import re
from pathlib import Path

from digest import store

DOC = (Path(__file__).resolve().parents[2] / "docs" / "schema.md").read_text(encoding="utf-8")


def documented() -> dict[str, set[str]]:
    sections = re.split(r"^### `(\w+)`", DOC, flags=re.M)[1:]
    tables = {}
    for name, body in zip(sections[::2], sections[1::2], strict=True):
        tables[name] = set(re.findall(r"^\| `(\w+)` \|", body, flags=re.M))
    return tables


def test_schema_doc_matches_the_live_schema(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "n.db")
    live = {
        name: {c.name for c in db[name].columns}
        for name in db.table_names() + db.view_names()
        if not name.startswith("_")
        and not (name.startswith("articles_fts") and name != "articles_fts")
    }
    docs = documented()
    docs["articles_fts"] = {"title", "summary", "text"}  # documented in prose
    assert set(docs) == set(live)
    for name, columns in live.items():
        assert docs[name] == columns, name
