import LeaseCore

/// Typing declarations, `with` copies, scenarios and runs: every field of
/// a cluster or contract has the type its declaration needs, and a run's
/// body is typed with its scenario's parameters in scope.
extension Checker {
    enum ObjectKind: String {
        case cluster, contract
        var fields: [String] { self == .cluster ? Cluster.fieldNames : Contract.fieldNames }
        var required: [String] { self == .cluster ? Cluster.requiredFields : Contract.requiredFields }
    }

    mutating func declarationFields(_ fields: [FieldInit], kind: ObjectKind, name: String, nameSpan: Span) throws(Diagnostic)
        -> [FieldInit]
    {
        var typed: [FieldInit] = []
        var seen = Set<String>()
        for f in fields {
            guard kind.fields.contains(f.name) else {
                throw fail("a \(kind.rawValue) has no field `\(f.name)`", f.nameSpan,
                           help: Suggest.didYouMean(f.name, kind.fields) ?? "fields: " + kind.fields.joined(separator: ", "))
            }
            guard seen.insert(f.name).inserted else { throw fail("the field `\(f.name)` is given twice", f.nameSpan) }
            var g = f
            g.value = try expr(f.value)
            try fieldType(kind, f.name, g.value)
            if f.name == "share" || f.name == "escalation", case .literal(.quantity(let q)) = g.value.kind, q.unit.isEmpty, q.value >= 1 {
                let text = g.value.span.file.slice(g.value.span)
                warn("`\(f.name): \(text)` is \(Format.number(q.value * 100))%", g.value.span, help: "did you mean `\(text)%`?")
            }
            typed.append(g)
        }
        let missing = kind.required.filter { !seen.contains($0) }
        if !missing.isEmpty {
            if kind == .cluster, let r = missing.first {
                throw fail("cluster `\(name)` is missing the field `\(r)`", nameSpan,
                           help: r == "power" ? "add `power: 300 MW`" : "add `gpus: 220_000 gpu`")
            }
            throw fail("contract `\(name)` is missing \(missing.map { "`\($0)`" }.joined(separator: ", "))", nameSpan,
                       help: "a contract needs " + Contract.requiredFields.joined(separator: ", "))
        }
        return typed
    }

