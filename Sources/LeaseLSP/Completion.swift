import Foundation
import LeaseCore
import LeaseLanguage

/// Completion: fields after `.` (from the checked type of what is before
/// the dot), units after a number or `->`, and otherwise the names in
/// scope, built-ins with their signatures, keywords and units.
extension LanguageServer {
    // CompletionItemKind values.
    enum Kind {
        static let function = 3, field = 5, variable = 6, `class` = 7, module = 9, property = 10, unit = 11
        static let keyword = 14, `struct` = 22, event = 23
    }

    func completion(_ doc: Document, _ offset: Int) -> [String: Any] {
        let a = doc.analysis()
        let bytes = a.file.bytes
        let o = min(max(0, offset), bytes.count)
        let lineStart = a.index.starts[a.index.line(ofByte: o)]
        let before = String(decoding: bytes[lineStart..<o], as: UTF8.self)
        if Self.inCommentOrString(before) { return list([], incomplete: false) }
        let chars = Array(before)
        var i = chars.count
        while i > 0 && Chars.isIdent(chars[i - 1]) { i -= 1 }
        let word = String(chars[i...])
        if word.first?.isNumber == true { return list([], incomplete: false) }
        let wordBytes = word.utf8.count

        // Fields after `.` (not `..`).
        if i > 0 && chars[i - 1] == "." && !(i > 1 && chars[i - 2] == ".") {
            let dot = o - wordBytes - 1
            let items = fields(of: typeBefore(dot: dot, cursor: o, in: a, chain: Self.chain(Array(chars[..<(i - 1)]))), a)
            return list(items.filter { ($0["label"] as? String)?.hasPrefix(word) ?? false }, incomplete: false)
        }
        // Units after a number (`3 `, `1.25B `, `8% `) or after `->` / `to`.
        var j = i
        while j > 0 && chars[j - 1] == " " { j -= 1 }
        let afterNumber: Bool = {
            guard j < i, j > 0, chars[j - 1].isNumber || "kMBT%".contains(chars[j - 1]) else { return false }
            var k = j
            while k > 0 && (chars[k - 1].isNumber || "_.kMBT%".contains(chars[k - 1])) { k -= 1 }
            guard k < j, chars[k..<j].contains(where: \.isNumber) else { return false }
            // Not after a name (`x2 `) or a date (`2026-06-01 `).
            if k > 1 && chars[k - 1] == "-" && chars[k - 2].isNumber { return false }
            return k == 0 || !(chars[k - 1].isLetter || chars[k - 1] == "_")
        }()
        let head = String(chars[..<j])
        let afterArrow = head.hasSuffix("->") || (j < i && (head.hasSuffix(" to") || head == "to"))
        if afterNumber || afterArrow {
            return list(units(prefix: word), incomplete: word.isEmpty)
        }

        var items: [[String: Any]] = []
        var seen = Set<String>()
        func add(_ label: String, _ kind: Int, detail: String?, doc: String? = nil) {
            guard label.hasPrefix(word), seen.insert(label).inserted else { return }
            var item: [String: Any] = ["label": label, "kind": kind]
            if let detail { item["detail"] = detail }
            if let doc { item["documentation"] = doc }
            items.append(item)
        }
        // Parameters in scope first: a function's, a run's scenario's.
        let decls = workspace.declarations(a)
        if let s = a.statement(at: o), case .fn(_, _, let params, let body) = s.kind, Tree.contains(body.span, o) {
            for p in params { add(p.name, Kind.variable, detail: "parameter") }
        }
        if let s = a.statement(at: o) {
            for v in solveVariables(at: o, in: s, a).reversed() {
                add(v.name, Kind.variable, detail: "unknown of solve" + (v.type.map { ": \($0)" } ?? ""))
            }
        }
        if let scenario = runScenario(before: o, in: a), let d = self.scenario(scenario, at: o, decls) {
            for f in d.fields where !["samples", "seed"].contains(f.name) {
                add(f.name, Kind.variable, detail: "parameter of \(scenario)" + (f.value.type.map { ": \($0)" } ?? ""))
            }
        }
        for d in decls.reversed() where d.position < o || d.position == 0 && d.nameSpan.file !== a.file {
            switch d.kind {
            case .value, .parameter, .scenarioParameter, .row: add(d.name, Kind.variable, detail: d.type?.description)
            case .function: add(d.name, Kind.function, detail: "fn \(d.name)(\(d.params.joined(separator: ", ")))")
            case .cluster: add(d.name, Kind.struct, detail: "cluster")
            case .contract: add(d.name, Kind.class, detail: d.type?.description ?? "contract")
            case .scenario: add(d.name, Kind.event, detail: "scenario")
            }
        }
        for name in Language.builtinFunctions {
            guard let spec = Builtins.specs[name] else { continue }
            add(name, Kind.function, detail: Self.signature(spec), doc: spec.summary)
        }
        // `solve` and `in` are keywords only in `solve x in a .. b: lhs == rhs`.
        for k in Language.keywords { add(k, Kind.keyword, detail: "keyword") }
        if !word.isEmpty {
            for u in units(prefix: word) {
                if let label = u["label"] as? String, label.first?.isLetter == true, label.count > 1 {
                    add(label, Kind.unit, detail: u["detail"] as? String)
                }
            }
        }
        return list(items, incomplete: word.isEmpty)
    }

