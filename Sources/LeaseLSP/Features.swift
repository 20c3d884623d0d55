import Foundation
import LeaseCore
import LeaseLanguage

// MARK: - Ranges

extension LineIndex {
    func range(_ start: Int, _ end: Int) -> [String: Any] {
        let a = position(ofByte: start), b = position(ofByte: max(start, end))
        return ["start": ["line": a.line, "character": a.character], "end": ["line": b.line, "character": b.character]]
    }
}

extension LanguageServer {
    /// A span's range, with the line index of the file it is in.
    func range(_ span: Span, _ own: Analyzed) -> [String: Any] {
        let index = span.file === own.file ? own.index : LineIndex(span.file.bytes)
        return index.range(span.start, span.end)
    }

    func location(_ span: Span, _ own: Analyzed) -> [String: Any] {
        ["uri": workspace.uri(for: span.file), "range": range(span, own)]
    }

    // MARK: - Diagnostics

    /// The checker's errors and warnings. One found in a `use`d file is
    /// shown on the `use` that brings it in, with its own place as related information.
    func diagnostics(_ doc: Document) -> [[String: Any]] {
        let a = doc.analysis()
        var out: [(Int, [String: Any])] = []
        for d in a.diagnostics {
            var message = d.message
            if let help = d.help { message += "\nhelp: \(help)" }
            for n in d.notes { message += "\nnote: \(n)" }
            var related: [[String: Any]] = d.labels.map { ["location": location($0.span, a), "message": $0.message] }
            var r: [String: Any]
            var at = 0
            if let span = d.span, span.file === a.file {
                r = a.index.range(span.start, span.end)
                at = span.start
            } else if let span = d.span {
                let (line, column) = span.location
                message = "in \((span.file.name as NSString).lastPathComponent):\(line):\(column): " + message
                related.insert(["location": location(span, a), "message": d.message], at: 0)
                let use = useStatement(leadingTo: span.file.name, in: a)
                r = use.map { a.index.range($0.start, $0.end) } ?? a.index.range(0, 0)
                at = use?.start ?? 0
            } else {
                r = a.index.range(0, 0)
            }
            var item: [String: Any] = ["range": r, "severity": d.severity == .warning ? 2 : 1, "source": "lease", "message": message]
            if !related.isEmpty { item["relatedInformation"] = related }
            out.append((at, item))
        }
        return out.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
    }

    /// The `use` statement of the document that reads `path`, directly or through the files it uses.
    func useStatement(leadingTo path: String, in a: Analyzed) -> Span? {
        let target = Workspace.canonical(path)
        var first: Span?
        for s in a.statements {
            guard case .use(let p, _) = s.kind else { continue }
            if first == nil { first = s.span }
            let full = Workspace.resolve(p, from: a.file)
            if Workspace.canonical(full) == target { return s.span }
            if let inner = workspace.used(full), reaches(inner, target, depth: 0) { return s.span }
        }
        return first
    }

    private func reaches(_ a: Analyzed, _ target: String, depth: Int) -> Bool {
        guard depth < 20 else { return false }
        for s in a.statements {
            guard case .use(let p, _) = s.kind else { continue }
            let full = Workspace.resolve(p, from: a.file)
            if Workspace.canonical(full) == target { return true }
            if let inner = workspace.used(full), reaches(inner, target, depth: depth + 1) { return true }
        }
        return false
    }

    // MARK: - Names

    /// The declaration a name at `offset` refers to: a function's parameter
    /// or a run's scenario parameter when it is inside one, else the latest
    /// declaration before it (the first after it, if none), across `use`d files.
    func resolve(_ name: String, at offset: Int, in a: Analyzed, declarations: [Declaration]) -> Declaration? {
        if let s = a.statement(at: offset) {
            if case .fn(_, _, let params, let body) = s.kind, Tree.contains(body.span, offset),
                let p = params.first(where: { $0.name == name })
            {
                return Declaration(name: name, kind: .parameter, nameSpan: p.span, span: s.span, type: nil, position: s.span.start)
            }
            // Inside `run S: body`, S's parameters are bound.
            var hit: Declaration?
            Tree.visit(a.roots(s)) { e in
                guard hit == nil, case .run(let scenario, _, let body) = e.kind, Tree.contains(body.span, offset) else { return }
                if let decl = declarations.last(where: { $0.kind == .scenario && $0.name == scenario }),
                    let f = decl.fields.first(where: { $0.name == name })
                {
                    hit = Declaration(name: name, kind: .scenarioParameter, nameSpan: f.nameSpan, span: decl.span,
                                      type: f.value.type, value: f.value, position: decl.position)
                }
            }
            if let hit { return hit }
            if let bound = solveVariable(name, at: offset, in: s, a) { return bound }
        }
        let named = declarations.filter { $0.name == name && $0.kind != .scenario }
        return named.last { $0.position < offset } ?? named.first
    }

