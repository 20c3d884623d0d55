import LeaseCore
import LeaseLanguage

/// Built-ins without a column kernel (`irr` and `npv` of a list, `xnpv`,
/// `xirr`, `revenue`, `spend`, the deal-term fields of a varying contract):
/// run on each row's values by the scalar evaluator's own code, one row after
/// another, so the run stays in the vectorized engine and every row is the
/// scalar evaluator's to the bit.
extension Compiler {
    static let rowwiseCalls: Set<String> = ["irr", "npv", "xnpv", "xirr", "revenue", "spend"]

    /// An argument as the rows see it.
    private enum RowArg {
        case fixed(Value?)
        case num([Double], UnitExpr)
        case date([Double], CalendarDate.Precision)
        case bool([Double])
        case contract(CCol, [[Double]])
        case list([RowArg])

        func value(_ i: Int) -> Value? {
            switch self {
            case .fixed(let v): return v
            case .num(let xs, let u): return .quantity(Quantity(xs[i], u))
            case .date(let xs, let p):
                guard var d = CalendarDate.fromOrdinal(Int(xs[i])) else { return nil }
                if p == .month { d = d.monthOnly }
                return .date(d)
            case .bool(let xs): return .bool(xs[i] != 0)
            case .contract(let c, let cols): return .contract(Payments.rowContract(c, cols.map { $0[i] }))
            case .list(let xs): return .list(xs.compactMap { $0.value(i) })
            }
        }
    }

    private func rowArg(_ n: VNode?) throws(Unsupported) -> RowArg {
        guard let n else { return .fixed(nil) }
        switch n {
        case .num(let c, let u): return .num(space.expand(c), u)
        case .date(let c, let p): return .date(space.expand(c), p)
        case .bool(let c): return .bool(space.expand(c))
        case .contract(let c): return .contract(c, Payments.contractColumns(c).map { space.expand($0) })
        case .value(let v): return .fixed(v)
        case .list(let xs):
            var out: [RowArg] = []
            for x in xs { out.append(try rowArg(x)) }
            return .list(out)
        default: throw Unsupported("an argument chosen per row")
        }
    }

    /// `f` of each row's argument values, gathered into a column of one unit or date precision.
    mutating func rowwise(_ nodes: [VNode?], _ f: (inout Interpreter, [Value?]) throws(Diagnostic) -> Value) throws(Unsupported) -> VNode {
        var args: [RowArg] = []
        for n in nodes { args.append(try rowArg(n)) }
        let rows = space.expand(.scalar(0)).count
        var out = [Double](repeating: 0, count: rows)
        var unit: UnitExpr?
        var precision: CalendarDate.Precision?
        var isBool = false
        for i in 0..<rows {
            let v: Value
            do throws(Diagnostic) {
                v = try f(&interp, args.map { $0.value(i) })
            } catch {
                throw Unsupported("a row the scalar evaluator refuses: \(error.message)")
            }
            switch v {
            case .quantity(let q):
                if i == 0 { unit = q.unit }
                guard precision == nil, !isBool, q.unit == unit else { throw Unsupported("a result in several units") }
                out[i] = q.value
            case .date(let d):
                if i == 0 { precision = d.precision }
                guard unit == nil, !isBool, d.precision == precision else { throw Unsupported("a result of several precisions") }
                out[i] = Double(d.ordinal)
            case .bool(let b):
                if i == 0 { isBool = true }
                guard isBool else { throw Unsupported("a result of several types") }
                out[i] = b ? 1 : 0
            default:
                throw Unsupported("a result that is not a number, date or bool")
            }
        }
        let col = Col(axes: Array(space.sizes.indices), data: out)
        if let p = precision { return .date(col, p) }
        if isBool { return .bool(col) }
        return .num(col, unit ?? .none)
    }

    /// A built-in call on each row's values.
    mutating func rowwiseCall(_ name: String, _ nodes: [VNode?], _ span: Span) throws(Unsupported) -> VNode {
        let spans = Array(repeating: span, count: max(1, nodes.count))
        // Rows that take different sides of an `if` are worked out side by side.
        return try Compiler.spread(space, nodes) { (ns) throws(Unsupported) -> VNode in
            try rowwise(ns) { (interp, values) throws(Diagnostic) -> Value in
                try Builtins.call(name, values, spans, span, &interp)
            }
        }
    }

    /// Queries whose answer is a list or table of its own length in each row.
    static let rowLists: Set<String> = ["cashflows", "asc842", "ifrs16", "schedule"]
    static let aggregates: Set<String> = ["sum", "mean", "min", "max", "count", "sd"]

    /// `sum(cashflows(c))`, `count(asc842(c, r))` and the like: the list of each
    /// row, then its aggregate, by the scalar evaluator's own code.
    mutating func aggregateOfRowList(_ name: String, _ args: [Argument], _ env: [String: VNode], _ span: Span) throws(Unsupported) -> VNode? {
        guard Compiler.aggregates.contains(name), args.count == 1, args[0].label == nil,
            case .call(let inner, _, let innerArgs) = args[0].value.kind, Compiler.rowLists.contains(inner),
            interp.session.functions[inner] == nil, let spec = Builtins.specs[inner]
        else { return nil }
        let bound = try bind(innerArgs, spec.params)
        var nodes: [VNode?] = []
        for b in bound { nodes.append(try b.map { (x) throws(Unsupported) -> VNode in try compile(x, env) }) }
        let spans = Array(repeating: span, count: max(1, nodes.count))
        let innerSpan = args[0].value.span
        return try Compiler.spread(space, nodes) { (ns) throws(Unsupported) -> VNode in
            try rowwise(ns) { (interp, values) throws(Diagnostic) -> Value in
                let list = try Builtins.call(inner, values, spans, innerSpan, &interp)
                if name == "min" || name == "max" { return try Builtins.callVariadic(name, [list], [innerSpan], span, interp) }
                return try Builtins.call(name, [list], [innerSpan], span, &interp)
            }
        }
    }

    /// A field of each row's contract, as `c.NAME` reads it.
    mutating func rowwiseField(_ c: CCol, _ name: String) throws(Unsupported) -> VNode {
        try rowwise([.contract(c)]) { (_, values) throws(Diagnostic) -> Value in
            guard case .contract(let k)? = values[0], let v = Builtins.contractField(k, name) else {
                throw Diagnostic(.runtime, "no field `\(name)`", at: nil)
            }
            return v
        }
    }
}