    private func list(_ items: [[String: Any]], incomplete: Bool) -> [String: Any] {
        ["isIncomplete": incomplete, "items": items]
    }

    /// Every unit name starting with the prefix, with its dimension.
    func units(prefix: String) -> [[String: Any]] {
        Language.unitNames.filter { $0.hasPrefix(prefix) && $0 != "%" }.map { name in
            let dim = Units.index(name).map { Units.all[$0].dimension }
            let detail = dim.map { $0.isNone ? "number" : "\($0)" } ?? "unit"
            // Units of time, power and gpus before the ISO currency codes.
            let currency = dim.map { "\($0)" == name } ?? false
            return ["label": name, "kind": Kind.unit, "detail": detail, "sortText": (currency ? "2" : "1") + name]
        }
    }

    /// Is the end of this line's text inside a comment or a string (outside its `{…}`)?
    static func inCommentOrString(_ line: String) -> Bool {
        // Contexts: a string, or code (-1 at the top, else the brace depth of an interpolation).
        enum Context { case string, code(Int) }
        var stack: [Context] = [.code(-1)]
        let cs = Array(line)
        var i = 0
        while i < cs.count {
            let c = cs[i]
            switch stack.last ?? .code(-1) {
            case .string:
                if c == "\\" { i += 1 }
                else if c == "\"" { stack.removeLast() }
                else if c == "{" {
                    if i + 1 < cs.count && cs[i + 1] == "{" { i += 1 } else { stack.append(.code(1)) }
                }
            case .code(let depth):
                if c == "#" { return true }
                if c == "\"" { stack.append(.string) }
                else if depth > 0 && c == "{" { stack[stack.count - 1] = .code(depth + 1) }
                else if depth > 0 && c == "}" {
                    if depth == 1 { stack.removeLast() } else { stack[stack.count - 1] = .code(depth - 1) }
                }
            }
            i += 1
        }
        if case .string = stack.last ?? .code(-1) { return true }
        return false
    }

    /// The name chain right before a dot: `anthropic`, `r.npv8`, `c.cluster`.
    static func chain(_ chars: [Character]) -> String {
        var k = chars.count
        while k > 0 && (Chars.isIdent(chars[k - 1]) || chars[k - 1] == ".") { k -= 1 }
        let s = String(chars[k...])
        guard let first = s.first, first.isLetter || first == "_" else { return "" }
        return s
    }