    /// Inside `solve x in a .. b: lhs == rhs`, `x` is the unknown: the
    /// innermost `solve` binding the name around the offset, typed as its bracket.
    func solveVariable(_ name: String, at offset: Int, in s: Statement, _ a: Analyzed) -> Declaration? {
        var bound: Declaration?
        Tree.visit(a.roots(s)) { e in
            guard case .solve(let v, let vSpan, let from, let to, let lhs, let rhs) = e.kind, v == name,
                Tree.contains(vSpan, offset) || Tree.contains(lhs.span.to(rhs.span), offset)
            else { return }
            // Visited outermost first: an inner `solve` of the same name wins.
            let type = from.type.flatMap { f in to.type.flatMap { f.join($0) } ?? f }
            bound = Declaration(name: name, kind: .parameter, nameSpan: vSpan, span: e.span, type: type, position: e.span.start)
        }
        return bound
    }

    /// The unknowns of the `solve` forms whose equations hold the offset.
    func solveVariables(at offset: Int, in s: Statement, _ a: Analyzed) -> [(name: String, type: LType?)] {
        var out: [(name: String, type: LType?)] = []
        Tree.visit(a.roots(s)) { e in
            guard case .solve(let v, _, let from, _, let lhs, let rhs) = e.kind, Tree.contains(lhs.span.to(rhs.span), offset)
            else { return }
            out.append((v, from.type))
        }
        return out
    }

    func scenario(_ name: String, at offset: Int, _ declarations: [Declaration]) -> Declaration? {
        let named = declarations.filter { $0.name == name && $0.kind == .scenario }
        return named.last { $0.position < offset } ?? named.first
    }

    /// The smallest expression holding the offset, preferring one it is strictly inside.
    func innermost(_ roots: [Expr], _ offset: Int) -> Expr? {
        var best: Expr?
        func better(_ e: Expr, than b: Expr) -> Bool {
            let inside = offset < e.span.end, bInside = offset < b.span.end
            if inside != bInside { return inside }
            return e.span.end - e.span.start <= b.span.end - b.span.start
        }
        Tree.visit(roots) { e in
            guard Tree.contains(e.span, offset) else { return }
            if let b = best, !better(e, than: b) { return }
            best = e
        }
        return best
    }

    // MARK: - Hover

    func hover(_ doc: Document, _ offset: Int) -> [String: Any]? {
        let a = doc.analysis()
        guard let (markdown, span) = hoverText(a, offset) else { return nil }
        return ["contents": ["kind": "markdown", "value": markdown], "range": a.index.range(span.start, span.end)]
    }

    static func code(_ text: String) -> String { "```lease\n" + text + "\n```" }

    /// A declaration's text, cut short when it is long.
    static func excerpt(_ span: Span, lines: Int = 14, chars: Int = 1200) -> String {
        var text = span.file.slice(span)
        var cut = false
        let ls = text.split(separator: "\n", omittingEmptySubsequences: false)
        if ls.count > lines {
            text = ls.prefix(lines).joined(separator: "\n")
            cut = true
        }
        if text.count > chars {
            text = String(text.prefix(chars))
            cut = true
        }
        return cut ? text + "\n…" : text
    }

