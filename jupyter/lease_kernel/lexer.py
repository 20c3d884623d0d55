"""Pygments lexer for lease, the language for modelling compute-capacity lease deals.

Registered as the Pygments lexer `lease` (entry point `pygments.lexers`), so
notebooks and nbconvert, Sphinx, MkDocs and `pygmentize` highlight lease code
and ```lease blocks. It reads
the language as its lexer does (the specification's section 1) and uses the
same token classes as the TextMate grammar in editors/lease.tmLanguage.json:

=====================================  ====================================
lease                                  Pygments token
=====================================  ====================================
`# ...`, `# expect:`                   Comment.Single, Comment.Special
`"..."`, `\\"`, `{{`, `{expr}`         String.Double, String.Escape, String.Interpol
`42`, `3.5`, `1.25B`, `8%`             Number.Integer, Number.Float
`$1.25B`, `€3M`, `₩1.87T`              Number
`2026-05`, `2026-05-20`                Literal.Date
`MW`, `days`, `KRW`, `$` in `$/gpu/h`  Keyword.Type
`let fn cluster contract scenario fx`  Keyword.Declaration
`if then else run solve`               Keyword
`use`                                  Keyword.Namespace
`and or not with step to in`           Operator.Word
`true false`                           Keyword.Constant
built-in calls, other calls            Name.Builtin, Name.Function
declared names                         Name.Class, Name.Function, Name.Variable
`field:`, `.field`                     Name.Attribute
anything the lexer rejects             Error
=====================================  ====================================
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, default, include, words
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

__all__ = ["LeaseLexer"]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_NOT_IDENT = r"(?![A-Za-z0-9_])"
_NOT_AFTER_IDENT = r"(?<![A-Za-z0-9_])"
_DIGITS = r"[0-9][0-9_]*"
_NUM = rf"(?:{_DIGITS}(?:\.{_DIGITS})?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
_SCALE = rf"[kMBT]{_NOT_IDENT}"
_SIGNS = "$€£¥₩"

KEYWORDS = ("let", "fn", "cluster", "contract", "scenario", "fx", "use", "run", "if", "then",
            "else", "and", "or", "not", "with", "step", "to", "in", "solve", "true", "false")

#: Built-in functions (Sources/LeaseLanguage/Builtins.swift, and those the
#: language specification names).
BUILTINS = (
    "sum", "mean", "min", "max", "count", "sd", "percentile", "abs", "round", "floor", "ceil",
    "sqrt", "exp", "ln", "year", "month", "day", "days_in_month", "print", "payment", "months",
    "schedule", "total", "paid", "npv", "terminate", "exposure", "remaining", "capacity",
    "contracts", "revenue", "spend", "uniform", "normal", "lognormal", "triangular", "pert",
    "choice", "export", "cashflows", "irr", "xnpv", "xirr", "asc842", "ifrs16", "renew", "plot",
    "assert",
)

#: Unit names (Sources/LeaseCore/Unit.swift), plurals and aliases included.
UNITS = (
    "s", "second", "seconds", "sec", "secs", "min", "mins", "minute", "minutes", "h", "hr", "hrs",
    "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years", "W", "kW",
    "MW", "GW", "Wh", "kWh", "MWh", "GWh", "TWh", "gpu", "gpus", "gpu_h", "gpu_hour", "gpu_hours",
    "percent",
)

#: ISO 4217 codes: every one is a unit (Sources/LeaseCore/Currency.swift).
CURRENCY_CODES = tuple("""
    USD EUR JPY GBP CNY AUD CAD CHF HKD SGD SEK KRW NOK NZD INR MXN TWD ZAR BRL DKK PLN THB ILS IDR
    CZK AED TRY HUF CLP SAR PHP MYR COP RUB RON PEN BHD BGN ARS KWD QAR OMR JOD EGP NGN PKR VND BDT
    KZT UAH MAD KES LKR ISK GHS DZD TND UYU BOB PYG CRC DOP GTQ HNL NIO PAB JMD TTD BSD BBD BZD BMD
    KYD XCD AWG ANG SRD GYD HTG CUP VES AFN ALL AMD AOA AZN BAM BIF BND BTN BWP BYN CDF CVE DJF ERN
    ETB FJD FKP GEL GIP GMD GNF IQD IRR KGS KHR KMF KPW LAK LBP LRD LSL LYD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MZN NAD NPR PGK RSD RWF SBD SCR SDG SHP SLE SOS SSP STN SYP SZL TJS TMT TOP TZS
    UGX UZS VUV WST XAF XOF XPF YER ZMW ZWL
