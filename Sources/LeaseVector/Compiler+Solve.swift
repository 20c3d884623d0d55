import Foundation
import LeaseCore
import LeaseLanguage

/// `solve x in a .. b: lhs == rhs` inside a run: Brent's method in lockstep,
/// every row taking the steps `LeaseCore.solve(in:)` takes for it, with the
/// compiled sides evaluated once per step for a column of trial x.
extension Compiler {
    mutating func solveNode(
        _ v: String, _ fromE: Expr, _ toE: Expr, _ lhs: Expr, _ rhs: Expr, _ env: [String: VNode]
    ) throws(Unsupported) -> VNode {
        guard draw == nil else { throw Unsupported("solve in a sampled parameter") }
        let from = try node(fromE, env), to = try node(toE, env)
        if case .date(let ac, let ap) = from, case .date(let bc, let bp) = to {
            return try solveDates(v, ac, bc, months: ap == .month && bp == .month, lhs, rhs, env)
        }
        guard case .num(let ac, let au) = from, case .num(let bc0, let bu) = to, au.dimension == bu.dimension
        else { throw Unsupported("a solve bracket that is not two quantities or two dates") }
        let bc = bu == au ? bc0 : convert(bc0, from: bu, to: au)
        let all = Array(space.sizes.indices)
        let aRows = space.expand(ac), bRows = space.expand(bc)
        let n = aRows.count
        guard bRows.count == n else { throw Unsupported("solve bracket") }
        var lo = [Double](repeating: 0, count: n), hi = lo
        for i in 0..<n {
            guard aRows[i].isFinite, bRows[i].isFinite else { throw Unsupported("a solve bracket that is not finite") }
            lo[i] = min(aRows[i], bRows[i])
            hi[i] = max(aRows[i], bRows[i])
        }
        let baseSteps = steps
        func gap(_ xs: [Double]) throws(Unsupported) -> [Double] {
            steps = baseSteps
            return try sideGap(v, .num(Col(axes: all, data: xs), au), lhs, rhs, env, rows: n)
        }
        // As `solve(in:)`: f(a), f(b), an end where f is 0, then Brent's zeroin.
        var fa = try gap(lo)
        var fb = try gap(hi)
        var result = [Double](repeating: 0, count: n)
        var active: [Int] = []
        for i in 0..<n {
            if fa[i] == 0 {
                result[i] = lo[i]
            } else if fb[i] == 0 {
                result[i] = hi[i]
            } else {
                guard !fa[i].isNaN, !fb[i].isNaN, (fa[i] < 0) != (fb[i] < 0) else {
                    throw Unsupported("no sign change in the bracket of solve in some row")
                }
                active.append(i)
            }
        }
        var a = lo, b = hi
        var c = a, fc = fa
        var d = [Double](repeating: 0, count: n)
        for i in 0..<n { d[i] = b[i] - a[i] }
        var e = d
        var xtol = d
        for i in 0..<n { xtol[i] = Solve.relativeBracketTolerance * (hi[i] - lo[i]) }
        var evaluations = 0
        while !active.isEmpty {
            guard evaluations < Solve.maxIterations else {
                for i in active { result[i] = b[i] }
                break
            }
            var still: [Int] = []
            for i in active {
                if (fb[i] > 0) == (fc[i] > 0) {
                    c[i] = a[i]
                    fc[i] = fa[i]
                    d[i] = b[i] - a[i]
                    e[i] = d[i]
                }
                if abs(fc[i]) < abs(fb[i]) {
                    a[i] = b[i]
                    b[i] = c[i]
                    c[i] = a[i]
                    fa[i] = fb[i]
                    fb[i] = fc[i]
                    fc[i] = fa[i]
                }
                let tol = 0.5 * (xtol[i] + Solve.relativeTolerance * abs(b[i]))
                let m = 0.5 * (c[i] - b[i])
                if abs(m) <= tol || fb[i] == 0 {
                    result[i] = b[i]
                    continue
                }
                if abs(e[i]) >= tol && abs(fa[i]) > abs(fb[i]) {
                    let s = fb[i] / fa[i]
                    var p: Double
                    var q: Double
                    if a[i] == c[i] {
                        p = 2 * m * s
                        q = 1 - s
                    } else {
                        let qa = fa[i] / fc[i]
                        let r = fb[i] / fc[i]
                        p = s * (2 * m * qa * (qa - r) - (b[i] - a[i]) * (r - 1))
                        q = (qa - 1) * (r - 1) * (s - 1)
                    }
                    if p > 0 { q = -q } else { p = -p }
                    if 2 * p < min(3 * m * q - abs(tol * q), abs(e[i] * q)) {
                        e[i] = d[i]
                        d[i] = p / q
                    } else {
                        d[i] = m
                        e[i] = m
                    }
                } else {
                    d[i] = m
                    e[i] = m
                }
                a[i] = b[i]
                fa[i] = fb[i]
                b[i] += abs(d[i]) > tol ? d[i] : (m > 0 ? tol : -tol)
                still.append(i)
            }
            active = still
            if active.isEmpty { break }
            let fx = try gap(b)
            evaluations += 1
            for i in active {
                fb[i] = fx[i]
                if fb[i].isNaN { throw Unsupported("solve met a value that is not a number") }
            }
        }
        steps = baseSteps
        return .num(Col(axes: all, data: result), au)
    }

