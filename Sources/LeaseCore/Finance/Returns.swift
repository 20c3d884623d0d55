import Foundation

/// Errors of the financial functions; `description` is the message users see.
public enum FinanceError: Error, Equatable, CustomStringConvertible {
    /// A function that needs at least one amount got none.
    case empty(function: String)
    /// Amounts and dates (or payments and months) of different lengths.
    case lengthMismatch(function: String, amounts: Int, dates: Int)
    /// `irr` / `xirr` of amounts without both a positive and a negative one.
    case noSignChange(function: String)
    /// `irr` of amounts whose npv polynomial has no real root at a rate of −100% or more.
    case noRealRoot
    /// `xirr`: Newton's method from 10% did not settle within 100 iterations.
    case notConverged(function: String, iterations: Int, last: Double)
    /// `xirr` / `xnpv`: a date before the first one.
    case dateBeforeFirst(index: Int)
    /// A rate at or below −100%, where discount factors are undefined.
    case rateOutOfRange(function: String, rate: Double)
    /// An amount or rate that is NaN or infinite.
    case notFinite(function: String)
    /// `solve`: f(a) and f(b) have the same sign (or one is not a number).
    case noSignChangeInBracket(a: Double, b: Double, fa: Double, fb: Double)
    /// `solve`: a bracket whose ends are not finite or not in order.
    case invalidBracket(a: Double, b: Double)
    /// Accounting tables: amounts too large to be held exactly in minor units.
    case amountTooLarge(function: String)

    public var description: String {
        switch self {
        case .empty(let f):
            return "\(f) needs at least one amount"
        case .lengthMismatch(let f, let n, let m):
            return "\(f) needs one date per amount: \(n) amounts, \(m) dates"
        case .noSignChange(let f):
            return "\(f) needs at least one negative and one positive amount: without a sign change no rate makes the present value 0"
        case .noRealRoot:
            return "irr: no rate of −100% or more makes the present value 0"
        case .notConverged(let f, let n, let last):
            return "\(f) did not converge: Newton's method from 10% stopped after \(n) iterations (last rate \(Self.percent(last))); the amounts may have no rate of return, or several"
        case .dateBeforeFirst(let i):
            return "xirr/xnpv: date \(i + 1) is before the first date; the first date is the one everything is discounted to"
        case .rateOutOfRange(let f, let r):
            return "\(f): a rate of \(Self.percent(r)) is at or below −100%, where discounting is undefined"
        case .notFinite(let f):
            return "\(f): an amount or rate is not a finite number"
        case .noSignChangeInBracket(let a, let b, let fa, let fb):
            return "solve: no sign change between the ends: lhs − rhs is \(Self.number(fa)) at \(Self.number(a)) and \(Self.number(fb)) at \(Self.number(b))"
        case .invalidBracket(let a, let b):
            return "solve: the bracket \(Self.number(a)) .. \(Self.number(b)) must be finite with the lower end first"
        case .amountTooLarge(let f):
            return "\(f): amounts too large to be kept exactly to the minor unit"
        }
    }

    static func percent(_ r: Double) -> String {
        guard r.isFinite else { return "\(r)" }
        return String(format: "%.6g%%", r * 100)
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        return String(format: "%.10g", x)
    }
}

// MARK: npv and irr (numpy-financial conventions)

/// Present value of amounts one period apart, the first undiscounted:
/// Σ amounts[i] × (1 + rate)^−i (numpy-financial `npv`).
/// - Parameters:
///   - amounts: cash flows, period 0 first, in the currency's base unit.
///   - rate: the per-period rate (0.08 for 8%).
/// - Returns: the present value at period 0, not rounded (LANGUAGE.md §10).
public func npv(_ amounts: [Double], _ rate: Double) -> Double {
    var acc = CompensatedSum()
    let v = 1 / (1 + rate)
    var vk = 1.0
    for a in amounts {
        acc.add(a * vk)
        vk *= v
    }
    return acc.value
}

