import Foundation
import LeaseCore

/// Draws for sampled scenario parameters, from the counter-based generator:
/// the value depends only on seed, parameter, row and the call's position.
enum Distributions {
    /// A distribution's arguments as numbers on one axis, and the way back to a value.
    struct Axis {
        var values: [Double]
        var rebuild: (Double) -> Value
    }

    static func axis(_ args: [Value?], _ spans: [Span], _ name: String) throws(Diagnostic) -> Axis {
        guard let first = args.first ?? nil else { throw Builtins.fail("`\(name)` needs arguments", spans[0]) }
        switch first {
        case .quantity(let q0):
            var xs: [Double] = []
            for (i, a) in args.enumerated() {
                guard case .quantity(let q)? = a, q.dimension == q0.dimension else {
                    throw Builtins.fail("the arguments of `\(name)` must share one dimension (\(q0.dimension))", spans[i])
                }
                xs.append(q.converted(to: q0.unit).value)
            }
            let unit = q0.unit
            return Axis(values: xs) { .quantity(Quantity($0, unit)) }
        case .date(let d0):
            var xs: [Double] = []
            let months = args.allSatisfy { if case .date(let d)? = $0 { return d.precision == .month }; return false }
            for (i, a) in args.enumerated() {
                guard case .date(let d)? = a else { throw Builtins.fail("the arguments of `\(name)` must all be dates", spans[i]) }
                xs.append(Double(months ? d.monthIndex : d.ordinal))
            }
            _ = d0
            return Axis(values: xs) { x in
                let i = Int(x.rounded(.down))
                let d = months ? CalendarDate.fromMonthIndex(i) : CalendarDate.fromOrdinal(i)
                return d.map { .date($0) } ?? .date(CalendarDate(year: 1, month: 1) ?? d0)
            }
        default:
            throw Builtins.fail("`\(name)` draws numbers, quantities or dates, not a \(first.typeName)", spans[0])
        }
    }

    static func draw(_ name: String, _ a: [Value?], _ s: [Span], _ span: Span, _ interp: inout Interpreter) throws(Diagnostic) -> Value {
        guard var ctx = interp.draw else { throw Builtins.fail("`\(name)` outside a scenario", span) }
        let index = ctx.next()
        interp.draw = ctx
        func u(_ k: UInt64 = 0) -> Double {
            CounterRNG.uniform(seed: ctx.seed, key: ctx.key, row: ctx.row, index: index &* 8 &+ k)
        }
        switch name {
        case "choice":
            guard case .list(let xs)? = a[0], !xs.isEmpty else { throw Builtins.fail("`choice` needs a non-empty list", s[0]) }
            return xs[min(xs.count - 1, Int(u() * Double(xs.count)))]
        case "uniform":
            let ax = try axis(a, s, name)
            let (lo, hi) = (ax.values[0], ax.values[1])
            guard hi >= lo else { throw Builtins.fail("`uniform(a, b)` needs a ≤ b", span) }
            if case .date? = a[0] { return ax.rebuild(lo + (u() * (hi - lo + 1)).rounded(.down)) }
            return ax.rebuild(lo + u() * (hi - lo))
        case "normal":
            let ax = try axis(a, s, name)
            guard ax.values[1] >= 0 else { throw Builtins.fail("the sd of `normal` cannot be negative", s[1]) }
            let z = CounterRNG.normal(seed: ctx.seed, key: ctx.key, row: ctx.row, index: index &* 8)
            return ax.rebuild(ax.values[0] + z * ax.values[1])
        case "lognormal":
            let mu = try Builtins.plain(a[0], s[0], "`mu`"), sigma = try Builtins.plain(a[1], s[1], "`sigma`")
            guard sigma >= 0 else { throw Builtins.fail("`sigma` cannot be negative", s[1]) }
            let z = CounterRNG.normal(seed: ctx.seed, key: ctx.key, row: ctx.row, index: index &* 8)
            return .number(Foundation.exp(mu + sigma * z))
        case "triangular", "pert":
            let ax = try axis(a, s, name)
            let (lo, mode, hi) = (ax.values[0], ax.values[1], ax.values[2])
            guard lo <= mode, mode <= hi else { throw Builtins.fail("`\(name)(lo, mode, hi)` needs lo ≤ mode ≤ hi", span) }
            if hi == lo { return ax.rebuild(lo) }
            if name == "triangular" {
                let p = u(), fc = (mode - lo) / (hi - lo)
                let x = p < fc ? lo + ((p * (hi - lo) * (mode - lo))).squareRoot() : hi - (((1 - p) * (hi - lo) * (hi - mode))).squareRoot()
                return ax.rebuild(x)
            }
            let alpha = 1 + 4 * (mode - lo) / (hi - lo), beta = 1 + 4 * (hi - mode) / (hi - lo)
            let ga = CounterRNG.gamma(alpha, seed: ctx.seed, key: ctx.key, row: ctx.row, index: index &* 8 &+ 1)
            let gb = CounterRNG.gamma(beta, seed: ctx.seed, key: ctx.key, row: ctx.row, index: index &* 8 &+ 2)
            return ax.rebuild(lo + ga / (ga + gb) * (hi - lo))
        default:
            throw Builtins.fail("unknown distribution `\(name)`", span)
        }
    }
}
