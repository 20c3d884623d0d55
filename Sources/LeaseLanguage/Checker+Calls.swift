import LeaseCore

/// Typing calls: arguments bound to parameters, user functions checked per
/// signature of argument types, and the rule of every built-in and query.
extension Checker {
    mutating func call(_ name: String, _ nameSpan: Span, _ args: [Argument], _ span: Span) throws(Diagnostic)
        -> (LType, FunctionInstance?)
    {
        if let f = functions[name] {
            let bound = try bind(args, params: f.params, required: f.params.count, name: name, span: span)
            return try callUser(f, bound.map { $0! }, span)  // unreachable nil: every parameter of a user function is required
        }
        guard let spec = Builtins.specs[name] else { throw unknownFunction(name, nameSpan) }
        if spec.variadic {
            for a in args where a.label != nil {
                throw fail("`\(name)` takes no named arguments", a.labelSpan ?? span)
            }
            return (try variadic(name, args.map(\.value), span), nil)
        }
        let bound = try bind(args, params: spec.params, required: spec.required, name: name, span: span)
        return (try builtin(name, bound, span), nil)
    }

    func bind(_ args: [Argument], params: [String], required: Int, name: String, span: Span) throws(Diagnostic) -> [Expr?] {
        try Argument.bind(args, params: params, required: required, name: name, span: span, phase: .check)
    }

    // MARK: User functions

    /// Checks `f`'s body for this call's argument types, once per signature.
    /// A recursive call of the signature being checked takes its type from
    /// the body's other branch; with none, its type cannot be found.
    mutating func callUser(_ f: FunctionDecl, _ args: [Expr], _ span: Span) throws(Diagnostic) -> (LType, FunctionInstance?) {
        let sig = args.map { $0.type ?? .any }
        if let inst = instances[f.name]?[sig] {
            if let r = inst.result { return (r, inst) }
            if let failure = inst.failure { throw atCall(failure, f, sig, span) }
            lastPending = inst
            var d = fail("the type of `\(f.name)` is not known yet", span)
            d.isPendingRecursion = true
            throw d
        }
        let depth = checking.filter { $0.name == f.name }.count
        guard depth < Self.maxRecursionSignatures, (instances[f.name]?.count ?? 0) < Self.maxInstances else {
            throw fail("the argument types of `\(f.name)` change with each recursive call, so its type cannot be found", span,
                       help: "keep the units of the arguments the same from one call to the next")
        }
        let inst = FunctionInstance(name: f.name, parameterTypes: sig)
        instances[f.name, default: [:]][sig] = inst
        checking.append(inst)
        let savedLocals = locals, savedDrawing = drawing
        locals = Dictionary(zip(f.params, sig), uniquingKeysWith: { a, _ in a })
        drawing = false
        defer {
            checking.removeLast()
            locals = savedLocals
            drawing = savedDrawing
        }
        do throws(Diagnostic) {
            var body = try expr(f.body)
            if pendingSeen.remove(ObjectIdentifier(inst)) != nil {
                // Check again, now that recursive calls have a type.
                inst.result = body.type ?? .any
                body = try expr(f.body)
                guard let j = (body.type ?? .any).join(inst.result ?? .any) else {
                    throw fail("the recursive function `\(f.name)` gives \(Self.describe(body.type ?? .any)) on one branch and \(Self.describe(inst.result ?? .any)) on another",
                               f.body.span)
                }
                inst.result = j
            }
            inst.body = body
            inst.result = body.type ?? .any
            return (inst.result ?? .any, inst)
        } catch {
            if error.isPendingRecursion {
                instances[f.name]?[sig] = nil
                if lastPending === inst {
                    let e = fail("the type of the recursive function `\(f.name)` cannot be found: every branch calls `\(f.name)` again", span,
                                 help: "give it a branch that does not call itself, such as `if n <= 0 then 0 else …`")
                    inst.failure = e
                    throw e
                }
                throw error
            }
            inst.failure = error
            throw atCall(error, f, sig, span)
        }
    }

    /// An error in a function's body, reported at the call with a note at the body.
    func atCall(_ d: Diagnostic, _ f: FunctionDecl, _ sig: [LType], _ span: Span) -> Diagnostic {
        guard let inner = d.span, inner != span else { return d }
        // Short: `x: USD`, `n: number`, `s: string`.
        let with = zip(f.params, sig).map { p, t -> String in
            if case .quantity(let d, _) = t { return "\(p): \(d.isNone ? "number" : d.description)" }
            return "\(p): \(t)"
        }.joined(separator: ", ")
        var out = Diagnostic(.check, d.message, at: span, help: d.help, notes: d.notes)
        out.labels = [Diagnostic.Label(inner, "in the body of `\(f.name)`, called with (\(with))")] + d.labels
        return out
    }