    private func hoverText(_ a: Analyzed, _ offset: Int) -> (String, Span)? {
        guard let s = a.statement(at: offset) else { return nil }
        let decls = workspace.declarations(a)
        // A declared name.
        if let (name, span) = Tree.declared(s), Tree.contains(span, offset) {
            guard let d = decls.first(where: { $0.nameSpan == span }) else { return nil }
            return (describe(d, typeFromUse: nil, name: name), span)
        }
        if case .fn(let name, _, let params, _) = s.kind, let p = params.first(where: { Tree.contains($0.span, offset) }) {
            return ("parameter `\(p.name)` of `\(name)`", p.span)
        }
        if case .use(let path, let span) = s.kind {
            let full = Workspace.resolve(path, from: a.file)
            let found = workspace.used(full) != nil
            return ("`use` \(Self.code(path))\n\(found ? "reads" : "cannot read") `\(full)`", span)
        }
        // A field written `name: value` (declarations, records, `with`).
        var fields = Tree.fieldInits(a.roots(s))
        switch s.kind {
        case .cluster(_, _, let fs), .contract(_, _, let fs), .scenario(_, _, let fs): fields += fs
        default: break
        }
        if let f = fields.first(where: { Tree.contains($0.nameSpan, offset) && offset < $0.nameSpan.end }) {
            let t = f.value.type ?? typeInContext(f.value, before: s, in: a)
            return ("**\(f.name)**: \(t?.description ?? "not checked")", f.nameSpan)
        }
        guard let e = innermost(a.roots(s), offset) else { return nil }
        let type = (e.type ?? typeInContext(e, before: s, in: a))?.description
        switch e.kind {
        case .call(let name, let span, _) where Tree.contains(span, offset):
            var text: String
            if let spec = Builtins.specs[name] {
                text = Self.code(Self.signature(spec)) + "\n" + spec.summary
            } else if let d = resolve(name, at: offset, in: a, declarations: decls), d.kind == .function {
                text = Self.code(Self.excerpt(d.span))
            } else {
                text = "`\(name)`"
            }
            if let type { text += "\n\n→ \(type)" }
            return (text, span)
        case .field(_, let name, let span) where Tree.contains(span, offset):
            return ("**.\(name)**: \(type ?? "not checked")", span)
        case .run(let name, let span, _) where Tree.contains(span, offset):
            guard let d = scenario(name, at: offset, decls) else { return ("scenario `\(name)`", span) }
            return (describe(d, typeFromUse: nil, name: name), span)
        case .solve(let v, let vSpan, let from, _, _, _) where Tree.contains(vSpan, offset):
            return ("**\(v)**: the unknown of `solve`" + (from.type.map { ": \($0)" } ?? ""), vSpan)
        case .solve where offset < e.span.start + 5:
            let keyword = Span(e.span.file, e.span.start, e.span.start + 5)
            var text = Self.code("solve x in a .. b: lhs == rhs")
                + "\nThe x in [a, b] where lhs − rhs changes sign (Brent's method, to 1e-12 of the bracket; days or months for dates)."
            if let type { text += "\n\n→ \(type)" }
            return (text, keyword)
        case .convert(_, let unit, let span) where Tree.contains(span, offset):
            return ("unit \(Self.code(a.file.slice(span)))\n\(unit.dimension.isNone ? "number" : "\(unit.dimension)")", span)
        case .name(let name):
            if let d = resolve(name, at: offset, in: a, declarations: decls) {
                return (describe(d, typeFromUse: e.type, name: name), e.span)
            }
            return ("**\(name)**: \(type ?? "not checked")", e.span)
        case .unit(let u):
            return ("unit `\(a.file.slice(e.span))`: \(u.dimension.isNone ? "number" : "\(u.dimension)")", e.span)
        default:
            guard let type else { return nil }
            let text = Self.excerpt(e.span, lines: 3, chars: 160)
            return (Self.code(text) + "\n" + type, e.span)
        }
    }

    /// The type of an expression in a statement that did not check (its
    /// expressions carry no types): the expression checked on its own after
    /// the statements before it.
    func typeInContext(_ e: Expr, before s: Statement, in a: Analyzed) -> LType? {
        guard e.span.file === a.file, s.span.file === a.file, e.span.end - e.span.start <= 4000, s.span.start <= e.span.start
        else { return nil }
        var text = Array(a.file.bytes[..<s.span.start])
        text.append(0x0A)
        text.append(contentsOf: a.file.bytes[e.span.start..<e.span.end])
        text.append(0x0A)
        let b = Analyzed.run(SourceFile(name: a.file.name, text: String(decoding: text, as: UTF8.self)))
        guard let last = b.statements.last, last.span.start > s.span.start, case .expr(let x) = last.kind,
            let t = x.type, !t.isAny
        else { return nil }
        return t
    }

    static func signature(_ spec: Builtins.Spec) -> String {
        if spec.variadic { return "\(spec.name)(…)" }
        let ps = spec.params.enumerated().map { $0.offset < spec.required ? $0.element : $0.element + "?" }
        return "\(spec.name)(\(ps.joined(separator: ", ")))"
    }

    /// What a declared name is: its type, and its value or declaration.
    func describe(_ d: Declaration, typeFromUse: LType?, name: String) -> String {
        let type = (typeFromUse.flatMap { $0.isAny ? nil : $0 } ?? d.type)?.description
        switch d.kind {
        case .value:
            var text = "**\(name)**: \(type ?? "not checked")\n" + Self.code(Self.excerpt(d.span))
            if let v = d.value, let value = Self.constantValue(v) { text += "\n= `\(value)`" }
            return text
        case .function:
            return "function **\(name)**\n" + Self.code(Self.excerpt(d.span))
        case .cluster, .contract, .scenario:
            return "\(d.kind.rawValue) **\(name)**" + (type.map { ": \($0)" } ?? "") + "\n" + Self.code(Self.excerpt(d.span))
        case .parameter:
            return "parameter **\(name)**" + (type.map { ": \($0)" } ?? "")
        case .scenarioParameter:
            return "scenario parameter **\(name)**" + (type.map { ": \($0)" } ?? "") + "\n" + Self.code(Self.excerpt(d.nameSpan.to(d.value?.span ?? d.nameSpan)))
        case .row:
            return "**\(name)**" + (type.map { ": \($0)" } ?? "") + "\n" + Self.code(Self.excerpt(d.span))
        }
    }