    /// The type a declaration field needs, as the model will check its value.
    func fieldType(_ kind: ObjectKind, _ field: String, _ e: Expr) throws(Diagnostic) {
        guard let t = e.type, !t.isAny else { return }
        func needs(_ ok: Bool, _ what: String, help: String? = nil) throws(Diagnostic) {
            guard ok else { throw fail("`\(field)` must be \(what), not \(Self.describe(t))", e.span, help: help) }
        }
        let d = t.dimension
        switch (kind, field) {
        case (_, "lessor"), (_, "lessee"), (_, "owner"), (_, "site"), (_, "gpu_model"):
            try needs(t == .string, "a string, such as \"xAI\"", help: "write `\(field): \"…\"`")
        case (_, "cluster"):
            try needs(t == .cluster, "a declared cluster")
        case (_, "share"):
            try needs(d?.isNone == true, "a percentage, such as 25%", help: fixHint(for: e, other: .percent))
        case (_, "escalation"):
            if case .map(let k, let v) = t {
                guard k.isDate || k.isAny else { throw fail("the keys of an `escalation` index must be months, not \(k.name)", e.span) }
                guard v.isPlain || v.isAny else {
                    throw fail("the levels of an `escalation` index must be plain numbers, such as 321.4, not \(Self.describe(v))", e.span)
                }
                return
            }
            try needs(d?.isNone == true, "a percentage, such as 3%, or an index map such as `cpi`", help: fixHint(for: e, other: .percent))
        case (_, "timing"):
            try needs(t == .string, "\"advance\" or \"arrears\"")
            if case .literal(.string(let x)) = e.kind, x != "advance", x != "arrears" {
                throw fail("`timing` must be \"advance\" or \"arrears\", not \"\(x)\"", e.span,
                           help: Suggest.didYouMean(x, ["advance", "arrears"]).map { $0.replacingOccurrences(of: "`", with: "\"") })
            }
        case (_, "termination_fee"):
            try needs(Self.isMoney(d) || d == Dimension(.time), "an amount such as `$500M`, or a duration such as `3 months`")
        case (_, "minimum"):
            try needs(Self.isMoney(d), "an amount, such as `$30B`")
        case (_, "usage"):
            var ok = false
            if let d, let c = d.currency, c.exponent == 1,
                d == Dimension(.currency(c.code)) / Dimension(.gpu) / Dimension(.time) { ok = true }
            try needs(ok, "money per gpu per unit of time, such as `$0.40 / gpu / h`")
        case (_, "utilization"):
            if case .map(let k, let v) = t {
                guard k.isDate || k.isAny else { throw fail("the keys of `utilization` must be months, not \(k.name)", e.span) }
                guard v.isPlain || v.isAny else { throw fail("utilization must be percentages, such as 70%, not \(Self.describe(v))", e.span) }
                return
            }
            try needs(d?.isNone == true, "a percentage such as 70%, or a map of months to percentages")
        case (_, "renewal"):
            guard case .record(let fs) = t else {
                throw fail("`renewal` must be a record such as `{months: 12, rate: $1.4B / month}`, not \(Self.describe(t))", e.span)
            }
            for f in fs {
                switch f.name {
                case "months":
                    guard f.type.isAny || f.type.isPlain || f.type.dimension == Dimension(.time) else {
                        throw fail("the renewal's `months` must be a number of months, such as 12, not \(Self.describe(f.type))", e.span)
                    }
                case "rate":
                    var ok = f.type.isAny
                    if let d = f.type.dimension, let c = d.currency, c.exponent == 1, d == Dimension(.currency(c.code)) / Dimension(.time) { ok = true }
                    guard ok else { throw fail("the renewal's `rate` must be money per unit of time, such as `$1.4B / month`", e.span) }
                default:
                    throw fail("a renewal has no field `\(f.name)`", e.span, help: "a renewal has `months` and, optionally, `rate`")
                }
            }
            guard fs.contains(where: { $0.name == "months" }) else {
                throw fail("the renewal needs `months`", e.span, help: "write `renewal: {months: 12}`")
            }
        case (_, "start"), (_, "end"):
            try needs(t.isDate, "a month, such as 2026-05")
        case (_, "rate"):
            var ok = false
            if let d, let c = d.currency, c.exponent == 1, d == Dimension(.currency(c.code)) / Dimension(.time) { ok = true }
            var help: String?
            if d == Dimension.none / Dimension(.time) { help = "an amount needs a currency: write `$` before the number, such as `$1.25B / month`" }
            try needs(ok, "money per unit of time, such as `$1.25B / month`", help: help)
        case (_, "discounts"):
            switch t {
            case .map(let k, let v):
                guard k.isDate || k.isAny else { throw fail("the keys of `discounts` must be months, not \(k.name)", e.span) }
                guard v.isPlain || v.isAny else {
                    throw fail("the discounts must be percentages, such as 50%, not \(Self.describe(v))", e.span)
                }
            case .list(.any): break
            default: try needs(false, "a map of months to percentages, such as `[2026-05: 50%]`")
            }
        case (_, "notice"):
            try needs(d == Dimension(.time), "a duration, such as `90 days`",
                      help: d?.isNone == true ? "write `\(e.span.file.slice(e.span)) days`" : nil)
        case (_, "power"):
            try needs(d == Dimension(.power), "a power, such as `300 MW`")
        case (_, "gpus"):
            try needs(d == Dimension(.gpu) || d?.isNone == true, "a count of accelerators, such as `220_000 gpu`")
        default: break
        }
    }

    /// An amount of one currency: `$30B`, not `$30B / month`.
    static func isMoney(_ d: Dimension?) -> Bool {
        guard let d, let c = d.currency, c.exponent == 1 else { return false }
        return d == Dimension(.currency(c.code))
    }

    // MARK: with

    mutating func with(_ t: LType, _ fields: [FieldInit], _ span: Span) throws(Diagnostic) -> LType {
        switch t {
        case .any: return .any
        case .record(var fs):
            for f in fields {
                let ft = f.value.type ?? .any
                if let i = fs.firstIndex(where: { $0.name == f.name }) { fs[i].type = ft } else { fs.append(.init(f.name, ft)) }
            }
            return .record(fs)
        case .contract(var currency):
            for f in fields {
                guard Contract.fieldNames.contains(f.name) else {
                    throw fail("a contract has no field `\(f.name)`", f.nameSpan,
                               help: Suggest.didYouMean(f.name, Contract.fieldNames) ?? "fields: " + Contract.fieldNames.joined(separator: ", "))
                }
                try fieldType(.contract, f.name, f.value)
                if f.name == "rate" { currency = f.value.type?.dimension?.currency?.code }
            }
            return .contract(currency: currency)
        case .cluster:
            for f in fields {
                guard Cluster.fieldNames.contains(f.name) else {
                    throw fail("a cluster has no field `\(f.name)`", f.nameSpan, help: Suggest.didYouMean(f.name, Cluster.fieldNames))
                }
                try fieldType(.cluster, f.name, f.value)
            }
            return .cluster
        case .list(let e): return .list(try with(e, fields, span))
        default:
            throw fail("`with` changes records, contracts and clusters, not \(t.name)", span)
        }
    }