/// Per-period rate at which `npv(amounts, rate)` is 0, choosing among roots as
/// numpy-financial's `irr` does.
///
/// The candidate rates are g − 1 for the real roots g ≥ 0 of the polynomial
/// amounts[0]·gⁿ + amounts[1]·gⁿ⁻¹ + … + amounts[n], found as the eigenvalues
/// of its companion matrix (balanced, then Francis double-shift QR). One
/// candidate is the answer; among several, the smallest rate ≥ 0 if there is
/// one, otherwise the negative rate closest to 0. The chosen root is then
/// polished by Newton steps on the npv while they reduce it. With a single
/// sign change the one root g > 0 is found directly instead (the same root,
/// in O(n) time rather than the eigenvalues' O(n³)); see `singleRootIRR`.
/// - Throws: `FinanceError.noSignChange` unless there is a positive and a
///   negative amount; `.noRealRoot` when no candidate exists.
public func irr(_ amounts: [Double]) throws(FinanceError) -> Double {
    guard !amounts.isEmpty else { throw .empty(function: "irr") }
    guard amounts.allSatisfy(\.isFinite) else { throw .notFinite(function: "irr") }
    guard amounts.contains(where: { $0 > 0 }), amounts.contains(where: { $0 < 0 }) else {
        throw .noSignChange(function: "irr")
    }
    // Leading zeros do not change the polynomial's roots; trailing zeros are roots g = 0.
    guard let first = amounts.firstIndex(where: { $0 != 0 }), let last = amounts.lastIndex(where: { $0 != 0 }) else {
        throw .noRealRoot
    }
    let core = Array(amounts[first...last])
    if let r = singleRootIRR(core) { return polishIRR(amounts, r) }
    guard let chosen = irrByEigenvalues(core, trailingZeros: amounts.count - 1 - last) else { throw .noRealRoot }
    return polishIRR(amounts, chosen)
}

/// numpy-financial's candidates and choice: rates g − 1 for the real
/// eigenvalues g ≥ 0 of the companion matrix of `core` (no leading or trailing
/// zeros), plus −1 for each trailing zero; the smallest rate ≥ 0, else the
/// largest. Nil without candidates.
func irrByEigenvalues(_ core: [Double], trailingZeros: Int) -> Double? {
    var candidates = Array(repeating: -1.0, count: trailingZeros)
    for root in PolynomialRoots.eigenvalues(ofMonic: core) where root.imaginary == 0 && root.real >= 0 && root.real.isFinite {
        candidates.append(root.real - 1)
    }
    if let r = candidates.filter({ $0 >= 0 }).min() { return r }
    return candidates.max()
}

/// With exactly one sign change among the amounts (an investment, then
/// returns) Descartes' rule leaves exactly one root g > 0, which numpy-financial's
/// choice then always picks (the other candidates are g = 0 from trailing
/// zeros). That root is found directly, in O(n) per step, by `solve` on
/// x = ln(1 + rate), where f(x) = Σ amounts[t]·e^(−t·x) changes sign once;
/// nil when there are several sign changes (then the eigenvalues decide).
/// `core` has no leading or trailing zeros.
func singleRootIRR(_ core: [Double]) -> Double? {
    var changes = 0
    var previous = 0.0
    for v in core where v != 0 {
        if previous != 0, (v < 0) != (previous < 0) { changes += 1 }
        previous = v
    }
    guard changes == 1, let head = core.first, head != 0 else { return nil }
    let f: (Double) -> Double = { x in
        var acc = CompensatedSum()
        for (t, v) in core.enumerated() where v != 0 { acc.add(v * exp(-Double(t) * x)) }
        return acc.value
    }
    // f(+∞) has the sign of the first amount, f(−∞) the other sign.
    let f0 = f(0)
    if f0 == 0 { return 0 }
    let rootAbove = (f0 < 0) != (head < 0)
    var inner = 0.0
    var outer = rootAbove ? 0.01 : -0.01
    var found = false
    for _ in 0..<80 {
        let fo = f(outer)
        if fo == 0 { return expm1(outer) }
        if (fo < 0) != (f0 < 0) {
            found = true
            break
        }
        inner = outer
        outer *= 2
    }
    guard found else { return nil }
    let (a, b) = rootAbove ? (inner, outer) : (outer, inner)
    guard var x = try? solve(in: a, b, f) else { return nil }
    let lo = x - 1e-9
    let hi = x + 1e-9
    if lo >= a, hi <= b, let refined = try? solve(in: lo, hi, f) { x = refined }
    return expm1(x)
}

