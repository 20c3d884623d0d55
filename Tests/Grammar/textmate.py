"""A small TextMate grammar tokenizer, enough for editors/lease.tmLanguage.json.

It follows the rules editors apply (VS Code's vscode-textmate, GitHub's
highlighter): a document is tokenized line by line, each line with its
trailing "\\n"; at each position every pattern of the innermost open rule is
searched and the earliest match wins, a tie going to the rule's `end` and
then to the first pattern listed. Supported: `match`, `begin`/`end`, `name`,
`contentName`, `captures`/`beginCaptures`/`endCaptures` (nested groups give
nested scopes), `patterns`, `include` of `#name`, `$self` and `$base`.

Two regex engines can run it: Python's `re` and, when the `onigurumacffi`
package is installed, Oniguruma itself (the engine of VS Code and TextMate),
so a pattern that only one of them understands shows up as a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class PythonEngine:
    name = "re"

    def compile(self, pattern: str):
        rx = re.compile(pattern)

        class _P:
            def search(self, s: str, pos: int):
                m = rx.search(s, pos)
                if m is None:
                    return None
                return [(m.start(i), m.end(i)) if m.start(i) >= 0 else None for i in range(rx.groups + 1)]

        return _P()


class OnigurumaEngine:
    name = "oniguruma"

    def __init__(self):
        import onigurumacffi  # noqa: F401  (raises ImportError when absent)

        self._onig = onigurumacffi

    def compile(self, pattern: str):
        rx = self._onig.compile(pattern)
        n = rx.number_of_captures()

        class _P:
            def search(self, s: str, pos: int):
                m = rx.search(s, pos)
                if m is None:
                    return None
                out = []
                for i in range(n + 1):
                    if m._begs[i] < 0:  # the group did not take part in the match
                        out.append(None)
                    else:
                        out.append(m.span(i))
                return out

        return _P()


@dataclass
class Rule:
    raw: dict
    match: object = None
    begin: object = None
    end: object = None
    patterns: list = field(default_factory=list)  # raw pattern dicts


class Grammar:
    def __init__(self, data: dict, engine):
        self.data = data
        self.engine = engine
        self.scope = data["scopeName"]
        self._compiled: dict[int, Rule] = {}
        self._flat: dict[int, list] = {}
        self.root = {"patterns": data["patterns"]}

    # -- rules ---------------------------------------------------------------
    def _rule(self, raw: dict) -> Rule:
        key = id(raw)
        r = self._compiled.get(key)
        if r is None:
            r = Rule(raw)
            if "match" in raw:
                r.match = self.engine.compile(raw["match"])
            if "begin" in raw:
                r.begin = self.engine.compile(raw["begin"])
                r.end = self.engine.compile(raw["end"])
            r.patterns = raw.get("patterns", [])
            self._compiled[key] = r
        return r

    def _resolve(self, raw: dict) -> dict:
        inc = raw["include"]
        if inc in ("$self", "$base"):
            return self.root
        if inc.startswith("#"):
            return self.data["repository"][inc[1:]]
        raise ValueError(f"unsupported include {inc!r}")

    def flat_patterns(self, raw: dict) -> list[Rule]:
        """The match/begin rules reachable from `raw`'s patterns, in order."""
        key = id(raw)
        if key in self._flat:
            return self._flat[key]
        out: list[Rule] = []
        seen: set[int] = set()

        def walk(patterns):
            for p in patterns:
                if "include" in p:
                    target = self._resolve(p)
                    if id(target) in seen:
                        continue
                    seen.add(id(target))
                    if "match" in target or "begin" in target:
                        out.append(self._rule(target))
                    else:
                        walk(target.get("patterns", []))
                elif "match" in p or "begin" in p:
                    out.append(self._rule(p))
                else:
                    walk(p.get("patterns", []))

        walk(raw.get("patterns", []))
        self._flat[key] = out
        return out

    # -- tokenizing ----------------------------------------------------------
    def tokenize(self, text: str) -> list[list[tuple[str, ...]]]:
        """Scopes of every character of every line (without the newline)."""
        stack = [(self.root, (self.scope,), None)]  # (raw rule, scopes inside it, compiled end)
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [self._line(line, stack) for line in lines]

    def _line(self, line: str, stack: list) -> list[tuple[str, ...]]:
        s = line + "\n"
        scopes: list[tuple[str, ...] | None] = [None] * len(s)
        pos = 0
        guard = 0
        while pos <= len(line):
            guard += 1
            if guard > 10 * len(s) + 100:
                raise RuntimeError(f"tokenizer loops on line {line!r}")
            raw, inner, end_rx = stack[-1]
            best = None  # (start, order, kind, rule, groups)
            if end_rx is not None:
                g = end_rx.search(s, pos)
                if g is not None:
                    best = (g[0][0], 0, "end", None, g)
            for order, rule in enumerate(self.flat_patterns(raw), start=1):
                rx = rule.match or rule.begin
                g = rx.search(s, pos)
                if g is None:
                    continue
                if best is None or g[0][0] < best[0]:
                    best = (g[0][0], order, "match" if rule.match else "begin", rule, g)
            if best is None:
                for i in range(pos, len(s)):
                    scopes[i] = inner
                break
            start, _, kind, rule, g = best
            for i in range(pos, start):
                scopes[i] = inner
            mend = g[0][1]
            if kind == "end":
                frame_raw = raw
                outer = stack[-2][1] if len(stack) > 1 else inner
                base = outer + ((frame_raw["name"],) if "name" in frame_raw else ())
                self._captures(scopes, g, base, frame_raw.get("endCaptures", frame_raw.get("captures", {})))
                if len(stack) > 1:
                    stack.pop()
                pos = mend
                continue
            if kind == "match":
                base = inner + ((rule.raw["name"],) if "name" in rule.raw else ())
                self._captures(scopes, g, base, rule.raw.get("captures", {}))
                if mend == start:
                    # an empty match changes nothing: step over one character
                    if start < len(s):
                        scopes[start] = scopes[start] or inner
                    pos = start + 1
                else:
                    pos = mend
                continue
            # begin
            base = inner + ((rule.raw["name"],) if "name" in rule.raw else ())
            self._captures(scopes, g, base, rule.raw.get("beginCaptures", rule.raw.get("captures", {})))
            content = base + ((rule.raw["contentName"],) if "contentName" in rule.raw else ())
            stack.append((rule.raw, content, rule.end))
            pos = mend
        return [sc if sc is not None else stack[-1][1] for sc in scopes[: len(line)]]

    @staticmethod
    def _captures(scopes, groups, base, caps):
        start, end = groups[0]
        for i in range(start, end):
            scopes[i] = base
        for key in sorted(caps, key=int):
            name = caps[key].get("name")
            idx = int(key)
            if not name or idx >= len(groups) or groups[idx] is None:
                continue
            a, b = groups[idx]
            for i in range(a, b):
                scopes[i] = scopes[i] + (name,)
