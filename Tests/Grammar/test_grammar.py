"""The TextMate grammar (editors/lease.tmLanguage.json) against every lease script.

Each test runs with Python's `re` and, when `onigurumacffi` is installed,
with Oniguruma, the engine VS Code and GitHub use (see textmate.py).
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import GRAMMAR_PATH, ROOT, is_error_script, lease_files, rel
from textmate import Grammar, OnigurumaEngine, PythonEngine

# Scopes that only contain tokens: a character whose innermost scope is one of
# these was not recognised by any pattern.
CONTAINERS = {
    "source.lease",
    "meta.interpolation.lease",
    "meta.embedded.line.lease",
    "meta.function.declaration.lease",
}


def _engine(name: str):
    if name == "re":
        return PythonEngine()
    try:
        return OnigurumaEngine()
    except ImportError:
        pytest.skip("onigurumacffi is not installed (scripts/test-grammars installs it): "
                    "the grammar ran with Python's re only")


@pytest.fixture(scope="module", params=["re", "oniguruma"])
def grammar(request, grammar_data):
    return Grammar(grammar_data, _engine(request.param))


def scopes_of(g: Grammar, line: str, text: str, nth: int = 0) -> tuple[str, ...]:
    """The scopes of `text` (its nth occurrence, -1: the last) in `line`; every character must share them."""
    scopes = g.tokenize(line + "\n")[0]
    if nth < 0:
        start = line.rindex(text)
    else:
        start = -1
        for _ in range(nth + 1):
            start = line.index(text, start + 1)
    got = {scopes[i] for i in range(start, start + len(text))}
    assert len(got) == 1, f"{text!r} in {line!r} is split across scopes {got}"
    return got.pop()


def leaf(g: Grammar, line: str, text: str, nth: int = 0) -> str:
    return scopes_of(g, line, text, nth)[-1]


# --- every line of every script ----------------------------------------------------

FILES = lease_files()


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_every_character_is_tokenized(grammar, path):
    text = path.read_text(encoding="utf-8")
    problems = []
    for n, (line, scopes) in enumerate(zip(text.split("\n"), grammar.tokenize(text)), start=1):
        for col, ch in enumerate(line, start=1):
            if ch.isspace():
                continue
            sc = scopes[col - 1]
            if sc[0] != "source.lease" or sc[-1] in CONTAINERS:
                problems.append(f"{rel(path)}:{n}:{col}: {ch!r} has only {sc}")
            elif not is_error_script(path) and any(s.startswith("invalid") for s in sc):
                problems.append(f"{rel(path)}:{n}:{col}: {ch!r} is marked {sc[-1]}")
    assert not problems, "\n".join(problems[:20])


def test_no_state_leaks_past_a_script(grammar):
    # A string, comment or interpolation never stays open after its line, so a
    # line appended to any script starts at the top level.
    for path in FILES:
        text = path.read_text(encoding="utf-8").rstrip("\n") + "\n1\n"
        last = grammar.tokenize(text)[-1]
        assert last[0] == ("source.lease", "constant.numeric.lease"), (rel(path), last)


# --- scopes on sample lines ----------------------------------------------------------

KEYWORD_SCOPES = {
    "let": "storage.type.let.lease",
    "fn": "storage.type.function.lease",
    "cluster": "storage.type.cluster.lease",
    "contract": "storage.type.contract.lease",
    "scenario": "storage.type.scenario.lease",
    "fx": "storage.type.fx.lease",
    "use": "keyword.control.import.lease",
    "run": "keyword.control.run.lease",
    "solve": "keyword.control.solve.lease",
    "if": "keyword.control.conditional.lease",
    "then": "keyword.control.conditional.lease",
    "else": "keyword.control.conditional.lease",
    "and": "keyword.operator.logical.lease",
    "or": "keyword.operator.logical.lease",
    "not": "keyword.operator.logical.lease",
    "with": "keyword.operator.with.lease",
    "step": "keyword.operator.step.lease",
    "to": "keyword.operator.conversion.lease",
    "in": "keyword.operator.in.lease",
    "true": "constant.language.boolean.lease",
    "false": "constant.language.boolean.lease",
}


@pytest.mark.parametrize("word", sorted(KEYWORD_SCOPES))
def test_keyword_alone(grammar, word):
    assert leaf(grammar, f"x {word} y", word) == KEYWORD_SCOPES[word]


def test_keywords_in_context(grammar):
    g = grammar
    line = 'if not a and b or c then true else false'
    for w in ["if", "not", "and", "or", "then", "true", "else", "false"]:
        assert leaf(g, line, w) == KEYWORD_SCOPES[w], w
    assert leaf(g, "1 year to days", "to") == "keyword.operator.conversion.lease"
    assert leaf(g, "0% .. 60% step 10%", "step") == "keyword.operator.step.lease"
    assert leaf(g, "total(deal with {rate: $450M / month})", "with") == "keyword.operator.with.lease"
    assert leaf(g, 'use "other.lease"', "use") == "keyword.control.import.lease"
    assert leaf(g, "solve d in 0% .. 100%: f(d) == $40B", "solve") == "keyword.control.solve.lease"
    assert leaf(g, "solve d in 0% .. 100%: f(d) == $40B", "d") == "variable.parameter.lease"
    assert leaf(g, "solve d in 0% .. 100%: f(d) == $40B", "in") == "keyword.operator.in.lease"
    # `true`/`false`/`not` are whole words only
    assert leaf(g, "notice_on + 1", "notice_on") == "variable.other.lease"
    assert leaf(g, "truer", "truer") == "variable.other.lease"


def test_declarations(grammar):
    g = grammar
    assert leaf(g, "cluster colossus1 {", "cluster") == "storage.type.cluster.lease"
    assert leaf(g, "cluster colossus1 {", "colossus1") == "entity.name.type.cluster.lease"
    assert leaf(g, "contract anthropic {", "anthropic") == "entity.name.type.contract.lease"
    assert leaf(g, "scenario mc {", "mc") == "entity.name.type.scenario.lease"
    line = "fn at_rate(c, monthly) = total(c with {rate: monthly / month})"
    assert leaf(g, line, "fn") == "storage.type.function.lease"
    assert leaf(g, line, "at_rate") == "entity.name.function.lease"
    assert leaf(g, line, "c") == "variable.parameter.lease"
    assert leaf(g, line, "monthly") == "variable.parameter.lease"
    assert leaf(g, line, "monthly", 1) == "variable.other.lease"
    assert leaf(g, "let notice_on = 2027-03-01", "notice_on") == "variable.other.definition.lease"
    line = "let r = run early_exit: exposure(anthropic, at: notice_on)"
    assert leaf(g, line, "run") == "keyword.control.run.lease"
    assert leaf(g, line, "early_exit") == "variable.other.scenario.lease"
    assert leaf(g, line, "at") == "entity.other.attribute-name.lease"
    # `cluster` as a field of a contract is a field, not a declaration
    line = '  lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1'
    assert leaf(g, line, "cluster") == "entity.other.attribute-name.lease"
    assert leaf(g, line, "colossus1") == "variable.other.lease"
    assert leaf(g, "anthropic.cluster.site", "cluster") == "variable.other.property.lease"


def test_numbers_and_units(grammar):
    g = grammar
    for text in ["42", "3.5", "1_000_000", "1.5e9", "1e-3", ".5"]:
        assert scopes_of(g, f"x = {text} + 1", text)[1:] == ("constant.numeric.lease",), text
    line = "300k + 1.25B + 2M + 1T"
    for text in ["300", "1.25", "2", "1"]:
        assert leaf(g, line, text) == "constant.numeric.lease"
    assert scopes_of(g, line, "k")[1:] == ("constant.numeric.lease", "keyword.other.unit.suffix.scale.lease")
    assert leaf(g, line, "B") == "keyword.other.unit.suffix.scale.lease"
    assert scopes_of(g, "8% * 2", "%")[1:] == ("constant.numeric.lease", "keyword.other.unit.suffix.percentage.lease")
    assert leaf(g, "0.08 -> %", "%") == "keyword.other.unit.percentage.lease"
    # a unit written after a number
    for line, unit in [("300 MW", "MW"), ("220_000 gpu", "gpu"), ("90 days", "days"), ("3 h + 30 min", "h"),
                       ("3 h + 30 min", "min"), ("1 month -> h", "month"), ("10 gpu * 5 h", "h"),
                       ("3 parsecs", "parsecs"), ("1.5 months", "months")]:
        assert leaf(g, line, unit) == "keyword.other.unit.lease", (line, unit)
    # MW is not a scale suffix: `3MW` is 3 MW
    assert leaf(g, "3MW", "3") == "constant.numeric.lease"
    assert leaf(g, "3MW", "MW") == "keyword.other.unit.lease"
    # units after `->` and in unit expressions
    line = "anthropic.rate / anthropic.gpus -> $/gpu/h"
    assert leaf(g, line, "->") == "keyword.operator.conversion.lease"
    assert leaf(g, line, "$") == "keyword.other.unit.currency.lease"
    assert leaf(g, line, "gpus") == "variable.other.property.lease"
    assert leaf(g, line, "gpu", 1) == "keyword.other.unit.lease"
    assert leaf(g, line, "h", -1) == "keyword.other.unit.lease"
    assert leaf(g, line, "/", 1) == "keyword.operator.arithmetic.lease"
    assert leaf(g, "300 MW * 730.485 h -> MWh", "MWh") == "keyword.other.unit.lease"
    assert leaf(g, "$1.25B / month -> KRW/month", "KRW") == "keyword.other.unit.currency.lease"
    # ISO 4217 codes are units
    for line, code in [("1.87T KRW", "KRW"), ("3 EUR", "EUR"), ("1.5M CHF", "CHF"), ("fx 1 USD = 1500 KRW", "USD")]:
        assert leaf(g, line, code) == "keyword.other.unit.currency.lease", (line, code)
    # a keyword after a number is a keyword, a call is a call
    assert leaf(g, "if n <= 1 then 1 else 2", "then") == "keyword.control.conditional.lease"
    assert leaf(g, "1 < 2 or 1 > 2", "or") == "keyword.operator.logical.lease"
    assert leaf(g, "12 months(c)", "months") == "support.function.builtin.lease"


def test_money(grammar):
    g = grammar
    for text, sign in [("$1.25B", "$"), ("€3M", "€"), ("£10", "£"), ("¥500", "¥"), ("₩1.87T", "₩"),
                       ("$4_166_666.67", "$"), ("$0.5", "$")]:
        sc = scopes_of(g, f"x = {text} * 2", sign)
        assert sc[1:] == ("constant.numeric.money.lease", "keyword.other.unit.currency.lease"), text
        digits = text[1:].rstrip("kMBT")
        assert scopes_of(g, f"x = {text} * 2", digits)[1:] == ("constant.numeric.money.lease",), text
    assert scopes_of(g, "$1.25B", "B")[1:] == ("constant.numeric.money.lease", "keyword.other.unit.suffix.scale.lease")
    assert leaf(g, "-$1.25B", "-") == "keyword.operator.arithmetic.lease"
    assert leaf(g, "$8%", "%") == "invalid.illegal.money-percentage.lease"
    assert leaf(g, "(€1M -> USD) + $1M", "USD") == "keyword.other.unit.currency.lease"


def test_dates(grammar):
    g = grammar
    assert leaf(g, "start: 2026-05", "2026-05") == "constant.other.date.month.lease"
    assert leaf(g, "exposure(c, at: 2026-09-01)", "2026-09-01") == "constant.other.date.day.lease"
    line = "2026-05 .. 2026-08"
    assert leaf(g, line, "2026-05") == "constant.other.date.month.lease"
    assert leaf(g, line, "..") == "keyword.operator.range.lease"
    assert leaf(g, line, "2026-08") == "constant.other.date.month.lease"
    assert leaf(g, "2026-05..2026-08", "2026-08") == "constant.other.date.month.lease"
    assert leaf(g, "[2026-05: 50%, 2026-06: 50%]", "2026-06") == "constant.other.date.month.lease"
    assert leaf(g, "2026-08-18 - 2026-05-20", "2026-05-20") == "constant.other.date.day.lease"
    # with spaces it is a subtraction
    line = "2026 - 05"
    assert leaf(g, line, "2026") == "constant.numeric.lease"
    assert leaf(g, line, "-") == "keyword.operator.arithmetic.lease"
    assert leaf(g, line, "05") == "constant.numeric.lease"
    # the shape of a date that is not one
    assert leaf(g, "2026-13", "2026-13") == "invalid.illegal.date.lease"
    assert leaf(g, "2026-05-40", "2026-05-40") == "invalid.illegal.date.lease"
    # a day then more of a name is a month then a subtraction, as the lexer reads it
    assert leaf(g, "2026-05-20x", "2026-05") == "constant.other.date.month.lease"


def test_strings_and_interpolation(grammar):
    g = grammar
    line = '"total: {total(anthropic)}"   # expect: total: $45B'
    assert scopes_of(g, line, '"')[1:] == ("string.quoted.double.lease", "punctuation.definition.string.begin.lease")
    assert scopes_of(g, line, "total: ")[1:] == ("string.quoted.double.lease",)
    assert scopes_of(g, line, "{")[1:] == ("string.quoted.double.lease", "meta.interpolation.lease",
                                           "punctuation.section.interpolation.begin.lease")
    assert scopes_of(g, line, "total", 1)[1:] == ("string.quoted.double.lease", "meta.interpolation.lease",
                                                  "meta.embedded.line.lease", "support.function.builtin.lease")
    assert leaf(g, line, "anthropic") == "variable.other.lease"
    assert leaf(g, line, "}") == "punctuation.section.interpolation.end.lease"
    assert leaf(g, line, '"', 1) == "punctuation.definition.string.end.lease"
    assert leaf(g, line, "#") == "punctuation.definition.comment.lease"
    # nested braces and strings inside an interpolation
    line = '"{ {a: 1}.a } and {f("x}")} done"'
    assert leaf(g, line, "a") == "entity.other.attribute-name.lease"
    assert leaf(g, line, "}") == "punctuation.section.braces.end.lease"
    assert leaf(g, line, "}", 1) == "punctuation.section.interpolation.end.lease"
    assert leaf(g, line, "and") == "string.quoted.double.lease"
    assert scopes_of(g, line, "x}")[1:4] == ("string.quoted.double.lease", "meta.interpolation.lease",
                                            "meta.embedded.line.lease")
    assert leaf(g, line, "done") == "string.quoted.double.lease"
    # escapes
    for text in [r"\"", r"\\", r"\n", r"\t", r"\{", r"\}"]:
        assert leaf(g, f'"a{text}b"', text) == "constant.character.escape.lease", text
    assert leaf(g, '"{{literal}"', "{{") == "constant.character.escape.brace.lease"
    assert leaf(g, '"{{literal}"', "literal}") == "string.quoted.double.lease"
    assert leaf(g, '"}}"', "}}") == "constant.character.escape.brace.lease"
    assert leaf(g, r'"a\qb"', r"\q") == "invalid.illegal.escape.lease"
    # a comment sign inside a string is text
    assert leaf(g, '"no # comment" + 1', "# comment") == "string.quoted.double.lease"
    # an unterminated string stops at the end of its line
    text = '"abc\n1\n'
    assert g.tokenize(text)[1][0][-1] == "constant.numeric.lease"


def test_comments(grammar):
    g = grammar
    line = "42                      # expect: 42"
    assert leaf(g, line, "#") == "punctuation.definition.comment.lease"
    assert scopes_of(g, line, "expect")[1:] == ("comment.line.number-sign.lease", "keyword.other.expect.lease")
    assert scopes_of(g, line, " 42")[1:] == ("comment.line.number-sign.lease",)
    line = "# a comment with $1B, 2026-05, \"quotes and {braces}"
    assert scopes_of(g, line, " a comment with $1B, 2026-05, \"quotes and {braces}")[1:] == \
        ("comment.line.number-sign.lease",)
    line = "1_000_000   # underscores are only for your eyes    # expect: 1,000,000"
    assert leaf(g, line, "expect") == "keyword.other.expect.lease"
    assert leaf(g, "# expect-error: 2:1 cannot add", "expect-error") == "keyword.other.expect.lease"
    # a comment ends at the end of its line
    assert g.tokenize("# c\n1\n")[1][0][-1] == "constant.numeric.lease"


def test_operators_and_punctuation(grammar):
    g = grammar
    line = "a == b != c <= d >= e < f > g"
    for op in ["==", "!=", "<=", ">=", "<", ">"]:
        assert leaf(g, line, op) == "keyword.operator.comparison.lease", op
    line = "x = 1 + 2 - 3 * 4 / 5 ^ 6"
    assert leaf(g, line, "=") == "keyword.operator.assignment.lease"
    for op in "+-*/^":
        assert leaf(g, line, op) == "keyword.operator.arithmetic.lease", op
    assert leaf(g, "1 .. 5", "..") == "keyword.operator.range.lease"
    assert leaf(g, "1..5", "..") == "keyword.operator.range.lease"
    assert leaf(g, "x -> h", "->") == "keyword.operator.conversion.lease"
    assert leaf(g, "1; 2", ";") == "punctuation.terminator.statement.lease"
    assert leaf(g, "r.p95", ".") == "punctuation.accessor.lease"
    assert leaf(g, "r.p95", "p95") == "variable.other.property.lease"
    assert leaf(g, "f(1, 2)", ",") == "punctuation.separator.comma.lease"
    assert leaf(g, "xs[0]", "[") == "punctuation.section.brackets.begin.lease"
    assert leaf(g, "₩1 + 2 @ 3", "@") == "invalid.illegal.character.lease"
    assert leaf(g, "x = 1 + \\", "\\") == "punctuation.separator.continuation.lease"


def test_calls(grammar):
    g = grammar
    assert leaf(g, "npv(anthropic, 8%)", "npv") == "support.function.builtin.lease"
    assert leaf(g, "month(d)", "month") == "support.function.builtin.lease"
    assert leaf(g, "min (xs)", "min") == "support.function.builtin.lease"
    assert leaf(g, "owed(discount, notice_on)", "owed") == "entity.name.function.call.lease"
    # without parentheses a unit name is a unit and a field name is a field
    assert leaf(g, "30 min + 3 h", "min") == "keyword.other.unit.lease"
    assert leaf(g, "r.min", "min") == "variable.other.property.lease"
    assert leaf(g, "{min: 1}", "min") == "entity.other.attribute-name.lease"


# --- the grammar stays in step with the language -----------------------------------

def _grammar_words(data: dict, key: str) -> set[str]:
    """Words of the alternations in repository[key] (builtins, units)."""
    words = set()
    for p in data["repository"][key]["patterns"]:
        for alt in re.findall(r"\(\?:([A-Za-z0-9_|]+)\)", p["match"]):
            words.update(alt.split("|"))
    return words


def _swift(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def test_builtins_match_the_interpreter(grammar_data):
    src = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "Sources").rglob("*.swift")))
    names = set(re.findall(r'Spec\(name: "([A-Za-z_0-9]+)"', src))
    assert len(names) > 30, "no builtin specs (`Spec(name: ...)`) found under Sources/"
    missing = names - _grammar_words(grammar_data, "call")
    assert not missing, (f"built-ins {sorted(missing)} are not highlighted: add them to the `call` "
                         "pattern of editors/lease.tmLanguage.json (and its copy in editors/vscode/syntaxes), "
                         "to editors/vim/syntax/lease.vim and to jupyter/lease_kernel/lexer.py")


def test_keywords_match_the_lexer():
    src = _swift("Sources/LeaseLanguage/Token.swift")
    block = src[src.index("enum Keyword"):]
    block = block[: block.index("}")]
    words = set(re.findall(r"`?([a-z]+)`?", block.split("{", 1)[1].replace("case", " ")))
    assert "let" in words and "cluster" in words
    missing = words - set(KEYWORD_SCOPES)
    assert not missing, f"keywords {sorted(missing)} of the lexer are not highlighted"


def test_units_match_the_language(grammar_data):
    src = _swift("Sources/LeaseCore/Unit.swift")
    names = set(re.findall(r'symbol: "([A-Za-z_]+)"', src)) | set(re.findall(r'plural: "([A-Za-z_]+)"', src))
    aliases = src[src.index("let aliases"):]
    aliases = aliases[: aliases.index("]")]
    names |= set(re.findall(r'"([A-Za-z_]+)": "', aliases))
    assert {"MW", "gpu", "days", "h"} <= names
    missing = names - _grammar_words(grammar_data, "unit")
    assert not missing, f"units {sorted(missing)} are not highlighted (repository.unit)"
    cur = _swift("Sources/LeaseCore/Currency.swift")
    block = cur[cur.index("codes: [String] = [") + 20:]
    codes = set(re.findall(r'"([A-Z]{3})"', block[: block.index("]")]))
    assert len(codes) > 100
    missing = codes - _grammar_words(grammar_data, "unit")
    assert not missing, f"currency codes {sorted(missing)} are not highlighted (repository.unit)"


# --- the VS Code extension folder -----------------------------------------------------

def test_vscode_extension():
    folder = ROOT / "editors" / "vscode"
    pkg = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    (lang,) = pkg["contributes"]["languages"]
    assert lang["id"] == "lease" and ".lease" in lang["extensions"]
    config = json.loads((folder / lang["configuration"]).read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#"
    assert ["{", "}"] in config["brackets"] and ["[", "]"] in config["brackets"] and ["(", ")"] in config["brackets"]
    pairs = {(p["open"], p["close"]) for p in config["autoClosingPairs"]}
    assert {("{", "}"), ("[", "]"), ("(", ")"), ('"', '"')} <= pairs
    grammars = pkg["contributes"]["grammars"]
    (gram,) = [g for g in grammars if g.get("language") == "lease"]
    assert gram["scopeName"] == "source.lease"
    for g in grammars:
        assert (folder / g["path"]).is_file(), g["path"]
    copy = folder / gram["path"]
    assert copy.read_bytes() == GRAMMAR_PATH.read_bytes(), \
        f"{copy.relative_to(ROOT)} must be an exact copy of editors/lease.tmLanguage.json: cp one over the other"
    data = json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))
    assert data["scopeName"] == "source.lease"


def _regexes(node):
    if isinstance(node, dict):
        for key in ("match", "begin", "end", "while"):
            if key in node:
                yield node[key]
        for value in node.values():
            yield from _regexes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _regexes(value)


def test_markdown_injection_compiles_in_oniguruma():
    """```lease blocks in Markdown: the injection grammar's patterns (with \\G, for Oniguruma only)."""
    path = ROOT / "editors" / "vscode" / "syntaxes" / "lease.markdown.tmLanguage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["injectionSelector"] == "L:text.html.markdown"
    assert '"include": "source.lease"' in path.read_text(encoding="utf-8")
    engine = _engine("oniguruma")
    patterns = list(_regexes(data))
    assert len(patterns) == 4
    for p in patterns:
        engine.compile(p)
    fence = engine.compile(data["repository"]["lease-code-block"]["begin"])
    assert fence.search("```lease\n", 0) is not None
    assert fence.search("~~~ lease {.numberLines}\n", 0) is not None
    assert fence.search("```leases\n", 0) is None


