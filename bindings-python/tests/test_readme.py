"""The READMEs' Python code is a test: every ```python block under the "### Python" heading of the
repository's README.md, and every ```python block of bindings-python/README.md (the package's page),
runs as its own script (a fresh interpreter, the repository root as working directory, as the
READMEs' "from a clone" reads) and must exit 0.
A block fenced as ```python no_run is only compiled. Each README must hold at least one block
that runs."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import REPO_ROOT

HEADING = "### Python"
# Each README with the heading its Python blocks sit under (None: the whole file).
READMES: list[tuple[Path, str | None]] = [
    (REPO_ROOT / "README.md", HEADING),
    (REPO_ROOT / "bindings-python" / "README.md", None),
]


@dataclass(frozen=True)
class Block:
    source: str  # the README's path from the repository root
    line: int  # 1-based line of the opening fence
    info: str
    code: str

    @property
    def runs(self) -> bool:
        return "no_run" not in self.info.split()[1:]


def python_blocks(text: str, heading: str | None = HEADING, source: str = "README.md") -> list[Block]:
    """The ```python blocks between `heading` and the next heading of level 1-3, or, with no
    heading, every ```python block of the text."""
    lines = text.splitlines()
    if heading is None:
        start = -1
    else:
        try:
            start = next(i for i, line in enumerate(lines) if line.rstrip() == heading)
        except StopIteration:
            return []
    blocks: list[Block] = []
    fence: tuple[int, str, str] | None = None  # (line, fence marker, info)
    body: list[str] = []
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if fence is None:
            if heading is not None and re.match(r"^#{1,3} ", line):
                break
            opening = re.match(r"^(```+|~~~+)\s*(.*)$", line)
            if opening:
                fence, body = (i + 1, opening.group(1), opening.group(2).strip()), []
        elif line.strip() == fence[1]:
            if fence[2].split()[:1] == ["python"]:
                blocks.append(Block(source, fence[0], fence[2], "\n".join(body) + "\n"))
            fence = None
        else:
            body.append(line)
    return blocks


def readme_blocks(path: Path, heading: str | None) -> list[Block]:
    source = path.relative_to(REPO_ROOT).as_posix()
    return python_blocks(path.read_text(encoding="utf-8"), heading, source)


BLOCKS = [b for path, heading in READMES for b in readme_blocks(path, heading)]


@pytest.mark.parametrize(
    ("path", "heading"), READMES, ids=[p.relative_to(REPO_ROOT).as_posix() for p, _ in READMES]
)
def test_the_readme_has_a_python_quickstart(path: Path, heading: str | None) -> None:
    where = f"under a `{heading}` heading" if heading else "anywhere"
    assert any(b.runs for b in readme_blocks(path, heading)), (
        f"{path.relative_to(REPO_ROOT)} has no runnable ```python block {where}"
    )


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{b.source}:{b.line}" for b in BLOCKS])
def test_readme_python_block(block: Block, tmp_path: Path) -> None:
    compile(block.code, f"{block.source}:{block.line}", "exec")
    if not block.runs:
        return
    script = tmp_path / f"readme_{block.line}.py"
    script.write_text(block.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, (
        f"{block.source}:{block.line} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )


def test_the_extractor() -> None:
    text = "\n".join([
        "## Quickstart", "```python", "not this", "```",
        "### Python", "text", "```python", "a = 1", "```",
        "```sh", "echo no", "```",
        "#### Detail", "```python no_run", "b = 2", "```",
        "### Node", "```python", "not this either", "```",
    ])
    blocks = python_blocks(text)
    assert [(b.code, b.runs) for b in blocks] == [("a = 1\n", True), ("b = 2\n", False)]
    assert python_blocks("# Title\n```python\nx\n```\n") == []
    whole = python_blocks("# Title\n```python\nx\n```\n## Usage\n```python no_run\ny\n```\n", None)
    assert [(b.code, b.runs) for b in whole] == [("x\n", True), ("y\n", False)]
