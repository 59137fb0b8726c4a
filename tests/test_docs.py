"""Every example in docs/*.md and README.md runs, one test per block (``file:line``).

- ```` ```python ```` blocks run in a fresh namespace, in a temporary directory; they are
  self-contained and start their own ``Sandbox`` when they need one. A block that
  reads ``BOOMISOAP_REDIS_URL`` gets a throwaway Redis server there.
- ```` ```sh ````, ```` ```console ```` (and ``bash``/``shell``) blocks: each command that
  starts with ``boomisoap `` (or ``$ boomisoap ``) runs through ``bash`` against a sandbox
  seeded with the demo data, with ``BOOMI_ACCOUNT_ID``, ``BOOMI_USERNAME``,
  ``BOOMI_PASSWORD``, ``BOOMI_BASE_URL`` and ``BOOMI_MFT_API_KEY`` pointing at it. Other
  commands (``pip install``, ``./scripts/test``, ``chmod`` ...) and output lines are
  skipped. A command must exit 0 unless it ends with a ``# exit N`` comment. A
  ``boomisoap sandbox serve`` command passes once the server says it is listening.
- ``<!-- docs-test: skip -->`` on the line before a block skips the whole block; only the
  README's Quick start may use it.

Every relative link in those files, and its ``#anchor``, must lead somewhere.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from boomisoap.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
SKIP_MARKER = "<!-- docs-test: skip -->"
PYTHON = {"python", "py", "python3"}
SHELL = {"sh", "console", "bash", "shell"}
DOC_USER, DOC_PASSWORD = "u", "p"
_EXIT = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")


@dataclasses.dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    skipped: bool

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks_of(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = re.match(r"^(\s*)(```+|~~~+)\s*([\w+-]*)", lines[index])
        if fence is None:
            index += 1
            continue
        indent, marks, language = fence.group(1), fence.group(2), fence.group(3).lower()
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(marks):
            line = lines[index]
            body.append(line[len(indent) :] if line.startswith(indent) else line)
            index += 1
        index += 1
        previous = next(
            (lines[i].strip() for i in range(start - 1, -1, -1) if lines[i].strip()), ""
        )
        if language in PYTHON | SHELL:
            yield Block(path, start + 1, language, "\n".join(body) + "\n", previous == SKIP_MARKER)


ALL_BLOCKS = [block for path in doc_files() for block in blocks_of(path)]


def test_the_docs_have_examples() -> None:
    assert any(b.language in PYTHON for b in ALL_BLOCKS)
    assert any(b.language in SHELL for b in ALL_BLOCKS)


def test_only_the_readme_quick_start_is_skipped() -> None:
    skipped = [b for b in ALL_BLOCKS if b.skipped]
    assert all(b.path.name == "README.md" for b in skipped), [b.id for b in skipped]
    assert len(skipped) <= 1


# Shell -----------------------------------------------------------------------------------


def shell_commands(block: Block) -> list[tuple[str, int]]:
    """The boomisoap commands of a block with the exit status each must have."""
    commands: list[tuple[str, int]] = []
    pending = ""
    for raw in block.code.splitlines():
        line = raw.rstrip()
        if block.language == "console":
            if not pending and not line.startswith("$ "):
                continue  # output shown in the example
            line = line[2:] if not pending else line
        line = pending + line.lstrip() if pending else line.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line.startswith("$ "):
            line = line[2:]
        if not line.startswith("boomisoap "):
            continue
        expected = 0
        found = _EXIT.search(line)
        if found is not None:
            expected = int(found.group(1))
            line = line[: found.start()]
        commands.append((line, expected))
    return commands


@pytest.fixture(scope="module")
def demo() -> Iterator[Sandbox]:
    with Sandbox.start(users={DOC_USER: DOC_PASSWORD}, seed_demo=True, rate_limit=None) as sb:
        yield sb


@pytest.fixture(scope="module")
def shell_env(demo: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("docs-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOOMI_", "BOOMISOAP_"))}
    env.update(
        BOOMI_ACCOUNT_ID=demo.account_id,
        BOOMI_USERNAME=DOC_USER,
        BOOMI_PASSWORD=DOC_PASSWORD,
        BOOMI_BASE_URL=demo.base_url,
        BOOMI_MFT_API_KEY=demo.mft_api_key,
        XDG_CONFIG_HOME=str(home / "config"),
        HOME=str(home),
    )
    if shutil.which("boomisoap") is None:
        # Not installed as a script: a shim runs the same entry point.
        shim_dir = home / "bin"
        shim_dir.mkdir()
        shim = shim_dir / "boomisoap"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m boomisoap.cli "$@"\n')
        shim.chmod(0o755)
        env["PATH"] = f"{shim_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_server(command: str, env: dict[str, str], cwd: Path) -> None:
    # Backgrounding is the reader's business; the test listens on a free port instead.
    command = command.rstrip().removesuffix("&").rstrip() + " --port 0"
    with subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            deadline = time.monotonic() + 20
            line = ""
            while time.monotonic() < deadline and "listening" not in line:
                line = server.stdout.readline()
                if not line and server.poll() is not None:
                    break
            assert "listening" in line, f"{command!r} did not start"
        finally:
            server.terminate()
            server.wait(timeout=20)


REDIS_VARIABLE = "BOOMISOAP_REDIS_URL"


@pytest.fixture(scope="module")
def docs_redis() -> Iterator[str]:
    """A throwaway Redis for the examples that read BOOMISOAP_REDIS_URL."""
    from redisserver import redis_server

    with redis_server() as server:
        yield server.url


# Collection ------------------------------------------------------------------------------


# Blocks marked docs-test: skip, and shell blocks with no boomisoap command (installation
# steps), are not collected at all rather than reported as skipped tests.
@pytest.mark.parametrize(
    "block", [b for b in ALL_BLOCKS if b.language in PYTHON and not b.skipped], ids=lambda b: b.id
)
def test_python_example(
    block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.chdir(tmp_path)
    if REDIS_VARIABLE in block.code:
        # Started only for the examples that name it (docs/fleet.md).
        monkeypatch.setenv(REDIS_VARIABLE, request.getfixturevalue("docs_redis"))
    # Padded so that a traceback names the line of the document itself.
    code = compile("\n" * block.line + block.code, str(block.path), "exec")
    exec(code, {"__name__": "__docs__"})


@pytest.mark.parametrize(
    "block",
    [b for b in ALL_BLOCKS if b.language in SHELL and not b.skipped and shell_commands(b)],
    ids=lambda b: b.id,
)
def test_shell_example(block: Block, shell_env: dict[str, str], tmp_path: Path) -> None:
    for command, expected in shell_commands(block):
        if command.startswith("boomisoap sandbox serve"):
            run_server(command, shell_env, tmp_path)
            continue
        done = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {command}"],
            env=shell_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == expected, (
            f"{block.id}: {command!r} exited {done.returncode}, expected {expected}\n"
            f"stdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-2000:]}"
        )


_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _prose(path: Path) -> Iterator[str]:
    """The lines of ``path`` outside code fences."""
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            yield line


def _anchor(heading: str) -> str:
    """GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_anchor(line.lstrip("#")) for line in _prose(path) if re.match(r"^#{1,6} ", line)}


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: p.name)
def test_relative_links_and_anchors_resolve(path: Path) -> None:
    broken = []
    for line in _prose(path):
        for target in _LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # http:, https:, mailto: ...
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            unknown_anchor = bool(anchor) and linked.suffix == ".md"
            if not linked.exists() or (unknown_anchor and anchor not in _anchors(linked)):
                broken.append(target)
    assert not broken, f"{path.name}: links that lead nowhere: {broken}"
