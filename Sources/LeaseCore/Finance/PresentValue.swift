import Foundation

/// The present value of a contract's payments, as both evaluators compute it.
///
/// Months are split into segments at fixed breaks: every anniversary of the
/// start and of the escalation base, the first renewed month, and each month
/// a discount is listed for (and the month after it). A *plain* month is a
/// whole month, not listed in the discounts, without usage or a termination
/// charge: every plain month of a segment bills the same amount P, so the
/// segment contributes P × (the sum of its discount factors on FixedSum's
/// grid); consecutive segments that bill the same P make one term.
/// Every other month contributes its payment × its discount factor.
/// The contributions are summed with `FixedSum` (independent of order), or,
/// past its range, with `CompensatedSum` in month order. A row of a run costs
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
/// their prefix sums on FixedSum's grid (nil when a power is out of its range).
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
            guard let f = FixedSum.fixed(w) else {
                ok = false
                break
            }
            prefix[j + 1] = prefix[j] &+ f
        }
        self.prefix = ok ? prefix : nil
    }
}

/// The amounts a present value reads, month by month (k = 0 at the start).
/// The vectorized engine's rows conform with plain structs, so
/// `segmentedPresentValue` is specialized for them, not called through closures.
public protocol MonthAmounts {
    /// The amount of a plain month.
    func plain(_ k: Int) -> Double
    /// The amount of any month, charge included.
    func payment(_ k: Int) -> Double
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
    powers: UnsafeBufferPointer<Double>, prefix: UnsafeBufferPointer<Int128>?,
    plain: (Int) -> Double, payment: (Int) -> Double
) -> Double {
    withoutActuallyEscaping(plain) { plain in
        withoutActuallyEscaping(payment) { payment in
            segmentedPresentValue(
                from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, offset: offset, plan: plan,
                listed: listed, segments: segments, powers: powers, prefix: prefix, amounts: ClosureAmounts(plain, payment))
        }
    }
}

/// `segmentedPresentValue` of `amounts`.
@inlinable @inline(__always)
public func segmentedPresentValue<A: MonthAmounts>(
    from a: Int, to b: Int, last: Int, lastIsSpecial: Bool, chargeMonth: Int?, offset: Int,
    plan: UnsafeBufferPointer<Int>, listed: UnsafeBufferPointer<Bool>, segments: Bool,
    powers: UnsafeBufferPointer<Double>, prefix: UnsafeBufferPointer<Int128>?, amounts: A
) -> Double {
    let exact = segmentedPresentValueTerms(
        from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, offset: offset, plan: plan,
        listed: listed, segments: segments, powers: powers, prefix: prefix, amounts: amounts)
    if !exact.hasOverflowed { return exact.value }
    return compensatedPresentValue(
        from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, offset: offset, plan: plan,
        listed: listed, segments: segments, powers: powers, prefix: prefix, amounts: amounts)
}

/// Past FixedSum's range: the same terms in month order, compensated.
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

/// The terms of `segmentedPresentValue` on FixedSum's grid, summed; its
/// value is the present value unless a term was out of range. Every term is
/// summed exactly, so a caller may split the terms between several sums
/// (the vectorized engine adds the listed months' terms from tables) and
/// add the sums: the same bits.
@inlinable @inline(__always)
public func segmentedPresentValueTerms<A: MonthAmounts>(
    from a: Int, to b: Int, last: Int, lastIsSpecial: Bool, chargeMonth: Int?, offset: Int,
    plan: UnsafeBufferPointer<Int>, listed: UnsafeBufferPointer<Bool>, segments: Bool,
    powers: UnsafeBufferPointer<Double>, prefix: UnsafeBufferPointer<Int128>?, amounts: A
) -> FixedSum {
    guard a <= b, segments, let prefix else {
        // Without plain segments every month is a term of its own.
        var exact = FixedSum()
        if a <= b { for k in a...b { exact.add(amounts.payment(k) * powers[k + offset]) } }
        return exact
    }
    var v = ExactTerms(amounts: amounts, powers: powers, prefix: prefix, offset: offset)
    walkSegments(from: a, to: b, last: last, lastIsSpecial: lastIsSpecial, chargeMonth: chargeMonth, plan: plan, listed: listed,
                 grouped: true, &v)
    v.flush()
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

/// The exact terms of a walk. Plain segments that bill the same amount one
/// after another (every year of a lease without escalation) make one term:
/// the amount times the sum of their discount factors, summed exactly on
/// FixedSum's grid.
@usableFromInline
struct ExactTerms<A: MonthAmounts>: SegmentVisitor {
    @usableFromInline let amounts: A
    @usableFromInline let powers: UnsafeBufferPointer<Double>
    @usableFromInline let prefix: UnsafeBufferPointer<Int128>
    @usableFromInline let offset: Int
    @usableFromInline var exact = FixedSum()
    @usableFromInline var amount = 0.0
    @usableFromInline var weight: Int128 = 0
    @usableFromInline var pending = false

    @inlinable init(amounts: A, powers: UnsafeBufferPointer<Double>, prefix: UnsafeBufferPointer<Int128>, offset: Int) {
        self.amounts = amounts
        self.powers = powers
        self.prefix = prefix
        self.offset = offset
    }

    @inlinable @inline(__always) mutating func plain(from k: Int, through e: Int) {
        let p = amounts.plain(k), w = prefix[e + offset + 1] &- prefix[k + offset]
        if pending && p == amount {
            weight &+= w
        } else {
            flush()
            amount = p
            weight = w
            pending = true
        }
    }

    @inlinable @inline(__always) mutating func single(_ k: Int) { exact.add(amounts.payment(k) * powers[k + offset]) }

    @inlinable @inline(__always) mutating func flush() {
        if pending { exact.add(amount * FixedSum.value(weight)) }
        pending = false
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