""".split())


def _alt(items) -> str:
    return "(?:" + "|".join(sorted(items, key=lambda w: (-len(w), w))) + ")"


_KW = _alt(KEYWORDS)
_CODES = _alt(CURRENCY_CODES)

# A number with its suffix, and the unit written after it (`300 MW`, `1.87T KRW`).
_NUMBER_WITH_UNIT = (
    rf"{_NOT_AFTER_IDENT}({_NUM}(?:{_SCALE})?%?)"
    rf"(?:([ \t]*)({_CODES}{_NOT_IDENT}|(?!{_KW}{_NOT_IDENT}){_IDENT}(?![A-Za-z0-9_]|[ \t]*[(:])))?"
)


def _number(lexer, match):
    text = match.group(1)
    kind = Number.Float if re.search(r"[.eE]", text) else Number.Integer
    yield match.start(1), kind, text
    if match.group(3):
        if match.group(2):
            yield match.start(2), Whitespace, match.group(2)
        yield match.start(3), Keyword.Type, match.group(3)


class LeaseLexer(RegexLexer):
    """Lexer for lease scripts and REPL input."""

    name = "lease"
    aliases = ["lease"]
    filenames = ["*.lease"]
    mimetypes = ["text/x-lease"]

    tokens = {
        "root": [
            (r"\n", Whitespace),
            include("expression"),
        ],
        "expression": [
            (r"[ \t\r]+", Whitespace),
            (r"\\(?=\n)", Punctuation),  # a backslash joins the next line
            (r"#[ \t]*expect(?:-error)?:", Comment.Special, "comment"),
            (r"#", Comment.Single, "comment"),
            (r'"', String.Double, "string"),
            # dates: a month, a day; any other date of that shape is an error
            (_NOT_AFTER_IDENT + r"[0-9]{4}-(?:0[1-9]|1[0-2])(?![A-Za-z0-9_]|\.[0-9])"
             r"(?:-(?:0[1-9]|[12][0-9]|3[01])" + _NOT_IDENT + r"|(?!-[0-9]{2}" + _NOT_IDENT + "))", Literal.Date),
            (_NOT_AFTER_IDENT + r"[0-9]{4}-[0-9]{2}(?![A-Za-z0-9_]|\.[0-9])(?:-[0-9]{2}" + _NOT_IDENT + ")?", Error),
            # money: a currency sign before a number (never a percentage)
            (_NOT_AFTER_IDENT + rf"([{_SIGNS}]{_NUM}(?:{_SCALE})?)(%)", bygroups(Number, Error)),
            (_NOT_AFTER_IDENT + rf"[{_SIGNS}]{_NUM}(?:{_SCALE})?", Number),
            (_NUMBER_WITH_UNIT, _number),
            # declarations and the names they introduce
            (rf"\b(cluster|contract|scenario)([ \t]+)({_IDENT})", bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (rf"\b(fn)([ \t]+)({_IDENT})([ \t]*)(\()",
             bygroups(Keyword.Declaration, Whitespace, Name.Function, Whitespace, Punctuation), "parameters"),
            (rf"\b(fn)([ \t]+)({_IDENT})", bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (rf"\b(let)([ \t]+)({_IDENT})", bygroups(Keyword.Declaration, Whitespace, Name.Variable)),
            (rf"\b(run)([ \t]+)({_IDENT})", bygroups(Keyword, Whitespace, Name.Class)),
            (rf"\b(solve)([ \t]+)({_IDENT})", bygroups(Keyword, Whitespace, Name.Variable)),
            # a field or argument name before `:`
            (rf"{_IDENT}(?=[ \t]*:)", Name.Attribute),
            (words(("let", "fn", "cluster", "contract", "scenario", "fx"), prefix=r"\b", suffix=r"\b"),
             Keyword.Declaration),
            (words(("use",), prefix=r"\b", suffix=r"\b"), Keyword.Namespace),
            (words(("if", "then", "else", "run", "solve"), prefix=r"\b", suffix=r"\b"), Keyword),
            (words(("and", "or", "not", "with", "step", "to", "in"), prefix=r"\b", suffix=r"\b"), Operator.Word),
            (words(("true", "false"), prefix=r"\b", suffix=r"\b"), Keyword.Constant),
            (words(BUILTINS, prefix=r"\b", suffix=r"(?=[ \t]*\()"), Name.Builtin),
            (rf"{_IDENT}(?=[ \t]*\()", Name.Function),
            (rf"\b{_CODES}\b", Keyword.Type),
            (words(UNITS, prefix=r"\b", suffix=r"\b"), Keyword.Type),
            (_IDENT, Name),
            (r"->|\.\.|==|!=|<=|>=|[-+*/^<>=]", Operator),
            (rf"(\.)([ \t]*)({_IDENT})", bygroups(Punctuation, Whitespace, Name.Attribute)),
            (rf"[{_SIGNS}%]", Keyword.Type),
            (r"[()\[\]{},:;.]", Punctuation),
            (r".", Error),
        ],
        "comment": [
            (r"#[ \t]*expect(?:-error)?:", Comment.Special),
            (r"[^#\n]+", Comment.Single),
            (r"#", Comment.Single),
            default("#pop"),
        ],
        "string": [
            (r'"', String.Double, "#pop"),
            (r'\\["\\nt{}]', String.Escape),
            (r"\\.?", Error),
            (r"\{\{|\}\}", String.Escape),
            (r"\{", String.Interpol, "interpolation"),
            (r'[^"\\{}\n]+', String.Double),
            (r"\}", String.Double),
            default("#pop"),  # a string ends at the end of its line
        ],
        "interpolation": [
            (r"\}", String.Interpol, "#pop"),
            (r"\{", Punctuation, "braces"),
            include("expression"),
            default("#pop"),
        ],
        "braces": [
            (r"\}", Punctuation, "#pop"),
            (r"\{", Punctuation, "braces"),
            include("expression"),
            default("#pop"),
        ],
        "parameters": [
            (r"\)", Punctuation, "#pop"),
            (r"\n", Whitespace),
            (_IDENT, Name.Variable),
            include("expression"),
        ],
    }

    def analyse_text(text):
        # `cluster x {` / `contract x {` at the start of a line, or money and months together
        score = 0.0
        if re.search(r"^(?:cluster|contract|scenario)\s+[A-Za-z_]\w*\s*\{", text, re.M):
            score += 0.3
        if re.search(r"\$[0-9.]+[kMBT]?\s*/\s*month\b", text):
            score += 0.1
        return min(score, 0.5)
