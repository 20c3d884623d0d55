/// The x in [a, b] where f changes sign, by Brent's method (inverse quadratic
/// interpolation and secant steps, falling back to bisection), to an absolute
/// tolerance of 1e-12 × (b − a) plus 4 ulps of x — the tolerances scipy's
/// `brentq(f, a, b, xtol=1e-12 * (b - a))` uses.
///
/// An end where f is exactly 0 is returned as it is.
/// - Parameters:
///   - a: the lower end of the bracket.
///   - b: the upper end; a ≤ b, both finite.
///   - f: the function; an error it throws is passed on.
/// - Returns: a point within the tolerance of a sign change of f.
/// - Throws: `FinanceError.noSignChangeInBracket` with f(a) and f(b) when they
///   have the same sign or one is NaN; `.invalidBracket` for bad ends.
public func solve(in a: Double, _ b: Double, _ f: (Double) throws -> Double) throws -> Double {
    guard a.isFinite, b.isFinite, a <= b else { throw FinanceError.invalidBracket(a: a, b: b) }
    let fa = try f(a)
    if fa == 0 { return a }
    let fb = try f(b)
    if fb == 0 { return b }
    guard !fa.isNaN, !fb.isNaN, (fa < 0) != (fb < 0) else {
        throw FinanceError.noSignChangeInBracket(a: a, b: b, fa: fa, fb: fb)
    }
    return try brent(a, b, fa, fb, xtol: Solve.relativeBracketTolerance * (b - a), f)
}

/// Integer version for days: the first day d in [a, b] where f(d) is 0 or has
/// the sign of f(b), found by bisection (f is evaluated about log2(b − a) times).
/// - Throws: as `solve`, when f(a) and f(b) do not differ in sign.
public func solveDays(from a: Int, to b: Int, _ f: (Int) throws -> Double) throws -> Int {
    guard a <= b else { throw FinanceError.invalidBracket(a: Double(a), b: Double(b)) }
    let fa = try f(a)
    if fa == 0 { return a }
    let fb = try f(b)
    guard !fa.isNaN, !fb.isNaN, fb == 0 || (fa < 0) != (fb < 0) else {
        throw FinanceError.noSignChangeInBracket(a: Double(a), b: Double(b), fa: fa, fb: fb)
    }
    // Invariant: f(lo) has fa's sign and is not 0; f(hi) is 0 or has the other sign.
    var lo = a
    var hi = b
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2
        let fm = try f(mid)
        if fm != 0, (fm < 0) == (fa < 0) { lo = mid } else { hi = mid }
    }
    return hi
}

/// Constants of `solve`.
public enum Solve {
    /// The absolute tolerance is this fraction of the bracket's width.
    public static let relativeBracketTolerance = 1e-12
    /// Relative tolerance on x, as scipy's default 4 × machine epsilon.
    public static let relativeTolerance = 4 * Double.ulpOfOne
    public static let maxIterations = 500
}

/// Brent's zeroin: b is the best estimate, a the previous one, c the point
/// with f of the other sign, so [b, c] always brackets the root.
private func brent(
    _ a0: Double, _ b0: Double, _ fa0: Double, _ fb0: Double, xtol: Double, _ f: (Double) throws -> Double
) throws -> Double {
    var a = a0
    var b = b0
    var fa = fa0
    var fb = fb0
    var c = a
    var fc = fa
    var d = b - a
    var e = d
    for _ in 0..<Solve.maxIterations {
        if (fb > 0) == (fc > 0) {
            c = a
            fc = fa
            d = b - a
            e = d
        }
        if abs(fc) < abs(fb) {
            a = b
            b = c
            c = a
            fa = fb
            fb = fc
            fc = fa
        }
        let tol = 0.5 * (xtol + Solve.relativeTolerance * abs(b))
        let m = 0.5 * (c - b)
        if abs(m) <= tol || fb == 0 { return b }
        if abs(e) >= tol && abs(fa) > abs(fb) {
            // Interpolate: secant when a == c, inverse quadratic otherwise.
            let s = fb / fa
            var p: Double
            var q: Double
            if a == c {
                p = 2 * m * s
                q = 1 - s
            } else {
                let qa = fa / fc
                let r = fb / fc
                p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1))
                q = (qa - 1) * (r - 1) * (s - 1)
            }
            if p > 0 { q = -q } else { p = -p }
            if 2 * p < min(3 * m * q - abs(tol * q), abs(e * q)) {
                e = d
                d = p / q
            } else {
                d = m
                e = m
            }
        } else {
            d = m
            e = m
        }
        a = b
        fa = fb
        b += abs(d) > tol ? d : (m > 0 ? tol : -tol)
        fb = try f(b)
        if fb.isNaN { throw FinanceError.noSignChangeInBracket(a: a0, b: b0, fa: fa0, fb: fb0) }
    }
    return b
}
