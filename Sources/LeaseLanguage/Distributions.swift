import Foundation
import LeaseCore

/// Draws for sampled scenario parameters, from the counter-based generator:
/// the value depends only on seed, parameter, row and the call's position.
package enum Distributions {
    /// A distribution's arguments as numbers on one axis, and the way back to a value.
    package struct Axis {
        package var values: [Double]
        /// Dates are drawn as day ordinals (or month indices, when every argument is a month).
        package var isDate: Bool
        package var isMonth = false
        package var unit: UnitExpr = .none
        package var rebuild: (Double) -> Value
    }

    package static func axis(_ args: [Value?], _ spans: [Span], _ name: String) throws(Diagnostic) -> Axis {
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
            return Axis(values: xs, isDate: false, unit: unit) { .quantity(Quantity($0, unit)) }
        case .date(let d0):
            var xs: [Double] = []
            let months = args.allSatisfy { if case .date(let d)? = $0 { return d.precision == .month }; return false }
            for (i, a) in args.enumerated() {
                guard case .date(let d)? = a else { throw Builtins.fail("the arguments of `\(name)` must all be dates", spans[i]) }
                xs.append(Double(months ? d.monthIndex : d.ordinal))
            }
            return Axis(values: xs, isDate: true, isMonth: months) { x in
                guard x.isFinite, abs(x) < 1e9 else { return .date(CalendarDate(year: 1, month: 1) ?? d0) }
                let i = Int(x.rounded(.down))
                let d = months ? CalendarDate.fromMonthIndex(i) : CalendarDate.fromOrdinal(i)
                return d.map { .date($0) } ?? .date(CalendarDate(year: 1, month: 1) ?? d0)
            }
        default:
            throw Builtins.fail("`\(name)` draws numbers, quantities or dates, not a \(first.typeName)", spans[0])
        }
    }

    /// The distributions, by name, so a column of draws decides once.
    package enum Kind: Sendable {
        case uniform, normal, lognormal, triangular, pert, choice

        package init(_ name: String) {
            switch name {
            case "uniform": self = .uniform
            case "normal": self = .normal
            case "lognormal": self = .lognormal
            case "triangular": self = .triangular
            case "pert": self = .pert
            default: self = .choice
            }
        }
    }

    /// One draw on an axis, shared by the scalar and vectorized evaluators so
    /// both give the same value for the same row.
    package static func coordinate(
        _ name: String, _ xs: [Double], isDate: Bool, seed: UInt64, key: UInt64, row: UInt64, index: UInt64
    ) -> Double {
        coordinate(Kind(name), xs, isDate: isDate, keyed: CounterRNG.keyed(seed: seed, key: key), row: row, index: index)
    }

    /// Rows `first ..< first + n` of a column of draws, into `out`: the same
    /// values as `coordinate` row by row.
    package static func fill(
        _ kind: Kind, _ xs: [Double], isDate: Bool, seed: UInt64, key: UInt64, first: UInt64, count n: Int, index: UInt64,
        into out: UnsafeMutablePointer<Double>
    ) {
        let keyed = CounterRNG.keyed(seed: seed, key: key)
        let i8 = index &* 8
        // One loop a distribution, its arguments read once, so nothing is decided again each row.
        switch kind {
        case .uniform where isDate:
            let (lo, hi) = (xs[0], xs[1])
            for k in 0..<n { out[k] = uniformDay(CounterRNG.uniform(keyed: keyed, row: first &+ UInt64(k), index: i8), lo, hi) }
        case .uniform:
            let (lo, hi) = (xs[0], xs[1])
            for k in 0..<n { out[k] = uniformValue(CounterRNG.uniform(keyed: keyed, row: first &+ UInt64(k), index: i8), lo, hi) }
        case .triangular where xs[2] != xs[0]:
            let (lo, mode, hi) = (xs[0], xs[1], xs[2])
            let fc = (mode - lo) / (hi - lo)
            for k in 0..<n {
                out[k] = triangularValue(CounterRNG.uniform(keyed: keyed, row: first &+ UInt64(k), index: i8), lo, mode, hi, fc)
            }
        default:
            for k in 0..<n { out[k] = coordinate(kind, xs, isDate: isDate, keyed: keyed, row: first &+ UInt64(k), index: index) }
        }
    }

    /// `uniform(lo, hi)` from a uniform draw u in (0, 1).
    @inline(__always)
    static func uniformValue(_ u: Double, _ lo: Double, _ hi: Double) -> Double { lo + u * (hi - lo) }

    /// `uniform(first day, last day)`, both days included, from u: ⌊v⌋ for v ≥ 0
    /// through an integer, without a call to floor.
    @inline(__always)
    static func uniformDay(_ u: Double, _ lo: Double, _ hi: Double) -> Double {
        let v = u * (hi - lo + 1)
        return lo + (v >= 0 && v < 0x1p52 ? Double(Int64(v)) : v.rounded(.down))
    }

    /// `triangular(lo, mode, hi)` from u, with fc = (mode − lo) / (hi − lo) and hi ≠ lo:
    /// lo + √(p (hi − lo)(mode − lo)) below fc, else hi − √((1 − p)(hi − lo)(hi − mode)).
    /// Both sides' arguments are worked out, one square root taken of the one
    /// chosen, and the side chosen again: selects, where a branch on a draw
    /// would be mispredicted every other row.
    @inline(__always)
    static func triangularValue(_ p: Double, _ lo: Double, _ mode: Double, _ hi: Double, _ fc: Double) -> Double {
        let isBelow = p < fc
        let belowArgument = p * (hi - lo) * (mode - lo)
        let aboveArgument = (1 - p) * (hi - lo) * (hi - mode)
        let root = (isBelow ? belowArgument : aboveArgument).squareRoot()
        return isBelow ? lo + root : hi - root
    }

    @inline(__always)
    static func coordinate(_ kind: Kind, _ xs: [Double], isDate: Bool, keyed: UInt64, row: UInt64, index: UInt64) -> Double {
        @inline(__always) func u(_ k: UInt64 = 0) -> Double { CounterRNG.uniform(keyed: keyed, row: row, index: index &* 8 &+ k) }
        switch kind {
        case .uniform:
            return isDate ? uniformDay(u(), xs[0], xs[1]) : uniformValue(u(), xs[0], xs[1])
        case .normal:
            return xs[0] + CounterRNG.normal(keyed: keyed, row: row, index: index &* 8) * xs[1]
        case .lognormal:
            return Foundation.exp(xs[0] + xs[1] * CounterRNG.normal(keyed: keyed, row: row, index: index &* 8))
        case .triangular:
            let (lo, mode, hi) = (xs[0], xs[1], xs[2])
            if hi == lo { return lo }
            return triangularValue(u(), lo, mode, hi, (mode - lo) / (hi - lo))
        case .pert:
            let (lo, mode, hi) = (xs[0], xs[1], xs[2])
            if hi == lo { return lo }
            let alpha = 1 + 4 * (mode - lo) / (hi - lo), beta = 1 + 4 * (hi - mode) / (hi - lo)
            let ga = CounterRNG.gamma(alpha, keyed: keyed, row: row, index: index &* 8 &+ 1)
            let gb = CounterRNG.gamma(beta, keyed: keyed, row: row, index: index &* 8 &+ 2)
            return lo + ga / (ga + gb) * (hi - lo)
        case .choice:  // an index into the list
            return (u() * xs[0]).rounded(.down)
        }
    }

    /// Checks a distribution's arguments; returns its axis (nil for `choice`).
    package static func validate(_ name: String, _ a: [Value?], _ s: [Span], _ span: Span) throws(Diagnostic) -> Axis? {
        if name == "choice" {
            guard case .list(let xs)? = a[0], !xs.isEmpty else { throw Builtins.fail("`choice` needs a non-empty list", s[0]) }
            return nil
        }
        if name == "lognormal" {
            let mu = try Builtins.plain(a[0], s[0], "`mu`"), sigma = try Builtins.plain(a[1], s[1], "`sigma`")
            guard sigma >= 0 else { throw Builtins.fail("`sigma` cannot be negative", s[1]) }
            return Axis(values: [mu, sigma], isDate: false) { .number($0) }
        }
        let ax = try axis(a, s, name)
        switch name {
        case "uniform":
            guard ax.values[1] >= ax.values[0] else { throw Builtins.fail("`uniform(a, b)` needs a ≤ b", span) }
        case "normal":
            guard ax.values[1] >= 0 else { throw Builtins.fail("the sd of `normal` cannot be negative", s[1]) }
        default:
            let (lo, mode, hi) = (ax.values[0], ax.values[1], ax.values[2])
            guard lo <= mode, mode <= hi else { throw Builtins.fail("`\(name)(lo, mode, hi)` needs lo ≤ mode ≤ hi", span) }
        }
        return ax
    }

    static func draw(_ name: String, _ a: [Value?], _ s: [Span], _ span: Span, _ interp: inout Interpreter) throws(Diagnostic) -> Value {
        guard var ctx = interp.draw else { throw Builtins.fail("`\(name)` outside a scenario", span) }
        let index = ctx.next()
        interp.draw = ctx
        let ax = try validate(name, a, s, span)
        guard let ax else {
            guard case .list(let xs)? = a[0] else { return .list([]) }
            let i = coordinate(name, [Double(xs.count)], isDate: false, seed: ctx.seed, key: ctx.key, row: ctx.row, index: index)
            return xs[min(xs.count - 1, max(0, Int(i)))]
        }
        return ax.rebuild(coordinate(name, ax.values, isDate: ax.isDate, seed: ctx.seed, key: ctx.key, row: ctx.row, index: index))
    }
}