    /// The value of an expression made of literals and operators only (no
    /// names, calls, ranges or runs), so working it out is instant and safe.
    static func constantValue(_ e: Expr) -> String? {
        guard let t = e.type, !t.isAny else { return nil }
        var constant = true
        var nodes = 0
        Tree.visit([e]) { x in
            nodes += 1
            switch x.kind {
            case .name, .call, .range, .run, .with, .index: constant = false
            default: break
            }
        }
        guard constant, nodes <= 200 else { return nil }
        let source = e.span.file.slice(e.span)
        guard source.utf8.count <= 2000, case .success(let v) = Session().evaluate(source) else { return nil }
        return Format.value(v)
    }

    // MARK: - Definition

    func definition(_ doc: Document, _ offset: Int) -> [String: Any]? {
        let a = doc.analysis()
        let decls = workspace.declarations(a)
        if let s = a.statement(at: offset) {
            if case .use(let path, let span) = s.kind, Tree.contains(span, offset) {
                let full = Workspace.resolve(path, from: a.file)
                guard FileManager.default.fileExists(atPath: full) else { return nil }
                let uri = workspace.document(forPath: full)?.uri ?? Document.uri(fromPath: full)
                return ["uri": uri, "range": LineIndex([]).range(0, 0)]
            }
            if let e = innermost(a.roots(s), offset) {
                switch e.kind {
                case .run(let name, let span, _) where Tree.contains(span, offset):
                    return scenario(name, at: offset, decls).map { location($0.nameSpan, a) }
                case .field(let base, let name, let span) where Tree.contains(span, offset):
                    // `anthropic.rate`: the field where the contract is declared.
                    if case .name(let n) = base.kind, let d = resolve(n, at: offset, in: a, declarations: decls),
                        let f = d.fields.first(where: { $0.name == name })
                    {
                        return location(f.nameSpan, a)
                    }
                    return nil
                default: break
                }
            }
        }
        guard let (word, _) = Chars.word(in: a.file.bytes, at: offset) else { return nil }
        if let d = resolve(word, at: offset, in: a, declarations: decls) { return location(d.nameSpan, a) }
        if let d = scenario(word, at: offset, decls) { return location(d.nameSpan, a) }
        return nil
    }

    // MARK: - Document symbols

    func symbols(_ doc: Document) -> [[String: Any]] {
        let a = doc.analysis()
        var out: [[String: Any]] = []
        func symbol(_ name: String, _ kind: Int, _ span: Span, _ selection: Span, detail: String?, children: [[String: Any]] = []) -> [String: Any] {
            var s: [String: Any] = ["name": name.isEmpty ? "_" : name, "kind": kind,
                                    "range": a.index.range(span.start, span.end),
                                    "selectionRange": a.index.range(selection.start, selection.end)]
            if let detail { s["detail"] = detail }
            if !children.isEmpty { s["children"] = children }
            return s
        }
        func fields(_ fs: [FieldInit]) -> [[String: Any]] {
            fs.map { f in symbol(f.name, 8, f.nameSpan.to(f.value.span), f.nameSpan, detail: f.value.type?.description) }
        }
        for s in a.statements {
            switch s.kind {
            case .let(let n, let sp, let v): out.append(symbol(n, 13, s.span, sp, detail: v.type?.description))
            case .fn(let n, let sp, let ps, _):
                out.append(symbol(n, 12, s.span, sp, detail: "fn \(n)(\(ps.map(\.name).joined(separator: ", ")))"))
            case .cluster(let n, let sp, let fs): out.append(symbol(n, 23, s.span, sp, detail: "cluster", children: fields(fs)))
            case .contract(let n, let sp, let fs):
                let currency = fs.first { $0.name == "rate" }?.value.type?.dimension?.currency?.code
                out.append(symbol(n, 19, s.span, sp, detail: LType.contract(currency: currency).description, children: fields(fs)))
            case .scenario(let n, let sp, let fs): out.append(symbol(n, 3, s.span, sp, detail: "scenario", children: fields(fs)))
            case .use(let p, let sp): out.append(symbol(p, 2, s.span, sp, detail: "use"))
            default: break
            }
        }
        return out
    }
}