    /// lhs − rhs in base units (days for dates) with `v` bound to `x`, one per row.
    mutating func sideGap(
        _ v: String, _ x: VNode, _ lhs: Expr, _ rhs: Expr, _ env: [String: VNode], rows n: Int
    ) throws(Unsupported) -> [Double] {
        var inner = env
        inner[v] = x
        let space = self.space
        let l = try node(lhs, inner), r = try node(rhs, inner)
        let g = try Compiler.spread(space, [l, r]) { (ns) throws(Unsupported) -> VNode in
            switch (ns[0], ns[1]) {
            case (.num(let p, let pu)?, .num(let q, let qu)?) where pu.dimension == qu.dimension:
                return .num(space.map(p, q) { pu.toBase($0) - qu.toBase($1) }, .none)
            case (.date(let p, _)?, .date(let q, _)?):
                return .num(space.map(p, q) { $0 - $1 }, .none)
            default:
                throw Unsupported("solve sides that are not numbers, quantities or dates")
            }
        }
        guard case .num(let c, _) = g else { throw Unsupported("solve sides") }
        let out = space.expand(c)
        guard out.count == n else { throw Unsupported("solve sides") }
        return out
    }

    /// A bracket of dates, as `solveDays`: bisection over days (months when
    /// both ends are months) to the first one where lhs − rhs is 0 or has the
    /// sign it has at the later end.
    mutating func solveDates(
        _ v: String, _ ac: Col, _ bc: Col, months: Bool, _ lhs: Expr, _ rhs: Expr, _ env: [String: VNode]
    ) throws(Unsupported) -> VNode {
        let all = Array(space.sizes.indices)
        let aRows = space.expand(ac), bRows = space.expand(bc)
        let n = aRows.count
        guard bRows.count == n else { throw Unsupported("solve bracket") }
        /// A day ordinal as the index bisection runs over.
        func index(_ o: Double) -> Int? {
            guard let d = CalendarDate.fromOrdinal(Int(o)) else { return nil }
            return months ? d.monthIndex : d.ordinal
        }
        func ordinal(_ i: Int) -> Double? {
            (months ? CalendarDate.fromMonthIndex(i) : CalendarDate.fromOrdinal(i)).map { Double($0.ordinal) }
        }
        var lo = [Int](repeating: 0, count: n), hi = lo
        for i in 0..<n {
            guard let ia = index(aRows[i]), let ib = index(bRows[i]) else { throw Unsupported("a solve bracket outside the calendar") }
            lo[i] = min(ia, ib)
            hi[i] = max(ia, ib)
            guard ordinal(lo[i]) != nil, ordinal(hi[i]) != nil else { throw Unsupported("a solve bracket outside the calendar") }
        }
        let baseSteps = steps
        func gap(_ xs: [Int]) throws(Unsupported) -> [Double] {
            var ords = [Double](repeating: 0, count: n)
            for i in 0..<n {
                guard let o = ordinal(xs[i]) else { throw Unsupported("solve reached a date outside the calendar") }
                ords[i] = o
            }
            steps = baseSteps
            return try sideGap(v, .date(Col(axes: all, data: ords), months ? .month : .day), lhs, rhs, env, rows: n)
        }
        let fa = try gap(lo)
        let fb = try gap(hi)
        var result = lo
        var active: [Int] = []
        for i in 0..<n {
            if fa[i] == 0 { continue }
            guard !fa[i].isNaN, !fb[i].isNaN, fb[i] == 0 || (fa[i] < 0) != (fb[i] < 0) else {
                throw Unsupported("no sign change in the bracket of solve in some row")
            }
            if hi[i] - lo[i] > 1 { active.append(i) } else { result[i] = hi[i] }
        }
        var l = lo, h = hi
        while !active.isEmpty {
            var mid = h
            for i in active { mid[i] = l[i] + (h[i] - l[i]) / 2 }
            let fm = try gap(mid)
            var still: [Int] = []
            for i in active {
                if fm[i] != 0, (fm[i] < 0) == (fa[i] < 0) { l[i] = mid[i] } else { h[i] = mid[i] }
                if h[i] - l[i] > 1 { still.append(i) } else { result[i] = h[i] }
            }
            active = still
        }
        steps = baseSteps
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            guard let o = ordinal(result[i]) else { throw Unsupported("solve reached a date outside the calendar") }
            out[i] = o
        }
        return .date(Col(axes: all, data: out), months ? .month : .day)
    }
}
