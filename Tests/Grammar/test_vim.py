"""Smoke test of editors/vim: filetype detection and syntax groups, in a headless Vim."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, is_error_script, lease_files, rel

VIM = shutil.which("vim")
pytestmark = pytest.mark.skipif(
    VIM is None, reason="vim is not installed (apt-get install -y vim-nox): the Vim syntax file was not checked")

ERROR_GROUPS = {"leaseError", "leaseDateError", "leaseBadEscape"}

SAMPLES = textwrap.dedent('''\
    cluster colossus1 { power: 300 MW; gpus: 220_000 gpu }
    contract anthropic {
      rate: $1.25B / month   # expect: $1.25B/month
      start: 2026-05; notice_on: 2026-09-01
    }
    let r = run mc: npv(anthropic, 8%) -> $/gpu/h
    "total: {total(anthropic)} {{x}} \\" done"
    if true then 1.87T KRW else 2026 - 05
    fn f(a) = month(a) + 1 month
    2026-13 @
    ''')


def _run_vim(tmp_path: Path, files: list[Path]) -> dict:
    """Open each file in Vim with editors/vim on the runtimepath; return the syntax group of every character."""
    out = tmp_path / "out.json"
    script = tmp_path / "probe.vim"
    script.write_text(textwrap.dedent(f'''\
        set nocompatible encoding=utf-8
        let &runtimepath = {json.dumps(str(ROOT / "editors" / "vim"))} . ',' . &runtimepath
        filetype plugin on
        syntax on
        let result = {{}}
        for f in {json.dumps([str(p) for p in files])}
          execute 'edit ' . fnameescape(f)
          let lines = []
          for lnum in range(1, line('$'))
            let groups = []
            let text = getline(lnum)
            let col = 1
            while col <= strlen(text)
              call add(groups, synIDattr(synID(lnum, col, 1), 'name'))
              let col += strlen(matchstr(text[col - 1:], '^.'))
            endwhile
            call add(lines, groups)
          endfor
          let result[f] = {{'filetype': &filetype, 'syntax': get(b:, 'current_syntax', ''), 'lines': lines,
                \\ 'commentstring': &commentstring, 'errmsg': v:errmsg}}
        endfor
        call writefile([json_encode(result)], {json.dumps(str(out))})
        qall!
        '''), encoding="utf-8")
    proc = subprocess.run([VIM, "-N", "-u", "NONE", "-i", "NONE", "-n", "-es", "-S", str(script)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert out.exists(), f"vim wrote nothing (exit {proc.returncode}): {proc.stdout}{proc.stderr}"
    return json.loads(out.read_text(encoding="utf-8"))


def test_samples(tmp_path):
    sample = tmp_path / "sample.lease"
    sample.write_text(SAMPLES, encoding="utf-8")
    result = _run_vim(tmp_path, [sample])[str(sample)]
    assert result["filetype"] == "lease", "ftdetect/lease.vim did not set the filetype"
    assert result["syntax"] == "lease"
    assert result["commentstring"] == "# %s"
    assert result["errmsg"] == "", result["errmsg"]
    lines = SAMPLES.split("\n")

    def group(lnum: int, text: str, nth: int = 0) -> str:
        line = lines[lnum - 1]
        start = -1
        for _ in range(nth + 1):
            start = line.index(text, start + 1)
        col = len(line[:start])  # characters, as the probe counts them
        groups = set(result["lines"][lnum - 1][col:col + len(text)])
        assert len(groups) == 1, (text, groups)
        return groups.pop()

    assert group(1, "cluster") == "leaseDeclaration"
    assert group(1, "colossus1") == "leaseDeclName"
    assert group(1, "300") == "leaseNumber"
    assert group(1, "MW") == "leaseUnit"
    assert group(1, "220_000") == "leaseNumber"
    assert group(1, "gpu", 1) == "leaseUnit"
    assert group(1, "power") == "leaseField"
    assert group(3, "$1.25B") == "leaseMoney"
    assert group(3, "month") == "leaseUnit"
    assert group(3, "# ") == "leaseComment"
    assert group(3, "expect:") == "leaseExpect"
    assert group(4, "2026-05") == "leaseDate"
    assert group(4, "2026-09-01") == "leaseDate"
    assert group(6, "let") == "leaseDeclaration"
    assert group(6, "run") == "leaseStatement"
    assert group(6, "mc") == "leaseScenarioRef"
    assert group(6, "npv") == "leaseBuiltin"
    assert group(6, "8%") == "leaseNumber"
    assert group(6, "->") == "leaseOperator"
    assert group(6, "$") == "leaseCurrency"
    assert group(7, "total: ") == "leaseString"
    assert group(7, "{") == "leaseInterpolationDelim"
    assert group(7, "total", 1) == "leaseBuiltin"
    assert group(7, "{{") == "leaseBraceEscape"
    assert group(7, '\\"') == "leaseEscape"
    assert group(7, "done") == "leaseString"
    assert group(8, "if") == "leaseConditional"
    assert group(8, "true") == "leaseBoolean"
    assert group(8, "1.87T") == "leaseNumber"
    assert group(8, "KRW") == "leaseCurrencyCode"
    assert group(8, "2026") == "leaseNumber"
    assert group(9, "f", 1) == "leaseFunctionName"
    assert group(9, "month") == "leaseBuiltin"
    assert group(9, "month", 1) == "leaseUnit"
    assert group(10, "2026-13") == "leaseDateError"
    assert group(10, "@") == "leaseError"


def test_no_errors_on_the_scripts(tmp_path):
    files = [p for p in lease_files() if not is_error_script(p)]
    result = _run_vim(tmp_path, files)
    problems = []
    for path in files:
        r = result[str(path)]
        assert r["filetype"] == "lease", rel(path)
        for lnum, groups in enumerate(r["lines"], start=1):
            for col, g in enumerate(groups, start=1):
                if g in ERROR_GROUPS:
                    problems.append(f"{rel(path)}:{lnum}:{col}: {g}")
    assert not problems, "\n".join(problems[:20])