    // MARK: Built-ins

    /// Types `f` over the arguments at `positions`, elementwise where they are lists.
    func elementwise(_ a: [LType?], _ positions: [Int], _ f: ([LType?]) throws(Diagnostic) -> LType) throws(Diagnostic) -> LType {
        for p in positions where p < a.count {
            if case .list(let e)? = a[p] {
                var b = a
                for q in positions where q < a.count {
                    if case .list(let x)? = a[q] { b[q] = x }
                }
                _ = e
                return .list(try elementwise(b, positions, f))
            }
        }
        return try f(a)
    }

    func need(_ t: LType?, _ span: Span, _ what: String, _ ok: (LType) -> Bool, _ expected: String, help: String? = nil) throws(Diagnostic) {
        guard let t, !t.isAny else { return }
        guard ok(t) else { throw fail("\(what) must be \(expected), not \(Self.describe(t))", span, help: help) }
    }

    func contract(_ t: LType?, _ span: Span) throws(Diagnostic) -> String? {
        switch t {
        case .contract(let c)?: return c
        case .any?, nil: return nil
        default:
            throw fail("expected a contract, not \(t?.name ?? "nothing")", span, help: "declare one with `contract name { … }`")
        }
    }

    func money(_ currency: String?) -> LType { currency.map { LType.money($0) } ?? .any }

    func date(_ t: LType?, _ span: Span, _ what: String) throws(Diagnostic) {
        try need(t, span, what, { $0.isDate }, "a date, such as 2026-09-01")
    }

    /// The element type `sum`, `mean` and their kin read: a list of
    /// quantities, one quantity, or a run result with one column.
    func numbers(_ t: LType?, _ span: Span, _ fname: String) throws(Diagnostic) -> LType {
        switch t {
        case .list(let e)?:
            switch e {
            case .quantity, .any: return e
            default: throw fail("`\(fname)` needs numbers or quantities, not \(t?.name ?? "nothing")", span)
            }
        case .quantity?: return t ?? .any
        case .result(let cols)?:
            guard cols.count == 1 else {
                throw fail("`\(fname)` needs one column; this run has \(cols.count): \(cols.map(\.name).joined(separator: ", "))", span,
                           help: "use the run's fields, such as `r.mean`, which answer for every column")
            }
            if cols[0].type.isDate { throw fail("`\(fname)` needs numbers; this run's column is dates", span) }
            return cols[0].type
        case .any?, nil: return .any
        default: throw fail("`\(fname)` needs a list of numbers, not \(t?.name ?? "nothing")", span)
        }
    }

    private mutating func variadic(_ name: String, _ args: [Expr], _ span: Span) throws(Diagnostic) -> LType {
        switch name {
        case "print": return .emptyList
        default:  // min, max
            guard !args.isEmpty else { throw fail("`\(name)` needs a list or at least two values", span) }
            if args.count == 1 { return try numbers(args[0].type, args[0].span, name) }
            var acc = args[0].type ?? .any
            for a in args.dropFirst() {
                acc = try broadcast(acc, a.type ?? .any) { (x, y) throws(Diagnostic) -> LType in
                    if x.isDate && y.isDate { return x.join(y) ?? .date(nil) }
                    if x.isAny || y.isAny { return x.isAny ? y : x }
                    guard let d1 = x.dimension, let d2 = y.dimension else {
                        throw fail("`\(name)` compares numbers, quantities or dates, not \(x.name) and \(y.name)", a.span)
                    }
                    guard d1 == d2 else { throw mismatch("compare", x, y, args[0], a) }
                    return x
                }
            }
            return acc
        }
    }