/// Newton steps on npv(amounts, r) from `r`, kept while they reduce |npv|.
private func polishIRR(_ amounts: [Double], _ r0: Double) -> Double {
    var r = r0
    var fr = abs(npv(amounts, r))
    for _ in 0..<4 {
        guard fr > 0, r > -1 else { break }
        let v = 1 / (1 + r)
        var d = CompensatedSum()
        var vk = v
        for (i, a) in amounts.enumerated() where i > 0 {
            d.add(-Double(i) * a * vk * v)
            vk *= v
        }
        guard d.value != 0, d.value.isFinite else { break }
        let next = r - npv(amounts, r) / d.value
        let fn = abs(npv(amounts, next))
        guard next > -1, fn < fr else { break }
        r = next
        fr = fn
    }
    return r
}

// MARK: xnpv and xirr (Excel conventions)

/// Excel's XNPV: Σ amounts[i] / (1 + rate)^((days[i] − days[0]) / 365).
/// - Parameters:
///   - rate: the annual rate.
///   - amounts: cash flows in the currency's base unit.
///   - days: a day number per amount (any origin, e.g. `CalendarDate.ordinal`);
///     none may be before the first.
/// - Throws: `FinanceError` for empty or mismatched lists, a date before the
///   first, or a rate at or below −100%.
public func xnpv(_ rate: Double, _ amounts: [Double], days: [Int]) throws(FinanceError) -> Double {
    try checkDated("xnpv", amounts, days)
    guard rate.isFinite else { throw .notFinite(function: "xnpv") }
    guard rate > -1 else { throw .rateOutOfRange(function: "xnpv", rate: rate) }
    return xnpvValue(rate, amounts, yearFractions(days))
}

/// Excel's XNPV over calendar dates (a month-precision date is its first day).
public func xnpv(_ rate: Double, _ amounts: [Double], dates: [CalendarDate]) throws(FinanceError) -> Double {
    try xnpv(rate, amounts, days: dates.map(\.ordinal))
}

/// Excel's XIRR: the annual rate where `xnpv` is 0, by Newton's method from
/// 10%, at most 100 iterations, stopping when a step changes the rate by at
/// most 0.000001 percentage points (1e-8), Excel's documented accuracy.
/// - Throws: `FinanceError.noSignChange` without both a positive and a
///   negative amount; `.notConverged` when Newton leaves the rates above
///   −100%, meets a zero derivative, or uses up its 100 iterations.
public func xirr(_ amounts: [Double], days: [Int]) throws(FinanceError) -> Double {
    try checkDated("xirr", amounts, days)
    guard amounts.contains(where: { $0 > 0 }), amounts.contains(where: { $0 < 0 }) else {
        throw .noSignChange(function: "xirr")
    }
    let t = yearFractions(days)
    var r = 0.1
    for i in 1...XIRR.maxIterations {
        var f = CompensatedSum()
        var df = CompensatedSum()
        for (a, ti) in zip(amounts, t) {
            let v = pow(1 + r, -ti)
            f.add(a * v)
            df.add(-ti * a * v / (1 + r))
        }
        guard df.value != 0, df.value.isFinite, f.value.isFinite else {
            throw .notConverged(function: "xirr", iterations: i, last: r)
        }
        let next = r - f.value / df.value
        guard next > -1, next.isFinite else { throw .notConverged(function: "xirr", iterations: i, last: next) }
        if abs(next - r) <= XIRR.tolerance { return next }
        r = next
    }
    throw .notConverged(function: "xirr", iterations: XIRR.maxIterations, last: r)
}

/// Excel's XIRR over calendar dates (a month-precision date is its first day).
public func xirr(_ amounts: [Double], dates: [CalendarDate]) throws(FinanceError) -> Double {
    try xirr(amounts, days: dates.map(\.ordinal))
}

