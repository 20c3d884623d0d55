import Foundation

/// The present value of a contract's payments, as both evaluators compute it.
///
/// Months are split into segments at fixed breaks: every anniversary of the
/// start and of the escalation base, the first renewed month, and each month
/// a discount is listed for (and the month after it). A *plain* month is a
/// whole month, not listed in the discounts, without usage or a termination
/// charge: every plain month of a segment bills the same amount, so the
/// segment contributes that amount × the sum of its discount factors.
///
/// Every term is exact (`PresentValueSum`): a payment in whole minor units
/// (cents) times discount factors on FixedSum's 2^-60 grid, in 128-bit
/// integers, converted to an amount once. So the sum is the same however
/// the months are grouped or split (the vectorized engine adds parts of a
/// row from tables), and only a payment past 2^51 minor units (or discount
/// factors off the grid) sends a present value to `CompensatedSum` in month
/// order. A row of a run costs
/// a few segments instead of one step a month, and the scalar evaluator gets
/// the same bits by running this same code.
public struct PresentValuePlan: Sendable {
    /// Months of the term (k = 0 is the start month).
    public let horizon: Int
    /// `nextBreak[k]`: the first break after k (or `horizon`).
    public let nextBreak: [Int]
    /// Months a discount is listed for.
    public let listed: [Bool]
    /// False when usage makes every month's amount its own.
    public let segments: Bool

    public init(horizon: Int, escalationFrom: Int, renewFrom: Int, discountMonths: [Int], usage: Bool) {
        self.horizon = horizon
        var listed = [Bool](repeating: false, count: max(0, horizon))
        for m in discountMonths where m >= 0 && m < horizon { listed[m] = true }
        var isBreak = [Bool](repeating: false, count: max(0, horizon))
        for k in 0..<max(0, horizon) {
            isBreak[k] = k % 12 == 0 || (k >= escalationFrom && (k - escalationFrom) % 12 == 0) || k == renewFrom || listed[k]
                || (k >= 1 && listed[k - 1])
        }
        var next = [Int](repeating: horizon, count: max(0, horizon))
        var upcoming = horizon
        for k in stride(from: horizon - 1, through: 0, by: -1) {
            next[k] = upcoming
            if isBreak[k] { upcoming = k }
        }
        self.nextBreak = next
        self.listed = listed
        self.segments = !usage
    }
}

/// Powers v^j of a monthly discount factor, as repeated products from 1, and
/// their prefix sums on FixedSum's grid: nil when a power is out of its
/// range, or the sum of all of them reaches 2^74 (so no present value's terms,
/// payments below 2^51 minor units times these weights, can reach 2^125).
public struct DiscountPowers: Sendable {
    public var powers: [Double]
    public var prefix: [Int128]?

    public init(annualRate r: Double, count: Int) {
        let v = pow(1 + r, -1.0 / 12)
        var powers = [Double]()
        powers.reserveCapacity(count)
        var vk = 1.0
        for _ in 0..<count {
            powers.append(vk)
            vk *= v
        }
        self.powers = powers
        var prefix = [Int128](repeating: 0, count: count + 1)
        var ok = true
        for (j, w) in powers.enumerated() {
            guard let f = FixedSum.fixed(w), f >= 0, prefix[j] < PresentValueSum.weightLimit else {
                ok = false
                break
            }
            prefix[j + 1] = prefix[j] &+ f
        }
        self.prefix = ok && prefix[count] < PresentValueSum.weightLimit ? prefix : nil
    }
}

/// The exact sum of present-value terms: Σ q × w, each q a payment in whole
/// minor units and w its discount factor (or a segment's sum of them) on
/// FixedSum's 2^-60 grid, in 128-bit integers. Order and grouping do not
/// change it. The weights of one present value come from one
/// `DiscountPowers`, so they sum to less than 2^74; with |q| < 2^51 the
/// total stays below 2^125 and cannot overflow.
public struct PresentValueSum: Sendable {
    @inlinable public static var weightLimit: Int128 { 1 << 74 }
    /// Payments from 2^51 minor units on (and NaN) are out of range.
    @inlinable public static var unitLimit: Double { 0x1p51 }
    public var total: Int128 = 0
    public var hasOverflowed = false

    @inlinable public init() {}

    /// Adds q × w; q a whole number of minor units.
    @inlinable @inline(__always)
    public mutating func add(units q: Double, weight w: Int128) {
        guard Swift.abs(q) < PresentValueSum.unitLimit else {
            hasOverflowed = true
            return
        }
        total &+= Int128(Int64(q)) &* w
    }

    /// The amount: total × 2^-60 as a double (`FixedSum.value`), divided by 10^digits.
    @inlinable public func value(scale: Double) -> Double { PresentValueSum.value(total, scale: scale) }

