import Foundation
import LeaseCore

/// Built-in functions: their signatures (for the checker, completion and
/// `:help`) and their scalar implementations.
package enum Builtins {
    package struct Spec: Sendable {
        package var name: String
        package var params: [String]
        package var required: Int
        package var variadic = false
        package var summary: String
    }

    static let list: [Spec] = [
        Spec(name: "sum", params: ["xs"], required: 1, summary: "sum of a list"),
        Spec(name: "mean", params: ["xs"], required: 1, summary: "arithmetic mean of a list"),
        Spec(name: "min", params: [], required: 0, variadic: true, summary: "smallest element of a list, or of the arguments"),
        Spec(name: "max", params: [], required: 0, variadic: true, summary: "largest element of a list, or of the arguments"),
        Spec(name: "count", params: ["xs"], required: 1, summary: "number of elements"),
        Spec(name: "sd", params: ["xs"], required: 1, summary: "sample standard deviation (n − 1)"),
        Spec(name: "percentile", params: ["xs", "p"], required: 2, summary: "p-th percentile, linear interpolation (NumPy's default)"),
        Spec(name: "abs", params: ["x"], required: 1, summary: "absolute value"),
        Spec(name: "round", params: ["x", "digits"], required: 1, summary: "round to `digits` decimals (default 0), in the value's unit"),
        Spec(name: "floor", params: ["x"], required: 1, summary: "round down"),
        Spec(name: "ceil", params: ["x"], required: 1, summary: "round up"),
        Spec(name: "sqrt", params: ["x"], required: 1, summary: "square root"),
        Spec(name: "exp", params: ["x"], required: 1, summary: "e to the power x"),
        Spec(name: "ln", params: ["x"], required: 1, summary: "natural logarithm"),
        Spec(name: "year", params: ["d"], required: 1, summary: "year of a date"),
        Spec(name: "month", params: ["d"], required: 1, summary: "month of a date, 1–12"),
        Spec(name: "day", params: ["d"], required: 1, summary: "day of a date, 1–31"),
        Spec(name: "days_in_month", params: ["d"], required: 1, summary: "days in the date's month"),
        Spec(name: "print", params: [], required: 0, variadic: true, summary: "print the arguments on one line"),
        Spec(name: "payment", params: ["c", "m"], required: 2, summary: "payment due in month m"),
        Spec(name: "months", params: ["c"], required: 1, summary: "billed months (a partial last month counts as 1)"),
        Spec(name: "schedule", params: ["c"], required: 1, summary: "table of month, payment, cumulative"),
        Spec(name: "total", params: ["c"], required: 1, summary: "sum of all payments"),
        Spec(name: "paid", params: ["c", "from", "to"], required: 2, summary: "payments due from..to (months, inclusive) or in a year"),
        Spec(name: "npv", params: ["c", "r", "at"], required: 2,
             summary: "present value at annual rate r (on the first day of `at`'s month, default the start); of a list: numpy-financial npv"),
        Spec(name: "terminate", params: ["c", "notice_on"], required: 2, summary: "copy of c ending when notice given that day takes effect"),
        Spec(name: "exposure", params: ["c", "at"], required: 2, summary: "what is still paid from that month on if notice is given that day"),
        Spec(name: "remaining", params: ["c", "at"], required: 2, summary: "payments from month m to the end"),
        Spec(name: "capacity", params: ["k", "at"], required: 2, summary: "record: power, gpus, leased, free_power, free_gpus"),
        Spec(name: "contracts", params: ["k"], required: 1, summary: "contracts on cluster k"),
        Spec(name: "revenue", params: ["party", "period", "to"], required: 2, summary: "what a lessor receives in a year, a month, or months period..to"),
        Spec(name: "spend", params: ["party", "period", "to"], required: 2, summary: "what a lessee pays in a year, a month, or months period..to"),
        Spec(name: "cashflows", params: ["c"], required: 1, summary: "list of the monthly payments, one per billed month"),
        Spec(name: "irr", params: ["xs", "price"], required: 1,
             summary: "rate where npv of a list is 0 (numpy-financial); of a contract: annual rate at which `price` buys its payments"),
        Spec(name: "xnpv", params: ["r", "amounts", "days"], required: 3, summary: "Excel's XNPV: actual/365 from the first date"),
        Spec(name: "xirr", params: ["amounts", "days"], required: 2, summary: "Excel's XIRR: Newton from 10%, at most 100 iterations"),
        Spec(name: "renew", params: ["c", "times"], required: 1, summary: "copy of c renewed `times` times (default 1) by its renewal"),
        Spec(name: "asc842", params: ["c", "r"], required: 2, summary: "ASC 842 operating-lease table for the lessee at borrowing rate r"),
        Spec(name: "ifrs16", params: ["c", "r"], required: 2, summary: "IFRS 16 lease table for the lessee at borrowing rate r"),
        Spec(name: "uniform", params: ["a", "b"], required: 2, summary: "scenario draw, uniform between a and b"),
        Spec(name: "normal", params: ["mean", "sd"], required: 2, summary: "scenario draw, normal"),
        Spec(name: "lognormal", params: ["mu", "sigma"], required: 2, summary: "scenario draw, exp of a normal(mu, sigma)"),
        Spec(name: "triangular", params: ["lo", "mode", "hi"], required: 3, summary: "scenario draw, triangular"),
        Spec(name: "pert", params: ["lo", "mode", "hi"], required: 3, summary: "scenario draw, PERT (scaled beta)"),
        Spec(name: "choice", params: ["xs"], required: 1, summary: "scenario draw, one element of a list"),
        Spec(name: "export", params: ["r", "path"], required: 2, summary: "write a run's parameters and outputs as CSV"),
        Spec(name: "plot", params: ["x"], required: 1, summary: "a chart of a list, table, map by month or run result; `export` writes it as SVG"),
        Spec(name: "assert", params: ["cond", "message"], required: 1, summary: "stop the script with `message` unless `cond` is true"),
    ]

    package static let specs: [String: Spec] = Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    static let names: [String] = list.map(\.name)
    package static let distributions: Set<String> = ["uniform", "normal", "lognormal", "triangular", "pert", "choice"]

    static func fail(_ m: String, _ s: Span, help: String? = nil) -> Diagnostic { Diagnostic(.runtime, m, at: s, help: help) }

    /// Applies `f` to each combination when arguments at `positions` are lists.
    static func elementwise(
        _ args: [Value?], _ positions: [Int], _ span: Span, _ f: ([Value?]) throws(Diagnostic) -> Value
    ) throws(Diagnostic) -> Value {
        var n: Int?
        for p in positions where p < args.count {
            if case .list(let xs)? = args[p] {
                if let m = n, m != xs.count {
                    throw fail("lists of different lengths: \(m) and \(xs.count)", span)
                }
                n = xs.count
            }
        }
        guard let n else { return try f(args) }
        var out: [Value] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            var a = args
            for p in positions where p < args.count {
                if case .list(let xs)? = args[p] { a[p] = xs[i] }
            }
            out.append(try elementwise(a, positions, span, f))
        }
        return .list(out)
    }

    // MARK: Helpers

    static func quantity(_ v: Value?, _ s: Span, _ what: String) throws(Diagnostic) -> Quantity {
        guard case .quantity(let q)? = v else { throw fail("\(what) must be a number or quantity, not a \(v?.typeName ?? "nothing")", s) }
        return q
    }

    static func plain(_ v: Value?, _ s: Span, _ what: String) throws(Diagnostic) -> Double {
        let q = try quantity(v, s, what)
        guard q.dimension.isNone else { throw fail("\(what) must be a plain number, not \(q.dimension)", s) }
        return q.baseValue
    }

    static func date(_ v: Value?, _ s: Span, _ what: String) throws(Diagnostic) -> CalendarDate {
        guard case .date(let d)? = v else {
            throw fail("\(what) must be a date, such as 2026-09-01, not a \(v?.typeName ?? "nothing")", s)
        }
        return d
    }

    static func contract(_ v: Value?, _ s: Span) throws(Diagnostic) -> Contract {
        guard case .contract(let c)? = v else {
            throw fail("expected a contract, not a \(v?.typeName ?? "nothing")", s,
                       help: "declare one with `contract name { … }`")
        }
        return c
    }

    static func cluster(_ v: Value?, _ s: Span) throws(Diagnostic) -> Cluster {
        guard case .cluster(let k)? = v else {
            throw fail("expected a cluster, not a \(v?.typeName ?? "nothing")", s, help: "declare one with `cluster name { … }`")
        }
        return k
    }

    /// The quantities of a list in the first element's unit.
    static func numbers(_ v: Value?, _ s: Span, _ fname: String) throws(Diagnostic) -> ([Double], UnitExpr) {
        guard let v else { throw fail("`\(fname)` needs a list", s) }
        switch v {
        case .list(let xs):
            var unit = UnitExpr.none
            var out: [Double] = []
            out.reserveCapacity(xs.count)
            for (i, x) in xs.enumerated() {
                guard case .quantity(let q) = x else {
                    throw fail("`\(fname)` needs numbers or quantities, but element \(i) is a \(x.typeName)", s)
                }
                if i == 0 { unit = q.unit }
                guard q.dimension == unit.dimension else {
                    throw fail("`\(fname)` needs elements of one dimension: \(unit.dimension) and \(q.dimension)", s)
                }
                out.append(q.unit == unit ? q.value : q.converted(to: unit).value)
            }
            return (out, unit)
        case .quantity(let q): return ([q.value], q.unit)
        case .result(let r):
            guard r.outputs.count == 1, let col = r.outputs.first else {
                throw fail("`\(fname)` needs one column; this run has \(r.outputs.count): \(r.outputs.map(\.name).joined(separator: ", "))", s,
                           help: "use the run's fields, such as `r.mean`, which answer for every column")
            }
            return (col.values, col.unit)
        default:
            throw fail("`\(fname)` needs a list of numbers, not a \(v.typeName)", s)
        }
    }

    static func money(_ x: Double, _ c: Contract) -> Value { .quantity(Quantity(x, c.currencyUnit)) }

    // MARK: Calls

    package static func callVariadic(_ name: String, _ args: [Value], _ spans: [Span], _ span: Span, _ interp: Interpreter) throws(Diagnostic) -> Value {
        switch name {
        case "print":
            interp.session.output(.text(args.map { Format.value($0) }.joined(separator: " ")))
            return .list([])
        case "min", "max":
            let isMin = name == "min"
            if args.count == 1 {
                let (xs, unit) = try numbers(args[0], spans[0], name)
                guard let m = isMin ? xs.min() : xs.max() else { throw fail("`\(name)` of an empty list", span) }
                return .quantity(Quantity(m, unit))
            }
            guard !args.isEmpty else { throw fail("`\(name)` needs a list or at least two values", span) }
            var acc = args[0]
            for (i, a) in args.enumerated().dropFirst() {
                acc = try Operators(model: interp.session.model).broadcast(acc, a, spans[i]) { (x, y) throws(Diagnostic) -> Value in
                    if case .date(let p) = x, case .date(let q) = y { return .date(isMin ? min(p, q) : max(p, q)) }
                    let qx = try quantity(x, spans[0], "`\(name)`"), qy = try quantity(y, spans[i], "`\(name)`")
                    guard qx.dimension == qy.dimension else {
                        throw Operators(model: interp.session.model).mismatch("compare", qx, qy, spans[i])
                    }
                    let yv = qy.converted(to: qx.unit).value
                    return .quantity(Quantity(isMin ? min(qx.value, yv) : max(qx.value, yv), qx.unit))
                }
            }
            return acc
        default:
            throw fail("unknown function `\(name)`", span)
        }
    }

    /// A field of a contract as `c.NAME` reads it (nil: no such field).
    package static func contractField(_ c: Contract, _ name: String) -> Value? { ContractFields.read(c, name) }

    package static func call(_ name: String, _ a: [Value?], _ s: [Span], _ span: Span, _ interp: inout Interpreter) throws(Diagnostic) -> Value {
        let model = interp.session.model
        switch name {
        case "sum":
            let (xs, u) = try numbers(a[0], s[0], name)
            var acc = CompensatedSum()
            for x in xs { acc.add(x) }
            return .quantity(Quantity(acc.value, u))
        case "mean":
            let (xs, u) = try numbers(a[0], s[0], name)
            guard !xs.isEmpty else { throw fail("`mean` of an empty list", s[0]) }
            var acc = CompensatedSum()
            for x in xs { acc.add(x) }
            return .quantity(Quantity(acc.value / Double(xs.count), u))
        case "count":
            switch a[0] {
            case .list(let xs)?: return .number(Double(xs.count))
            case .map(let es)?: return .number(Double(es.count))
            case .result(let r)?: return .number(Double(r.count))
            default: throw fail("`count` needs a list, not a \(a[0]?.typeName ?? "nothing")", s[0])
            }
        case "sd":
            let (xs, u) = try numbers(a[0], s[0], name)
            guard xs.count > 1 else { throw fail("`sd` needs at least two values", s[0]) }
            return .quantity(Quantity(RunSummary.stats(xs).sd, u))
        case "percentile":
            // A run with several output columns answers with a record, one field per column.
            if case .result(let r)? = a[0], r.outputs.count > 1 {
                var fields: [(name: String, value: Value)] = []
                for c in r.outputs {
                    let one = RunResult(scenario: r.scenario, parameters: [], outputs: [c])
                    var b = a
                    b[0] = .result(one)
                    fields.append((c.name, try call(name, b, s, span, &interp)))
                }
                return .record(Record(fields))
            }
            let (xs, u) = try numbers(a[0], s[0], name)
            guard !xs.isEmpty else { throw fail("`percentile` of an empty list", s[0]) }
            // One percentile selects in linear time; several of a long column
            // select together (one pass, cached); several of a short list share one sort.
            if case .list(let ps)? = a[1], xs.count > 100_000 {
                var fractions: [Double] = []
                for p in ps {
                    let f = try plain(p, s[1], "the percentile")
                    guard f >= 0, f <= 1 else { throw fail("the percentile must be between 0% and 100%", s[1], help: "write `95%` for the 95th percentile") }
                    fractions.append(f)
                }
                return .list(Selection.percentiles(xs, fractions).map { .quantity(Quantity($0, u)) })
            }
            let sorted: [Double]
            if case .list = a[1] { sorted = xs.sorted() } else { sorted = [] }
            return try elementwise(a, [1], span) { (b) throws(Diagnostic) -> Value in
                let p = try plain(b[1], s[1], "the percentile")
                guard p >= 0, p <= 1 else { throw fail("the percentile must be between 0% and 100%", s[1], help: "write `95%` for the 95th percentile") }
                let x = sorted.isEmpty ? Selection.percentiles(xs, [p])[0] : RunSummary.percentile(sorted: sorted, p)
                return .quantity(Quantity(x, u))
            }
        case "abs", "floor", "ceil", "round", "sqrt", "exp", "ln":
            return try elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in try math(name, b, s) }
        case "year", "month", "day", "days_in_month":
            return try elementwise(a, [0], span) { (b) throws(Diagnostic) -> Value in
                let d = try date(b[0], s[0], "the argument of `\(name)`")
                switch name {
                case "year": return .number(Double(d.year))
                case "month": return .number(Double(d.month))
                case "day": return .number(Double(d.day))
                default: return .number(Double(d.daysInMonth))
                }
            }
        case "uniform", "normal", "lognormal", "triangular", "pert", "choice":
            if interp.draw != nil { return try Distributions.draw(name, a, s, span, &interp) }
            throw fail("`\(name)(…)` draws samples only inside a `scenario` declaration", span,
                       help: "declare `scenario mc { x: \(name)(…)\n  samples: 10_000 }` and `run mc: …`")
        case "export":
            return try interp.export(a, s, span)
        case "plot":
            guard let v = a[0] else { throw fail("`plot` needs a value", span) }
            let cs = Plot.charts(v)
            guard !cs.isEmpty else {
                throw fail("nothing to plot in a \(v.typeName)", s[0],
                           help: "plot a list of amounts, a table such as `schedule(c)`, or a run result")
            }
            return .chart(cs)
        case "assert":
            var message = "assertion failed"
            if a.count > 1, case .string(let m)? = a[1] { message = m }
            func holds(_ v: Value?) -> Bool {
                switch v {
                case .bool(let b)?: return b
                case .list(let xs)?: return xs.allSatisfy { holds($0) }
                default: return false
                }
            }
            guard holds(a[0]) else { throw fail(message, span, help: a.count > 1 && a[1] != nil ? nil : "give `assert` a message: `assert(cond, \"…\")`") }
            return .list([])
        default:
            return try ModelQueries.call(name, a, s, span, model)
        }
    }

    static func math(_ name: String, _ b: [Value?], _ s: [Span]) throws(Diagnostic) -> Value {
        let q = try quantity(b[0], s[0], "the argument of `\(name)`")
        switch name {
        case "abs": return .quantity(Quantity(abs(q.value), q.unit))
        case "floor": return .quantity(Quantity(q.value.rounded(.down), q.unit))
        case "ceil": return .quantity(Quantity(q.value.rounded(.up), q.unit))
        case "round":
            var digits = 0.0
            if b.count > 1, let d = b[1] {
                digits = try plain(d, s[1], "`digits`")
                guard digits == digits.rounded(), abs(digits) <= 15 else {
                    throw fail("`digits` must be a whole number from -15 to 15", s[1])
                }
            }
            let f = pow(10, digits)
            let r = (q.value * f).rounded(.toNearestOrAwayFromZero) / f
            return .quantity(Quantity(r.isFinite ? r : q.value, q.unit))
        case "sqrt":
            if q.dimension.isNone { return .number(q.baseValue.squareRoot()) }
            guard q.unit.terms.allSatisfy({ $0.exponent % 2 == 0 }) else {
                throw fail("the square root of \(q.dimension) has no unit", s[0])
            }
            return .quantity(Quantity(q.value.squareRoot(), UnitExpr(terms: q.unit.terms.map { .init(unit: $0.unit, exponent: $0.exponent / 2) })))
        case "exp":
            guard q.dimension.isNone else { throw fail("`exp` needs a plain number, not \(q.dimension)", s[0]) }
            return .number(Foundation.exp(q.baseValue))
        default:
            guard q.dimension.isNone else { throw fail("`ln` needs a plain number, not \(q.dimension)", s[0]) }
            return .number(Foundation.log(q.baseValue))
        }
    }
}