/// The constants of Excel's XIRR.
public enum XIRR {
    public static let guess = 0.1
    public static let maxIterations = 100
    /// 0.000001 percent: the change of the rate in the last Newton step.
    public static let tolerance = 1e-8
}

private func checkDated(_ f: String, _ amounts: [Double], _ days: [Int]) throws(FinanceError) {
    guard !amounts.isEmpty else { throw .empty(function: f) }
    guard amounts.count == days.count else { throw .lengthMismatch(function: f, amounts: amounts.count, dates: days.count) }
    guard amounts.allSatisfy(\.isFinite) else { throw .notFinite(function: f) }
    if let i = days.firstIndex(where: { $0 < days[0] }) { throw .dateBeforeFirst(index: i) }
}

/// Actual/365 from the first day.
private func yearFractions(_ days: [Int]) -> [Double] {
    days.map { Double($0 - days[0]) / 365 }
}

private func xnpvValue(_ rate: Double, _ amounts: [Double], _ t: [Double]) -> Double {
    var acc = CompensatedSum()
    for (a, ti) in zip(amounts, t) { acc.add(a / pow(1 + rate, ti)) }
    return acc.value
}

// MARK: irr of a price

/// Annual rate r at which paying `price` at the first payment's time buys the
/// monthly `payments`: Σ payments[k] × (1 + r)^−((k + offset)/12) == price,
/// offset 0 for payments in advance and 1 in arrears.
///
/// With no negative payment the present value falls as the rate rises, so the
/// root is unique: it is bracketed in x = ln(1 + r)/12 by doubling, found by
/// `solve` (Brent), and the bracket is then narrowed to ±1e-9 around it and
/// solved again, which leaves the result exact to a few ulps. Payments with
/// negative amounts fall back to `irr` on the monthly flows (numpy-financial's
/// root choice), annualised.
/// - Throws: `FinanceError.noSignChange` when the price or all payments are
///   not positive; `.noRealRoot` when no rate gives the price (the first
///   payment in advance alone exceeds it); errors of `irr` otherwise.
public func irr(payments: [Double], price: Double, arrears: Bool = false) throws(FinanceError) -> Double {
    guard !payments.isEmpty else { throw .empty(function: "irr") }
    guard price.isFinite, payments.allSatisfy(\.isFinite) else { throw .notFinite(function: "irr") }
    let offset = arrears ? 1.0 : 0.0
    if payments.contains(where: { $0 < 0 }) {
        var flows = (arrears ? [0] : []) + payments
        flows[0] -= price
        let m = try irr(flows)
        return pow(1 + m, 12) - 1
    }
    guard price > 0, payments.contains(where: { $0 > 0 }) else { throw .noSignChange(function: "irr") }
    // Paying exactly the undiscounted total is a rate of 0, not a root a few ulps away.
    var total = CompensatedSum()
    for p in payments { total.add(p) }
    if total.value == price { return 0 }
    // g(x) = Σ p_k e^{−(k+offset)x} − price, decreasing in x = ln(1 + monthly rate).
    let g: (Double) -> Double = { x in
        var acc = CompensatedSum()
        for (k, p) in payments.enumerated() where p != 0 { acc.add(p * exp(-(Double(k) + offset) * x)) }
        acc.add(-price)
        return acc.value
    }
    var lo = -1.0
    var hi = 1.0
    while g(lo) < 0, lo > -700 { lo *= 2 }
    while g(hi) > 0, hi < 700 { hi *= 2 }
    do {
        var x = try solve(in: lo, hi, g)
        let a = x - 1e-9
        let b = x + 1e-9
        if g(a) * g(b) <= 0 { x = try solve(in: a, b, g) }
        return expm1(12 * x)
    } catch FinanceError.noSignChangeInBracket {
        // No rate at all: e.g. the first payment in advance alone exceeds the price.
        throw .noRealRoot
    } catch let e as FinanceError {
        throw e
    } catch {
        throw .noSignChange(function: "irr")
    }
}