    @inlinable @inline(__always)
    public static func value(_ total: Int128, scale: Double) -> Double { FixedSum.value(total) / scale }
}

/// The amounts a present value reads, month by month (k = 0 at the start).
/// The vectorized engine's rows conform with plain structs, so
/// `segmentedPresentValue` is specialized for them, not called through closures.
public protocol MonthAmounts {
    /// The amount of a plain month.
    func plain(_ k: Int) -> Double
    /// The amount of any month, charge included.
    func payment(_ k: Int) -> Double
    /// `plain(k)` in whole minor units: (plain(k) × scale) rounded, which a
    /// conformer may work out without the division by scale.
    func plainUnits(_ k: Int, scale: Double) -> Double
    /// `payment(k)` in whole minor units, likewise.
    func paymentUnits(_ k: Int, scale: Double) -> Double
}

extension MonthAmounts {
    @inlinable @inline(__always)
    public func plainUnits(_ k: Int, scale: Double) -> Double { (plain(k) * scale).rounded(.toNearestOrEven) }
    @inlinable @inline(__always)
    public func paymentUnits(_ k: Int, scale: Double) -> Double { (payment(k) * scale).rounded(.toNearestOrEven) }
}

/// Amounts given by two closures.
@usableFromInline
struct ClosureAmounts: MonthAmounts {
    @usableFromInline let plainAmount: (Int) -> Double
    @usableFromInline let paymentAmount: (Int) -> Double
    @inlinable init(_ plain: @escaping (Int) -> Double, _ payment: @escaping (Int) -> Double) {
        plainAmount = plain
        paymentAmount = payment
    }
    @inlinable func plain(_ k: Int) -> Double { plainAmount(k) }
    @inlinable func payment(_ k: Int) -> Double { paymentAmount(k) }
}

/// Σ payment(k) × v^(k + offset) for k in a...b (relative months), by segments.
/// - Parameters:
///   - last: the last billed month (relative; may be below a for a contract that bills only a charge).
///   - lastIsSpecial: the last month is prorated (its end has a day).
///   - chargeMonth: the month a termination charge is billed in, or nil.
///   - plain: the amount of a plain month.
///   - payment: the amount of any month, charge included.
@inlinable
public func segmentedPresentValue(
    from a: Int, to b: Int, last: Int, lastIsSpecial: Bool, chargeMonth: Int?, offset: Int,
    plan: UnsafeBufferPointer<Int>, listed: UnsafeBufferPointer<Bool>, segments: Bool,
    powers: UnsafeBufferPointer<Double>, prefix: UnsafeBufferPointer<Int128>?, scale: Double,
    plain: (Int) -> Double, payment: (Int) -> Double
) -> Double {
    withoutActuallyEscaping(plain) { plain in
        withoutActuallyEscaping(payment) { payment in
            segmentedPresentValue(
                from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, offset: offset, plan: plan,
                listed: listed, segments: segments, powers: powers, prefix: prefix, scale: scale,
                amounts: ClosureAmounts(plain, payment))
        }
    }
}

/// `segmentedPresentValue` of `amounts`.
@inlinable @inline(__always)
public func segmentedPresentValue<A: MonthAmounts>(
    from a: Int, to b: Int, last: Int, lastIsSpecial: Bool, chargeMonth: Int?, offset: Int,
    plan: UnsafeBufferPointer<Int>, listed: UnsafeBufferPointer<Bool>, segments: Bool,
    powers: UnsafeBufferPointer<Double>, prefix: UnsafeBufferPointer<Int128>?, scale: Double, amounts: A
) -> Double {
    let exact = segmentedPresentValueTerms(
        from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, offset: offset, plan: plan,
        listed: listed, segments: segments, prefix: prefix, scale: scale, amounts: amounts)
    if !exact.hasOverflowed { return exact.value(scale: scale) }
    return compensatedPresentValue(
        from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, offset: offset, plan: plan,
        listed: listed, segments: segments, powers: powers, prefix: prefix, amounts: amounts)
}

/// Past the exact sum's range: the same terms in month order, compensated.
@inlinable @inline(never)
func compensatedPresentValue<A: MonthAmounts>(
    from a: Int, to b: Int, last: Int, lastIsSpecial: Bool, chargeMonth: Int?, offset: Int,
    plan: UnsafeBufferPointer<Int>, listed: UnsafeBufferPointer<Bool>, segments: Bool,
    powers: UnsafeBufferPointer<Double>, prefix: UnsafeBufferPointer<Int128>?, amounts: A
) -> Double {
    var v = CompensatedTerms(amounts: amounts, powers: powers, prefix: prefix, offset: offset)
    walkSegments(from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, plan: plan, listed: listed,
                 grouped: segments && prefix != nil, &v)
    return v.acc.value
}