def test_every_pattern_compiles_in_both_engines(grammar_data):
    patterns = list(_regexes(grammar_data))
    assert len(patterns) > 50
    for engine in (PythonEngine(), _engine("oniguruma")):
        for p in patterns:
            engine.compile(p)


def test_agrees_with_another_tokenizer(grammar_data, tmp_path):
    """babi's TextMate engine (Oniguruma) gives every character the same scopes as textmate.py."""
    try:
        from babi.highlight import Grammars, highlight_line
    except ImportError:
        pytest.skip("babi is not installed (scripts/test-grammars installs it): no second tokenizer to compare with")
    (tmp_path / "source.lease.json").write_text(GRAMMAR_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    compiler = Grammars(str(tmp_path)).compiler_for_scope("source.lease")
    mine = Grammar(grammar_data, PythonEngine())
    diffs = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        state = compiler.root_state
        for n, (line, scopes) in enumerate(zip(text.split("\n"), mine.tokenize(text)), start=1):
            state, regions = highlight_line(compiler, state, line + "\n", n == 1)
            theirs = [None] * len(line)
            for r in regions:
                for i in range(r.start, min(r.end, len(line))):
                    theirs[i] = tuple(r.scope)
            for i, ch in enumerate(line):
                t = theirs[i]
                # babi keeps a rule's contentName on its end captures; VS Code (vscode-textmate)
                # and textmate.py do not.
                if t and t[-1] == "punctuation.section.interpolation.end.lease":
                    t = tuple(s for s in t if s != "meta.embedded.line.lease")
                if not ch.isspace() and t != scopes[i]:
                    diffs.append(f"{rel(path)}:{n}:{i + 1}: {ch!r} babi {t}, textmate.py {scopes[i]}")
    assert not diffs, "\n".join(diffs[:20])


def test_vim_syntax_has_the_same_words(grammar_data):
    vim = (ROOT / "editors" / "vim" / "syntax" / "lease.vim").read_text(encoding="utf-8")

    def group_words(group):
        found = set()
        for line in vim.splitlines():
            if line.startswith(f"syn match {group} "):
                for alt in re.findall(r"\\%\(([A-Za-z0-9_\\|]+)\\\)", line):
                    found.update(alt.split("\\|"))
        return found

    assert group_words("leaseBuiltin") == _grammar_words(grammar_data, "call")
    assert group_words("leaseUnit") | group_words("leaseCurrencyCode") == _grammar_words(grammar_data, "unit")
    keywords = set()
    for line in vim.splitlines():
        if line.startswith("syn keyword "):
            keywords.update(line.split()[3:])
    assert keywords == set(KEYWORD_SCOPES)