    private mutating func builtin(_ name: String, _ b: [Expr?], _ span: Span) throws(Diagnostic) -> LType {
        let t = b.map { $0?.type }
        let s = b.map { $0?.span ?? span }
        switch name {
        case "sum", "mean", "sd":
            let e = try numbers(t[0], s[0], name)
            if name == "sum", e.isAny, case .list? = t[0] { return .any }
            return e
        case "count":
            switch t[0] {
            case .list?, .map?, .result?, .any?: return .number
            default: throw fail("`count` needs a list, not \(t[0]?.name ?? "nothing")", s[0])
            }
        case "percentile":
            if case .result(let cols)? = t[0], cols.count > 1 {
                try need(t[1], s[1], "the percentile", { $0.isPlain || $0.element?.isPlain == true }, "a percentage such as 95%")
                return .record(cols.map { LType.Field($0.name, t[1]?.element != nil ? .list($0.type) : $0.type) })
            }
            let e = try numbers(t[0], s[0], name)
            return try elementwise([t[0].map { _ in e }, t[1]], [1]) { (a) throws(Diagnostic) -> LType in
                try need(a[1], s[1], "the percentile", { $0.isPlain }, "a percentage", help: "write `95%` for the 95th percentile")
                return e
            }
        case "abs", "floor", "ceil", "round", "sqrt", "exp", "ln":
            return try elementwise(t, [0, 1]) { (a) throws(Diagnostic) -> LType in try math(name, a, s) }
        case "year", "month", "day", "days_in_month":
            return try elementwise(t, [0]) { (a) throws(Diagnostic) -> LType in
                try date(a[0], s[0], "the argument of `\(name)`")
                return .number
            }
        case "uniform", "normal", "lognormal", "triangular", "pert", "choice":
            guard drawing else {
                throw fail("`\(name)(…)` draws samples only inside a `scenario` declaration", span,
                           help: "declare `scenario mc { x: \(name)(…)\n  samples: 10_000 }` and `run mc: …`")
            }
            return try distribution(name, t, s)
        case "plot":
            try need(t[0], s[0], "what `plot` draws", { t in
                switch t {
                case .list, .map, .record, .result: return true
                default: return false
                }
            }, "a list, a table, a map or a run result")
            return .chart
        case "assert":
            try need(t[0], s[0], "the condition of `assert`", { $0 == .bool || $0.element == .bool }, "true or false")
            if t.count > 1 { try need(t[1], s[1], "the message of `assert`", { $0 == .string }, "a string in quotes") }
            return .emptyList
        case "export":
            try need(t[0], s[0], "the first argument of `export`", { t in
                switch t {
                case .result, .chart: return true
                case .list(.record): return true
                default: return false
                }
            }, "a run result, a table or a chart")
            try need(t[1], s[1], "the file name of `export`", { $0 == .string }, "a string in quotes")
            return .string
        default:
            return try query(name, b, t, s, span)
        }
    }

    private func math(_ name: String, _ a: [LType?], _ s: [Span]) throws(Diagnostic) -> LType {
        guard let x = a[0], !x.isAny else { return .any }
        guard case .quantity(let d, let u) = x else {
            throw fail("the argument of `\(name)` must be a number or quantity, not \(x.name)", s[0])
        }
        switch name {
        case "round":
            if a.count > 1 { try need(a[1], s[1], "`digits`", { $0.isPlain }, "a whole number") }
            return x
        case "sqrt":
            if d.isNone { return .number }
            if let u {
                guard u.terms.allSatisfy({ $0.exponent % 2 == 0 }) else { throw fail("the square root of \(d) has no unit", s[0]) }
                return .quantity(UnitExpr(terms: u.terms.map { .init(unit: $0.unit, exponent: $0.exponent / 2) }))
            }
            guard d.factors.allSatisfy({ $0.exponent % 2 == 0 }) else { throw fail("the square root of \(d) has no unit", s[0]) }
            var half = Dimension.none
            for f in d.factors { half = half * Dimension(f.base, f.exponent / 2) }
            return .quantity(half, unit: nil)
        case "exp", "ln":
            guard d.isNone else { throw fail("`\(name)` needs a plain number, not \(d)", s[0]) }
            return .number
        default: return x
        }
    }

    private func distribution(_ name: String, _ t: [LType?], _ s: [Span]) throws(Diagnostic) -> LType {
        if name == "choice" {
            switch t[0] {
            case .list(let e)?: return e
            case .any?, nil: return .any
            default: throw fail("`choice` needs a non-empty list, not \(t[0]?.name ?? "nothing")", s[0])
            }
        }
        guard let first = t[0] else { return .any }
        switch first {
        case .quantity(let d, let u):
            for (i, x) in t.enumerated().dropFirst() {
                guard let x, !x.isAny else { continue }
                guard x.dimension == d else { throw fail("the arguments of `\(name)` must share one dimension (\(Self.describe(first)))", s[i]) }
            }
            return .quantity(d, unit: u)
        case .date:
            var allMonths = true
            for (i, x) in t.enumerated() {
                guard let x, !x.isAny else { allMonths = false; continue }
                guard case .date(let p) = x else { throw fail("the arguments of `\(name)` must all be dates", s[i]) }
                if p != .month { allMonths = false }
            }
            return .date(allMonths ? .month : .day)
        case .any: return .any
        default:
            throw fail("`\(name)` draws numbers, quantities or dates, not \(first.name)", s[0])
        }
    }