    /// The checked type of the expression that ends at a dot: the text is
    /// checked again without the dot and what follows it on the word, and
    /// the smallest expression ending there gives the type. If that part
    /// does not check, a typed occurrence of the same name chain elsewhere does.
    func typeBefore(dot: Int, cursor: Int, in a: Analyzed, chain: String) -> LType? {
        let bytes = a.file.bytes
        guard dot >= 0, dot <= cursor, cursor <= bytes.count else { return nil }
        var edited = Array(bytes[..<dot])
        edited.append(contentsOf: bytes[cursor...])
        let b = Analyzed.run(SourceFile(name: a.file.name, text: String(decoding: edited, as: UTF8.self)))
        var best: Expr?
        b.allExpressions { e in
            guard e.span.file === b.file, e.span.end == dot, let t = e.type, !t.isAny else { return }
            if let x = best, x.span.end - x.span.start <= e.span.end - e.span.start { return }
            best = e
        }
        if let t = best?.type { return t }
        guard !chain.isEmpty else { return nil }
        for analysis in [b, a] {
            var found: LType?
            analysis.allExpressions { e in
                guard found == nil, let t = e.type, !t.isAny, e.span.file.slice(e.span) == chain else { return }
                found = t
            }
            if let found { return found }
        }
        if !chain.contains("."), let d = resolve(chain, at: dot, in: a, declarations: workspace.declarations(a)) {
            return d.type
        }
        return nil
    }

    /// The fields a value of this type answers, with their types where known.
    func fields(of type: LType?, _ a: Analyzed) -> [[String: Any]] {
        guard let type else { return [] }
        func item(_ name: String, _ detail: String?) -> [String: Any] {
            var i: [String: Any] = ["label": name, "kind": Kind.field]
            if let detail { i["detail"] = detail }
            return i
        }
        switch type {
        case .record(let fs): return fs.map { item($0.name, $0.type.description) }
        case .list(let t): return fields(of: t, a)
        case .cluster:
            let known: [String: String] = ["name": "string", "owner": "string", "site": "string", "power": "quantity of power",
                                            "gpus": "quantity of gpu", "gpu_model": "string"]
            return Cluster.readableFields.map { item($0, known[$0]) }
        case .contract(let currency):
            var known: [String: String] = ["name": "string", "lessor": "string", "lessee": "string", "cluster": "cluster",
                                           "start": "month", "end": "month or date", "share": "number (shown as %)",
                                           "gpus": "quantity of gpu", "power": "quantity of power", "months": "number",
                                           "notice": "quantity of time", "escalation": "number (shown as %)"]
            if let currency { known["rate"] = "quantity of \(currency)/time" }
            return Contract.readableFields.map { item($0, known[$0]) }
        case .result(let fs):
            let stat = fs.count == 1 ? fs[0].type.description : nil
            var out = ["mean", "sd", "min", "max", "p5", "p50", "p95"].map { item($0, stat) }
            out.insert(item("n", "number"), at: 0)
            if fs.count > 1 { out += fs.map { item($0.name, "run result of \($0.type)") } }
            return out
        default: return []
        }
    }

    /// `run S:` before the offset in the statement being written: the scenario whose parameters are bound there.
    func runScenario(before offset: Int, in a: Analyzed) -> String? {
        let start = a.statement(at: offset)?.span.start ?? a.index.starts[a.index.line(ofByte: offset)]
        let text = String(decoding: a.file.bytes[min(start, offset)..<offset], as: UTF8.self)
        var found: String?
        var rest = Substring(text)
        while let r = rest.range(of: "run ") {
            let before = rest[..<r.lowerBound].last
            rest = rest[r.upperBound...]
            if let b = before, Chars.isIdent(b) { continue }
            let name = rest.drop(while: { $0 == " " }).prefix(while: Chars.isIdent)
            let after = rest.drop(while: { $0 == " " }).dropFirst(name.count).drop(while: { $0 == " " })
            if !name.isEmpty && after.first == ":" { found = String(name) }
        }
        return found
    }
}
