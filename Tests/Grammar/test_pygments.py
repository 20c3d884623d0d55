"""The Pygments lexer (jupyter/lease_kernel/lexer.py) on every lease script.

The lexer is loaded from its file, so these tests need Pygments but not the
Jupyter kernel or its dependencies.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

pygments = pytest.importorskip("pygments")
from pygments.token import Comment, Error, Keyword, Literal, Name, Number, Operator, Punctuation, String, Text, Whitespace  # noqa: E402

from conftest import GRAMMAR_PATH, ROOT, is_error_script, lease_files, rel  # noqa: E402
from textmate import Grammar, PythonEngine  # noqa: E402

LEXER_PATH = ROOT / "jupyter" / "lease_kernel" / "lexer.py"


@pytest.fixture(scope="module")
def lexer():
    spec = importlib.util.spec_from_file_location("lease_pygments_lexer", LEXER_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.LeaseLexer()


def toks(lexer, text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in lexer.get_tokens(text) if v and not v.isspace()]


def token_of(lexer, line: str, text: str, nth: int = 0):
    """The token type of the token whose text is exactly `text` (its nth occurrence)."""
    found = [t for t, v in toks(lexer, line + "\n") if v == text]
    assert len(found) > nth, f"no token {text!r} in {line!r}: {toks(lexer, line)}"
    return found[nth]


FILES = lease_files()


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_script_lexes_cleanly(lexer, path):
    text = path.read_text(encoding="utf-8")
    tokens = list(lexer.get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in tokens) == text, "the lexer must keep every character"
    errors = [(pos, v) for pos, t, v in tokens if t in Error]
    generic = [(pos, v) for pos, t, v in tokens if t is Text and v.strip()]
    assert not generic, f"untyped text in {rel(path)}: {generic[:5]}"
    if is_error_script(path):
        return
    where = [f"{rel(path)}:{text.count(chr(10), 0, pos) + 1}: {v!r}" for pos, v in errors]
    assert not where, "Error tokens:\n" + "\n".join(where[:20])


def test_error_scripts_show_their_errors(lexer):
    assert token_of(lexer, "₩1 + 2 @ 3", "@") is Error
    assert token_of(lexer, "$8%", "%") is Error
    assert token_of(lexer, "2026-13", "2026-13") is Error
    assert token_of(lexer, "2027-02-30x", "x") is not Error  # a month, minus, a number and a unit


def test_keywords(lexer):
    for w in ["let", "fn", "cluster", "contract", "scenario", "fx"]:
        assert token_of(lexer, f"x {w} y", w) is Keyword.Declaration, w
    for w in ["if", "then", "else", "run", "solve"]:
        assert token_of(lexer, f"x {w} (y)", w) is Keyword, w
    assert token_of(lexer, 'use "other.lease"', "use") is Keyword.Namespace
    for w in ["and", "or", "not", "with", "step", "to", "in"]:
        assert token_of(lexer, f"x {w} y", w) is Operator.Word, w
    assert token_of(lexer, "true or false", "true") is Keyword.Constant
    assert token_of(lexer, "true or false", "false") is Keyword.Constant
    assert token_of(lexer, "notice_on", "notice_on") is Name


def test_declarations_and_names(lexer):
    assert token_of(lexer, "cluster colossus1 {", "colossus1") is Name.Class
    assert token_of(lexer, "contract anthropic {", "anthropic") is Name.Class
    assert token_of(lexer, "scenario mc {", "mc") is Name.Class
    line = "fn at_rate(c, monthly) = total(c with {rate: monthly / month})"
    assert token_of(lexer, line, "at_rate") is Name.Function
    assert token_of(lexer, line, "c") is Name.Variable
    assert token_of(lexer, line, "c", 1) is Name
    assert token_of(lexer, line, "total") is Name.Builtin
    assert token_of(lexer, line, "rate") is Name.Attribute
    assert token_of(lexer, line, "month") is Keyword.Type
    assert token_of(lexer, "let x = 5", "x") is Name.Variable
    line = "let r = run early_exit: owed(discount, notice_on)"
    assert token_of(lexer, line, "early_exit") is Name.Class
    assert token_of(lexer, line, "owed") is Name.Function
    assert token_of(lexer, "  cluster: colossus1", "cluster") is Name.Attribute
    assert token_of(lexer, "r.p95", "p95") is Name.Attribute
    assert token_of(lexer, "month(d) + 1 month", "month") is Name.Builtin
    assert token_of(lexer, "month(d) + 1 month", "month", 1) is Keyword.Type


def test_numbers_money_dates_units(lexer):
    for text in ["42", "1_000_000", "300k", "8%", "2M"]:
        assert token_of(lexer, f"x = {text} * 2", text) is Number.Integer, text
    for text in ["3.5", "1.5e9", "1.25B", ".5"]:
        assert token_of(lexer, f"x = {text} * 2", text) is Number.Float, text
    for text in ["$1.25B", "€3M", "£10", "¥500", "₩1.87T", "$4_166_666.67"]:
        assert token_of(lexer, f"x = {text} * 2", text) is Number, text
    assert token_of(lexer, "start: 2026-05", "2026-05") is Literal.Date
    assert token_of(lexer, "at: 2026-09-01)", "2026-09-01") is Literal.Date
    assert token_of(lexer, "2026-05..2026-08", "2026-08") is Literal.Date
    assert token_of(lexer, "2026 - 05", "2026") is Number.Integer
    for line, unit in [("300 MW", "MW"), ("220_000 gpu", "gpu"), ("90 days", "days"), ("1.87T KRW", "KRW"),
                       ("3 EUR", "EUR"), ("3MW", "MW"), ("3 parsecs", "parsecs")]:
        assert token_of(lexer, line, unit) is Keyword.Type, line
    line = "anthropic.rate / anthropic.gpus -> $/gpu/h"
    assert token_of(lexer, line, "$") is Keyword.Type
    assert token_of(lexer, line, "gpu") is Keyword.Type
    assert token_of(lexer, line, "h") is Keyword.Type
    assert token_of(lexer, line, "->") is Operator
    assert token_of(lexer, "0.08 -> %", "%") is Keyword.Type
    assert token_of(lexer, "if n <= 1 then 1 else 2", "then") is Keyword


def test_strings_and_comments(lexer):
    line = '"total: {total(anthropic)}"   # expect: total: $45B'
    assert token_of(lexer, line, "total: ") is String.Double
    assert token_of(lexer, line, "{") is String.Interpol
    assert token_of(lexer, line, "total") is Name.Builtin
    assert token_of(lexer, line, "}") is String.Interpol
    assert token_of(lexer, line, "# expect:") is Comment.Special
    assert token_of(lexer, line, " total: $45B") is Comment.Single
    assert token_of(lexer, r'"a\"b"', r"\"") is String.Escape
    assert token_of(lexer, '"{{literal}"', "{{") is String.Escape
    assert token_of(lexer, '"{ {a: 1}.a } done"', "}") is Punctuation
    assert token_of(lexer, '"{ {a: 1}.a } done"', "}", 1) is String.Interpol
    assert token_of(lexer, '"{f("x}")} done"', "x") is String.Double
    assert token_of(lexer, '"{f("x}")} done"', "}") is String.Double
    assert token_of(lexer, '"{f("x}")} done"', "}", 1) is String.Interpol
    assert token_of(lexer, '"{f("x}")} done"', " done") is String.Double
    assert token_of(lexer, r'"a\qb"', r"\q") is Error
    assert token_of(lexer, "# just a comment, $1B", " just a comment, $1B") is Comment.Single
    # an unterminated string ends with its line
    assert token_of(lexer, '"abc\n1', "1") is Number.Integer


def test_metadata(lexer):
    assert lexer.name == "lease"
    assert lexer.aliases == ["lease"]
    assert "*.lease" in lexer.filenames


def test_entry_point_is_declared():
    pyproject = ROOT / "jupyter" / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("jupyter/pyproject.toml does not exist yet")
    import tomllib

    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    eps = data.get("project", {}).get("entry-points", {}).get("pygments.lexers", {})
    assert eps.get("lease") == "lease_kernel.lexer:LeaseLexer", \
        'jupyter/pyproject.toml needs [project.entry-points."pygments.lexers"] lease = "lease_kernel.lexer:LeaseLexer"'


def test_registered_when_installed():
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lx = get_lexer_by_name("lease")
    except ClassNotFound:
        pytest.skip("the lease kernel package is not installed in this environment")
    assert type(lx).__name__ == "LeaseLexer"


# --- the same token classes as the TextMate grammar ----------------------------------

def _tm_class(scopes: tuple[str, ...]) -> str:
    s = scopes[1:]
    if any(x.startswith("invalid") for x in s):
        return "error"
    if any(x.startswith("comment") for x in s):
        return "comment"
    if any(x.startswith("string") for x in s) and "meta.embedded.line.lease" not in s:
        if s[-1].startswith("punctuation.section.interpolation"):
            return "interpolation"
        if s[-1].startswith("constant.character.escape"):
            return "escape"
        return "string"
    if s and s[-1].startswith("punctuation.section.interpolation"):
        return "interpolation"
    if "constant.numeric.money.lease" in s:
        return "money"
    if "constant.numeric.lease" in s:
        return "number"
    leaf = s[-1]
    table = [
        ("constant.other.date", "date"),
        ("keyword.other.unit", "unit"),
        ("storage.type", "keyword"),
        ("keyword.control", "keyword"),
        ("constant.language", "keyword"),
        ("keyword.operator", "operator"),
        ("support.function.builtin", "builtin"),
        ("entity.name.function", "function"),
        ("entity.name.type", "type-name"),
        ("variable.other.scenario", "type-name"),
        ("variable.other.definition", "variable"),
        ("variable.parameter", "variable"),
        ("entity.other.attribute-name", "attribute"),
        ("variable.other.property", "attribute"),
        ("variable.other", "name"),
        ("punctuation", "punctuation"),
    ]
    for prefix, cls in table:
        if leaf.startswith(prefix):
            return cls
    return "unknown:" + leaf


def _pyg_class(t) -> str:
    table = [
        (Error, "error"),
        (Comment, "comment"),
        (String.Interpol, "interpolation"),
        (String.Escape, "escape"),
        (String, "string"),
        (Literal.Date, "date"),
        (Number.Integer, "number"),
        (Number.Float, "number"),
        (Number, "money"),
        (Keyword.Type, "unit"),
        (Keyword, "keyword"),
        (Operator, "operator"),
        (Name.Builtin, "builtin"),
        (Name.Function, "function"),
        (Name.Class, "type-name"),
        (Name.Variable, "variable"),
        (Name.Attribute, "attribute"),
        (Name, "name"),
        (Punctuation, "punctuation"),
        (Whitespace, "whitespace"),
    ]
    for tt, cls in table:
        if t in tt:
            return cls
    return f"unknown:{t}"


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_same_classes_as_the_textmate_grammar(lexer, path):
    grammar = Grammar(json.loads(GRAMMAR_PATH.read_text(encoding="utf-8")), PythonEngine())
    text = path.read_text(encoding="utf-8")
    pyg = [None] * len(text)
    for pos, t, v in lexer.get_tokens_unprocessed(text):
        for i in range(pos, pos + len(v)):
            pyg[i] = t
    diffs = []
    offset = 0
    for n, (line, scopes) in enumerate(zip(text.split("\n"), grammar.tokenize(text)), start=1):
        for col, ch in enumerate(line):
            if ch.isspace():
                continue
            t = pyg[offset + col]
            # `# expect:` is one Comment.Special token; both are comments.
            a, b = _tm_class(scopes[col]), _pyg_class(t)
            if a != b:
                diffs.append(f"{rel(path)}:{n}:{col + 1}: {ch!r} TextMate {a} ({scopes[col][-1]}), Pygments {b} ({t})")
        offset += len(line) + 1
    assert not diffs, "\n".join(diffs[:20])


def test_same_word_lists_as_the_textmate_grammar(lexer):
    import re

    data = json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))

    def words(key):
        out = set()
        for p in data["repository"][key]["patterns"]:
            for alt in re.findall(r"\(\?:([A-Za-z0-9_|]+)\)", p["match"]):
                out.update(alt.split("|"))
        return out

    module = sys.modules[type(lexer).__module__]
    assert set(module.BUILTINS) == words("call")
    assert set(module.UNITS) | set(module.CURRENCY_CODES) == words("unit")