    // MARK: Queries

    private mutating func query(_ name: String, _ b: [Expr?], _ t: [LType?], _ s: [Span], _ span: Span) throws(Diagnostic) -> LType {
        switch name {
        case "npv" where Self.isAmountList(t[0]):
            let amount = t[0]?.element ?? .any
            return try elementwise([nil, t[1]], [1]) { (a) throws(Diagnostic) -> LType in
                try need(a[1], s[1], "the rate", { $0.isPlain }, "a plain rate per period, such as 8%")
                return amount
            }
        case "payment", "exposure", "remaining", "npv", "terminate":
            if name == "npv" { rateWarning(b[1]) }
            return try elementwise(t, [0, 1, 2]) { (a) throws(Diagnostic) -> LType in
                let c = try contract(a[0], s[0])
                switch name {
                case "npv":
                    try need(a[1], s[1], "the discount rate", { $0.isPlain }, "a plain annual rate such as 8%",
                             help: "write `npv(c, 8%)`: the rate is per year")
                    if a.count > 2 { try date(a[2], s[2], "`at`") }
                case "terminate": try date(a[1], s[1], "`notice_on`")
                case "payment": try need(a[1], s[1], "the month", { $0.isDate }, "a month, such as 2026-09")
                default: try date(a[1], s[1], "`at`")
                }
                return name == "terminate" ? .contract(currency: c) : money(c)
            }
        case "irr" where Self.isAmountList(t[0]):
            if t.count > 1, t[1] != nil { throw fail("`irr` of a list of amounts takes no price", s[1], help: "put the price first in the list, as a negative amount") }
            return .percent
        case "irr":
            return try elementwise(t, [0, 1]) { (a) throws(Diagnostic) -> LType in
                _ = try contract(a[0], s[0])
                guard a.count > 1, let p = a[1] else {
                    throw fail("`irr` of a contract needs the price paid for it", span, help: "write `irr(c, price: $30B)`")
                }
                try need(p, s[1], "the price", { Self.isMoney($0.dimension) }, "an amount, such as $30B")
                return .percent
            }
        case "xnpv":
            try need(t[1], s[1], "the amounts", { Self.isAmountList($0) }, "a list of amounts")
            try need(t[2], s[2], "the dates", { $0.element?.isDate == true || $0 == .emptyList }, "a list of dates, one per amount")
            let amount = t[1]?.element ?? .any
            return try elementwise([t[0]], [0]) { (a) throws(Diagnostic) -> LType in
                try need(a[0], s[0], "the rate", { $0.isPlain }, "a plain annual rate such as 8%")
                return amount
            }
        case "xirr":
            try need(t[0], s[0], "the amounts", { Self.isAmountList($0) }, "a list of amounts")
            try need(t[1], s[1], "the dates", { $0.element?.isDate == true || $0 == .emptyList }, "a list of dates, one per amount")
            return .percent
        case "cashflows":
            return try elementwise(t, [0]) { (a) throws(Diagnostic) -> LType in .list(money(try contract(a[0], s[0]))) }
        case "renew":
            return try elementwise(t, [0, 1]) { (a) throws(Diagnostic) -> LType in
                let c = try contract(a[0], s[0])
                if a.count > 1 { try need(a[1], s[1], "`times`", { $0.isPlain }, "a whole number such as 2") }
                return .contract(currency: c)
            }
        case "asc842", "ifrs16":
            return try elementwise(t, [0, 1]) { (a) throws(Diagnostic) -> LType in
                let c = try contract(a[0], s[0])
                try need(a[1], s[1], "the borrowing rate", { $0.isPlain }, "a plain annual rate such as 5%")
                var fields: [LType.Field] = [.init("month", .date(.month))]
                for n in ["payment", "interest", "liability", "rou_asset"] + (name == "ifrs16" ? ["depreciation"] : []) + ["expense"] {
                    fields.append(.init(n, money(c)))
                }
                return .list(.record(fields))
            }
        case "months", "total":
            return try elementwise(t, [0]) { (a) throws(Diagnostic) -> LType in
                let c = try contract(a[0], s[0])
                return name == "months" ? .number : money(c)
            }
        case "schedule":
            if case .list(let e)? = t[0] {
                let c = try contract(e, s[0])
                return .list(.record([.init("contract", .string), .init("month", .date(.month)), .init("payment", money(c)),
                                      .init("cumulative", money(c))]))
            }
            let c = try contract(t[0], s[0])
            return .list(.record([.init("month", .date(.month)), .init("payment", money(c)), .init("cumulative", money(c))]))
        case "paid":
            return try paid(b, t, s)
        case "capacity":
            var table = false
            if case .list? = t[1] { table = true }
            return try elementwise(t, [0, 1]) { (a) throws(Diagnostic) -> LType in
                try cluster(a[0], s[0])
                try date(a[1], s[1], "`at`")
                let fields: [LType.Field] = [
                    .init("power", .quantity(Dimension(.power), unit: nil)), .init("gpus", .quantity(Dimension(.gpu), unit: nil)),
                    .init("leased", .percent),
                    .init("free_power", .quantity(Dimension(.power), unit: nil)), .init("free_gpus", .quantity(Dimension(.gpu), unit: nil)),
                ]
                return .record(table ? [.init("month", a[1] ?? .date(nil))] + fields : fields)
            }
        case "contracts":
            // Every contract known so far in one currency: so are the ones found.
            let known = Set(parties.values.flatMap { $0 })
            return try elementwise(t, [0]) { (a) throws(Diagnostic) -> LType in
                try cluster(a[0], s[0])
                return .list(.contract(currency: known.count == 1 ? known.first : nil))
            }
        case "revenue", "spend":
            let single: LType
            if let e = b[0], let p = Self.literalString(e), let cs = parties[p], cs.count == 1, let c = cs.first { single = money(c) } else { single = .any }
            return try elementwise(t, [0, 1, 2]) { (a) throws(Diagnostic) -> LType in
                try need(a[0], s[0], "the party", { $0 == .string }, "a name in quotes, such as \"xAI\"")
                if a.count > 2, let to = a[2] {
                    try date(a[1], s[1], "`from`")
                    try date(to, s[2], "`to`")
                } else {
                    try period(a[1], s[1])
                }
                return single
            }
        default:
            throw unknownFunction(name, span)
        }
    }

