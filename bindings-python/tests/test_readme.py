"""The main README's Python quickstart is a test: every ```python block under the "### Python"
heading runs as its own script (a fresh interpreter, the repository root as working directory, as
the README's "from a clone" reads) and must exit 0.
A block fenced as ```python no_run is only compiled. The section must hold at least one block
that runs."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import REPO_ROOT

README = REPO_ROOT / "README.md"
HEADING = "### Python"


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    info: str
    code: str

    @property
    def runs(self) -> bool:
        return "no_run" not in self.info.split()[1:]


def python_blocks(text: str) -> list[Block]:
    """The ```python blocks between the "### Python" heading and the next heading of level 1-3."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == HEADING)
    except StopIteration:
        return []
    blocks: list[Block] = []
    fence: tuple[int, str, str] | None = None  # (line, fence marker, info)
    body: list[str] = []
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if fence is None:
            if re.match(r"^#{1,3} ", line):
                break
            opening = re.match(r"^(```+|~~~+)\s*(.*)$", line)
            if opening:
                fence, body = (i + 1, opening.group(1), opening.group(2).strip()), []
        elif line.strip() == fence[1]:
            if fence[2].split()[:1] == ["python"]:
                blocks.append(Block(fence[0], fence[2], "\n".join(body) + "\n"))
            fence = None
        else:
            body.append(line)
    return blocks


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_a_python_quickstart() -> None:
    assert any(b.runs for b in BLOCKS), (
        f"README.md has no runnable ```python block under a `{HEADING}` heading"
    )


@pytest.mark.parametrize("block", BLOCKS, ids=[f"README.md:{b.line}" for b in BLOCKS])
def test_readme_python_block(block: Block, tmp_path: Path) -> None:
    compile(block.code, f"README.md:{block.line}", "exec")
    if not block.runs:
        return
    script = tmp_path / f"readme_{block.line}.py"
    script.write_text(block.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, (
        f"README.md:{block.line} exited {done.returncode}\n"
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
