"""Shared fixtures for the grammar tests: the repository's files and the lease scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GRAMMAR_PATH = ROOT / "editors" / "lease.tmLanguage.json"


def lease_files() -> list[Path]:
    """Every lease script of the repository: the examples and the script tests."""
    files = sorted((ROOT / "examples").glob("*.lease")) + sorted((ROOT / "Tests" / "Scripts").rglob("*.lease"))
    assert files, "no .lease files found"
    return files


def is_error_script(path: Path) -> bool:
    """Scripts that are lexically wrong on purpose (an `@`, `$8%`, `2026-13`, ...)."""
    return "parse_errors" in path.parts


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture(scope="session")
def grammar_data() -> dict:
    return json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))