    // MARK: Scenarios and runs

    /// Types a scenario's fields: a grid's lists and ranges give their
    /// element type, a sample's distributions the type they draw.
    mutating func scenarioFields(_ name: String, _ fields: [FieldInit], _ span: Span) throws(Diagnostic)
        -> ([FieldInit], [LType.Field])
    {
        var typed: [FieldInit] = []
        var params: [LType.Field] = []
        var seen = Set<String>()
        var sampled: Span?, grid: Span?
        var hasSamples = false
        let savedLocals = locals
        locals = nil
        defer { locals = savedLocals }
        for f in fields {
            guard seen.insert(f.name).inserted else { throw fail("the field `\(f.name)` is given twice", f.nameSpan) }
            var g = f
            if Self.scenarioSettings.contains(f.name) {
                g.value = try expr(f.value)
                try need(g.value.type, f.value.span, "`\(f.name)`", { $0.isPlain }, "a whole number")
                if f.name == "samples" { hasSamples = true }
                typed.append(g)
                continue
            }
            try checkParameterName(f, name)
            if Interpreter.containsDistribution(f.value) {
                drawing = true
                defer { drawing = false }
                g.value = try expr(f.value)
                sampled = sampled ?? f.value.span
                params.append(.init(f.name, g.value.type ?? .any))
            } else {
                g.value = try expr(f.value)
                let t = g.value.type ?? .any
                if let e = t.element {
                    grid = grid ?? f.value.span
                    params.append(.init(f.name, e))
                } else {
                    params.append(.init(f.name, t))
                }
            }
            typed.append(g)
        }
        if let s = sampled, grid != nil {
            throw fail("scenario `\(name)` mixes a grid (lists) and a sample (distributions)", s,
                       help: "make it all lists and ranges (a grid) or all distributions and constants with `samples:` (a sample)")
        }
        if sampled != nil, !hasSamples {
            throw fail("scenario `\(name)` draws samples but does not say how many", span, help: "add `samples: 100_000`")
        }
        if sampled == nil, hasSamples {
            throw fail("`samples:` is for scenarios that draw from distributions; `\(name)` is a grid", span)
        }
        return (typed, params)
    }

    private mutating func checkParameterName(_ f: FieldInit, _ scenario: String) throws(Diagnostic) {
        if Units.isUnitName(f.name) {
            throw fail("`\(f.name)` is a unit and cannot be used as a scenario parameter", f.nameSpan,
                       help: "choose another name, such as `\(f.name)_` or `my_\(f.name)`")
        }
        if globals[f.name] != nil {
            throw fail("the parameter `\(f.name)` would hide the binding `\(f.name)` inside runs", f.nameSpan,
                       help: "rename the parameter, such as `\(f.name)_s`")
        }
    }

    /// `run S: body`: the body typed with S's parameters; the result has one
    /// column per output (a record gives several).
    mutating func run(_ name: String, _ nameSpan: Span, _ body: Expr, _ span: Span) throws(Diagnostic) -> (Expr, LType) {
        var params = scenarioTypes[name]
        if params == nil, let decl = scenarios[name] {
            // Declared in an earlier session input: type its fields now.
            let saved = (errors, warnings)
            params = try scenarioFields(name, decl.fields, nameSpan).1
            (errors, warnings) = saved
        }
        guard let params else { throw unknownScenario(name, nameSpan) }
        let savedLocals = locals, savedDrawing = drawing
        locals = Dictionary(params.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        drawing = false
        defer {
            locals = savedLocals
            drawing = savedDrawing
        }
        let typed = try expr(body)
        let t = typed.type ?? .any
        func column(_ t: LType, _ span: Span) throws(Diagnostic) -> LType {
            switch t {
            case .quantity, .any: return t
            case .date: return .date(nil)
            case .bool: return .number
            default:
                throw fail("a run gives numbers, quantities, dates or bools per row, not \(t.name)", span,
                           help: "ask for a number, such as `total(c)`, or a record of numbers")
            }
        }
        if case .record(let fs) = t {
            var cols: [LType.Field] = []
            for f in fs { cols.append(.init(f.name, try column(f.type, body.span))) }
            return (typed, .result(cols))
        }
        return (typed, .result([.init("value", try column(t, body.span))]))
    }
}