    func cluster(_ t: LType?, _ span: Span) throws(Diagnostic) {
        guard let t, !t.isAny else { return }
        guard t == .cluster else {
            throw fail("expected a cluster, not \(t.name)", span, help: "declare one with `cluster name { … }`")
        }
    }

    /// A year (`2027`) or a month (lists are elementwise).
    func period(_ t: LType?, _ span: Span) throws(Diagnostic) {
        guard let t, !t.isAny else { return }
        switch t {
        case .quantity(let d, _) where d.isNone: return
        case .date: return
        default:
            throw fail("a period is a year (`2027`) or a month (`2027-03`), or a list of them, not \(t.name)", span,
                       help: "for a range of months use `paid(c, from, to)`")
        }
    }

    /// A list of numbers or amounts: the list forms of `npv` and `irr`.
    static func isAmountList(_ t: LType?) -> Bool {
        guard case .list(let e)? = t else { return false }
        return e.isQuantity || e.isAny && t != .list(.any) || t == .emptyList
    }

    private mutating func paid(_ b: [Expr?], _ t: [LType?], _ s: [Span]) throws(Diagnostic) -> LType {
        if t.count > 2, let from = b[1], let to = b[2], case .literal(.date(let x)) = from.kind, case .literal(.date(let y)) = to.kind,
            y.monthIndex < x.monthIndex
        {
            warn("the month range runs backwards (\(x) to \(y)), so nothing is paid in it", from.span.to(to.span),
                 help: "write the earlier month first: `paid(c, \(y), \(x))`")
        }
        return try elementwise(t, [0, 1, 2]) { (a) throws(Diagnostic) -> LType in
            let c = try contract(a[0], s[0])
            if a.count > 2, let to = a[2] {
                try date(a[1], s[1], "`from`")
                try date(to, s[2], "`to`")
            } else {
                try period(a[1], s[1])
            }
            return money(c)
        }
    }

    /// `npv(c, 8)`: a plain number of 1 or more is a rate of 100% or more.
    mutating func rateWarning(_ e: Expr?) {
        guard let e, case .literal(.quantity(let q)) = e.kind, q.unit.isEmpty, q.value >= 1 else { return }
        let text = e.span.file.slice(e.span)
        warnings.append(Diagnostic(.check, "\(text) as an annual rate is \(Format.number(q.value * 100))% a year", at: e.span,
                                   help: "did you mean `\(text)%`?", severity: .warning))
    }
}
