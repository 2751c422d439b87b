"""Every ```python block of docs/*.md runs: each is executed on its own in a fresh folder with
SUPERIONIC_DATA set, so an example that drifts from the code fails here.

A block that cannot run in the suite (it needs a SLURM cluster, minutes of MD ...) carries a
comment ``# doc-test: skip (reason)``; keep those rare and the reason true."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"^[ \t]*```python[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.S | re.M)
SKIP = re.compile(r"#\s*doc-test:\s*skip\s*\((.+?)\)")


def doc_blocks() -> list[tuple[str, int, str]]:
    """(page, block number from 1, code) of every python block under docs/."""
    out = []
    for page in sorted(DOCS.glob("*.md")):
        for k, m in enumerate(BLOCK.finditer(page.read_text(encoding="utf-8")), start=1):
            out.append((page.name, k, textwrap.dedent(m.group(1))))
    return out


BLOCKS = doc_blocks()


def test_the_docs_have_python_examples_and_few_are_skipped() -> None:
    assert len(BLOCKS) >= 4
    skipped = [f"{p}#{k}" for p, k, code in BLOCKS if SKIP.search(code)]
    assert len(skipped) <= max(1, len(BLOCKS) // 4), skipped


@pytest.mark.parametrize(("page", "number", "code"), BLOCKS,
                         ids=[f"{p.removesuffix('.md')}-{k}" for p, k, _ in BLOCKS])
def test_doc_block_runs(page: str, number: int, code: str, tmp_path, monkeypatch,
                        data_dir) -> None:
    reason = SKIP.search(code)
    if reason:
        pytest.skip(f"docs/{page} block {number}: {reason.group(1)}")
    monkeypatch.setenv("SUPERIONIC_DATA", str(data_dir))
    monkeypatch.setenv("SUPERIONIC_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"docs/{page} (python block {number})", "exec"), {"__name__": "__doc__"})