/// The terms of `segmentedPresentValue`, summed exactly (`PresentValueSum`);
/// its value is the present value unless a payment was out of range or a
/// discount factor off the grid (no prefix sums). A caller may split the
/// terms between several sums (the vectorized engine adds parts of a row
/// from tables) and add their totals: the same bits.
@inlinable @inline(__always)
public func segmentedPresentValueTerms<A: MonthAmounts>(
    from a: Int, to b: Int, last: Int, lastIsSpecial: Bool, chargeMonth: Int?, offset: Int,
    plan: UnsafeBufferPointer<Int>, listed: UnsafeBufferPointer<Bool>, segments: Bool,
    prefix: UnsafeBufferPointer<Int128>?, scale: Double, amounts: A
) -> PresentValueSum {
    var exact = PresentValueSum()
    guard a <= b else { return exact }
    guard let prefix else {
        exact.hasOverflowed = true
        return exact
    }
    guard segments else {
        // Without plain segments every month is a term of its own.
        for k in a...b { exact.add(units: amounts.paymentUnits(k, scale: scale), weight: prefix[k + offset + 1] &- prefix[k + offset]) }
        return exact
    }
    var v = ExactTerms(amounts: amounts, prefix: prefix, offset: offset, scale: scale)
    walkSegments(from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, plan: plan, listed: listed,
                 grouped: true, &v)
    return v.exact
}

/// The terms of a walk in month order, compensated.
@usableFromInline
struct CompensatedTerms<A: MonthAmounts>: SegmentVisitor {
    @usableFromInline let amounts: A
    @usableFromInline let powers: UnsafeBufferPointer<Double>
    @usableFromInline let prefix: UnsafeBufferPointer<Int128>?
    @usableFromInline let offset: Int
    @usableFromInline var acc = CompensatedSum()

    @inlinable init(amounts: A, powers: UnsafeBufferPointer<Double>, prefix: UnsafeBufferPointer<Int128>?, offset: Int) {
        self.amounts = amounts
        self.powers = powers
        self.prefix = prefix
        self.offset = offset
    }

    @inlinable mutating func plain(from k: Int, through e: Int) {
        guard let prefix else { return }
        acc.add(amounts.plain(k) * FixedSum.value(prefix[e + offset + 1] &- prefix[k + offset]))
    }

    @inlinable mutating func single(_ k: Int) { acc.add(amounts.payment(k) * powers[k + offset]) }
}

/// The exact terms of a walk: a plain segment is its amount times the sum
/// of its discount factors, any other month its payment times its factor.
@usableFromInline
struct ExactTerms<A: MonthAmounts>: SegmentVisitor {
    @usableFromInline let amounts: A
    @usableFromInline let prefix: UnsafeBufferPointer<Int128>
    @usableFromInline let offset: Int
    @usableFromInline let scale: Double
    @usableFromInline var exact = PresentValueSum()

    @inlinable init(amounts: A, prefix: UnsafeBufferPointer<Int128>, offset: Int, scale: Double) {
        self.amounts = amounts
        self.prefix = prefix
        self.offset = offset
        self.scale = scale
    }

    @inlinable @inline(__always) mutating func plain(from k: Int, through e: Int) {
        exact.add(units: amounts.plainUnits(k, scale: scale), weight: prefix[e + offset + 1] &- prefix[k + offset])
    }

    @inlinable @inline(__always) mutating func single(_ k: Int) {
        exact.add(units: amounts.paymentUnits(k, scale: scale), weight: prefix[k + offset + 1] &- prefix[k + offset])
    }
}

/// What a walk over a present value's months (`walkSegments`) meets.
public protocol SegmentVisitor {
    /// Plain months k...e, one segment.
    mutating func plain(from k: Int, through e: Int)
    /// Month k, a term of its own.
    mutating func single(_ k: Int)
}

/// The months a...b of a present value in order, as segments of plain months
/// (with `grouped`) and months billed one by one: the one walk that the
/// exact sum, its compensated fallback and the vectorized engine's layouts share.
/// A plain month is whole, not listed and not charged; a plain segment ends at
/// the next break, before a prorated last month and before a charge.
@inlinable @inline(__always)
public func walkSegments<V: SegmentVisitor>(
    from a: Int, to b: Int, last: Int, lastIsSpecial: Bool, chargeMonth: Int?,
    plan: UnsafeBufferPointer<Int>, listed: UnsafeBufferPointer<Bool>, grouped: Bool, _ v: inout V
) {
    let plainEnd = lastIsSpecial ? last - 1 : last
    var k = a
    while k <= b {
        if grouped && k <= plainEnd && !listed[k] && k != chargeMonth {
            var e = min(plan[k] - 1, b, plainEnd)
            if let c = chargeMonth, c > k, c - 1 < e { e = c - 1 }
            v.plain(from: k, through: e)
            k = e + 1
        } else {
            v.single(k)
            k += 1
        }
    }
}
