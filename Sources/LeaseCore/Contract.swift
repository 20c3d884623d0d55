import Foundation

/// A lease of a share of a cluster for a run of calendar months.
///
/// Payments are due monthly in advance. `end` is the last billed month; a
/// day-precision `end` (made by `terminate`) bills that month pro rata by day.
public struct Contract: Hashable, Sendable {
    public var name: String
    public var lessor: String
    public var lessee: String
    public var cluster: Cluster
    /// Fraction of the cluster's power and accelerators, 0 < share ≤ 1.
    public var share: Double
    public var start: CalendarDate
    public var end: CalendarDate
    /// Base payment per unit of time, in one currency (`$1.25B/month`).
    public var rate: Quantity
    /// Payment reductions by month index (`CalendarDate.monthIndex`), 0…1.
    public var discounts: [Discount]
    public var escalation: Double
    /// Termination notice, a time quantity.
    public var notice: Quantity
    /// Timing, fees, minimum, usage, index escalation, renewal (LANGUAGE.md §11).
    public var terms = ContractTerms()

    public struct Discount: Hashable, Sendable {
        public var month: CalendarDate
        public var fraction: Double
        public init(month: CalendarDate, fraction: Double) {
            self.month = month
            self.fraction = fraction
        }
    }

    public static let fieldNames = [
        "lessor", "lessee", "cluster", "share", "start", "end", "rate", "discounts", "escalation", "notice",
        "timing", "termination_fee", "minimum", "usage", "utilization", "renewal",
    ]
    public static let requiredFields = ["lessor", "lessee", "cluster", "start", "end", "rate"]
    public static let readableFields = fieldNames + ["name", "gpus", "power", "months"]

    public init(
        name: String, lessor: String, lessee: String, cluster: Cluster, share: Double, start: CalendarDate,
        end: CalendarDate, rate: Quantity, discounts: [Discount], escalation: Double, notice: Quantity
    ) {
        self.name = name
        self.lessor = lessor
        self.lessee = lessee
        self.cluster = cluster
        self.share = share
        self.start = start
        self.end = end
        self.rate = rate
        self.discounts = discounts
        self.escalation = escalation
        self.notice = notice
    }

    /// The currency payments are made in.
    public var currency: String { rate.unit.moneyCurrency ?? "USD" }
    public var currencyUnit: UnitExpr { UnitExpr(unit: Units.currency(currency) ?? 0) }

    /// The rate per calendar month, in the rate's currency.
    public var monthlyRate: Double { Contract.monthly(rate.value, unit: rate.unit) }

    /// A rate in `unit` (money per time) as money per month: exact when the
    /// unit already is per month, so `$1M / month` pays exactly $1M.
    public static func monthly(_ value: Double, unit: UnitExpr) -> Double { monthly(unit: unit)(value) }

    /// True when `monthly(unit:)` returns its value unchanged (a rate in currency per month).
    public static func isPerMonth(_ unit: UnitExpr) -> Bool {
        guard let cur = unit.moneyCurrency, let ci = Units.currency(cur) else { return false }
        return unit == UnitExpr(terms: [.init(unit: ci, exponent: 1), .init(unit: Units.month, exponent: -1)])
    }

    /// The same conversion with the unit's factors worked out once, for a
    /// column of rates: the arithmetic per value is identical.
    public static func monthly(unit: UnitExpr) -> @Sendable (Double) -> Double {
        guard let cur = unit.moneyCurrency, let ci = Units.currency(cur) else {
            let f = unit.factor
            return { $0 * f * Units.secondsPerMonth }
        }
        let perMonth = UnitExpr(terms: [.init(unit: ci, exponent: 1), .init(unit: Units.month, exponent: -1)])
        if unit == perMonth { return { $0 } }
        let a = unit.factor, b = perMonth.factor
        return { $0 * a / b }
    }

    public var firstMonth: Int { start.monthIndex }
    public var lastMonth: Int { end.monthIndex }

    /// Billed months, a partial last month counted as one.
    public var months: Int { max(0, lastMonth - firstMonth + 1) }

    /// Fraction of month index `m` that is billed: 1 inside the term, the
    /// pro-rata part of a terminated last month, 0 outside.
    public func billedFraction(_ m: Int) -> Double {
        if m < firstMonth || m > lastMonth { return 0 }
        if m == lastMonth && end.precision == .day { return Double(end.day) / Double(end.daysInMonth) }
        return 1
    }

    public func discount(_ m: Int) -> Double {
        discounts.first(where: { $0.month.monthIndex == m })?.fraction ?? 0
    }

    /// Decimals of the currency's minor unit (ISO 4217): 2 for USD, 0 for KRW.
    public var minorDigits: Int { MinorUnit.digits(forCurrency: currency) }

    /// Payment due for month index `m`, as a number in `currency`: an amount
    /// due, rounded to the currency's minor unit, half to even, plus any
    /// termination charge billed that month.
    public func payment(_ m: Int) -> Double { payment(m, monthly: monthlyRate, digits: minorDigits) }

    /// `payment(m)` with the monthly rate and minor unit worked out once for many months.
    func payment(_ m: Int, monthly: Double, digits: Int) -> Double {
        payment(m, monthly: monthly, digits: digits, usage: usagePerGPUHour)
    }

    func payment(_ m: Int, monthly: Double, digits: Int, usage: Double?) -> Double {
        let p = roundToMinorUnit(rawPayment(m, monthly: monthly, usage: usage), digits: digits)
        guard let t = terms.termination, t.chargeMonth == m else { return p }
        return p + t.charge
    }

    /// The fixed payment of month `m`, rounded, without usage or charges
    /// (what lease accounting counts); an index escalation held at its start level.
    public func fixedPayment(_ m: Int) -> Double {
        let f = billedFraction(m)
        if f == 0 { return 0 }
        let esc = terms.index != nil ? 1 : escalationFactor(m)
        return roundToMinorUnit(monthly(at: m, base: monthlyRate) * esc * (1 - discount(m)) * f, digits: minorDigits)
    }

    /// The payment before rounding: rate × escalation × (1 − discount) × billed
    /// fraction, plus usage × gpus × hours × utilization × escalation × billed fraction.
    public func rawPayment(_ m: Int) -> Double { rawPayment(m, monthly: monthlyRate, usage: usagePerGPUHour) }

    func rawPayment(_ m: Int, monthly: Double, usage: Double?) -> Double {
        let f = billedFraction(m)
        if f == 0 { return 0 }
        let esc = escalationFactor(m)
        let fixed = self.monthly(at: m, base: monthly) * esc * (1 - discount(m)) * f
        guard let usage else { return fixed }
        return fixed + usageBase(m, perGPUHour: usage) * esc * f
    }

    /// Sum of payments for month indices in `range`: the exact sum of the
    /// rounded amounts, in whole minor units.
    public func sum(_ range: ClosedRange<Int>) -> Double {
        guard let months = billingMonths else { return 0 }
        let lo = max(range.lowerBound, months.lowerBound)
        let hi = min(range.upperBound, months.upperBound)
        guard lo <= hi else { return 0 }
        let monthly = monthlyRate, digits = minorDigits, usage = usagePerGPUHour
        var acc = AmountSum(digits: digits)
        for m in lo...hi { acc.add(payment(m, monthly: monthly, digits: digits, usage: usage)) }
        return acc.value
    }

    public var total: Double { billingMonths.map { sum($0) } ?? 0 }

    /// Present value at annual rate `r` on the first day of the start month:
    /// month k after start is discounted by (1 + r)^(−k/12) in advance,
    /// (1 + r)^(−(k+1)/12) in arrears.
    public func npv(_ r: Double) -> Double { npv(r, at: firstMonth) }

    /// Present value on the first day of month index `at` of the payments
    /// from that month on: month m discounted by (1 + r)^(−(m − at)/12), one
    /// month more in arrears.
    public func npv(_ r: Double, at: Int) -> Double {
        guard let months = billingMonths else { return 0 }
        let lo = max(at, months.lowerBound), hi = months.upperBound
        guard lo <= hi else { return 0 }
        let first = firstMonth
        let monthly = monthlyRate, digits = minorDigits, usage = usagePerGPUHour
        let horizon = max(0, lastMonth - first) + 1
        // Month k (from the start) is discounted by v^(k + offset).
        let offset = (terms.timing == .arrears ? 1 : 0) - (at - first)
        let powers = DiscountPowers(annualRate: r, count: max(1, hi - first + offset + 1))
        let plan = PresentValuePlan(
            horizon: max(horizon, hi - first + 1), escalationFrom: escalationBase - first,
            renewFrom: terms.renewedFrom.map { $0 - first } ?? Int.max,
            discountMonths: discounts.map { $0.month.monthIndex - first }, usage: usage != nil)
        let chargeMonth = terms.termination.map { $0.chargeMonth - first }
        return plan.nextBreak.withUnsafeBufferPointer { nb in
            plan.listed.withUnsafeBufferPointer { ls in
                powers.powers.withUnsafeBufferPointer { pw in
                    let body = { (prefix: UnsafeBufferPointer<Int128>?) -> Double in
                        segmentedPresentValue(
                            from: lo - first, to: hi - first, last: self.lastMonth - first, lastIsSpecial: self.end.precision == .day,
                            chargeMonth: chargeMonth, offset: offset, plan: nb, listed: ls, segments: plan.segments, powers: pw,
                            prefix: prefix, scale: MinorUnits.scale(max(0, min(digits, 9))),
                            plain: { k in
                                roundToMinorUnit(self.monthly(at: first + k, base: monthly) * self.escalationFactor(first + k) * (1 - 0) * 1,
                                                 digits: digits)
                            },
                            payment: { k in self.payment(first + k, monthly: monthly, digits: digits, usage: usage) })
                    }
                    guard let prefix = powers.prefix else { return body(nil) }
                    return prefix.withUnsafeBufferPointer { body($0) }
                }
            }
        }
    }

    /// The payments, one per billed month (with any termination charge in its month).
    public var cashflows: [Double] {
        guard let months = billingMonths else { return [] }
        let monthly = monthlyRate, digits = minorDigits, usage = usagePerGPUHour
        return months.map { payment($0, monthly: monthly, digits: digits, usage: usage) }
    }

    /// Day on which notice given on `day` takes effect.
    public func effectiveDay(noticeOn day: CalendarDate) -> CalendarDate? { Contract.effectiveDay(noticeOn: day, notice: notice) }

    /// Day on which notice of `notice` given on `day` takes effect: calendar
    /// months for a notice in months or years, else whole days.
    public static func effectiveDay(noticeOn day: CalendarDate, notice: Quantity) -> CalendarDate? {
        if let months = notice.unit.terms.count == 1 ? notice.unit.terms[0].def.calendarMonths : nil,
            notice.value == notice.value.rounded(), abs(notice.value) < 100_000
        {
            return day.adding(months: Int(notice.value) * months)
        }
        let days = notice.baseValue / 86400
        guard days.isFinite, abs(days) < 4_000_000 else { return nil }
        return day.adding(days: Int(days.rounded()))
    }

    /// The copy that ends when notice given on `day` takes effect, billing in
    /// the effective month its termination fee and the shortfall of its
    /// minimum. Nil when the effective day falls outside the calendar.
    public func terminated(noticeOn day: CalendarDate) -> Contract? {
        let d = CalendarDate(year: day.year, month: day.month, day: day.day) ?? day
        guard let e = effectiveDay(noticeOn: d) else { return nil }
        var c = self
        if e.monthIndex > lastMonth { return c }
        if e.monthIndex == lastMonth && end.precision == .day && e.day >= end.day { return c }
        let originalEnd = terms.termination?.originalEnd ?? end
        let originalDiscounts = terms.termination?.originalDiscounts ?? discounts
        c.end = e
        // Months after the new end are no longer billed, so neither are their discounts.
        c.discounts.removeAll { $0.month.monthIndex > e.monthIndex }
        c.terms.termination = nil
        let chargeMonth = max(e.monthIndex, firstMonth)
        let fee = terminationFee(effectiveMonth: e.monthIndex)
        var shortfall = 0.0
        if let minimum = terms.minimum {
            var billed = AmountSum(digits: minorDigits)
            billed.add(c.total)
            billed.add(fee)
            var owed = AmountSum(digits: minorDigits)
            owed.add(minimum)
            owed.add(-billed.value)
            shortfall = max(0, owed.value)
        }
        if fee != 0 || shortfall != 0 || terms.terminationFee != nil || terms.minimum != nil {
            c.terms.termination = ContractTerms.Termination(
                noticeOn: d, originalEnd: originalEnd, originalDiscounts: originalDiscounts, chargeMonth: chargeMonth, fee: fee,
                shortfall: shortfall)
        }
        return c
    }

    /// What a party still pays from `day`'s month on if it gives notice on `day`:
    /// the prorated payments, the termination fee and any shortfall of the minimum.
    public func exposure(at day: CalendarDate) -> Double? {
        guard let t = terminated(noticeOn: day) else { return nil }
        guard let months = t.billingMonths else { return 0 }
        return t.sum(day.monthIndex...max(day.monthIndex, months.upperBound))
    }

    /// Payments from month index `m` to the end.
    public func remaining(from m: Int) -> Double { sum(m...max(m, billingMonths?.upperBound ?? lastMonth)) }

    /// Is the contract billing any of month `m`?
    public func isActive(_ m: Int) -> Bool { m >= firstMonth && m <= lastMonth }

    /// Accelerators leased: share × the cluster's.
    /// Exact in decimal: 70% of 550,000 gpus is 385,000 gpus, not 385,000.00000000006.
    public var gpus: Quantity { Quantity(Model.double(Model.decimal(cluster.gpus.value) * Model.decimal(share)), cluster.gpus.unit) }
    public var power: Quantity { Quantity(Model.double(Model.decimal(cluster.power.value) * Model.decimal(share)), cluster.power.unit) }
}

/// Neumaier's compensated sum: payments of $1.25B summed 37 times stay exact to the cent.
/// A sum of doubles that does not depend on their order: each term is
/// rounded to a grid of 2^-60 (exact for every term of 2^-8 or more) and the
/// terms are added as 128-bit integers, so any grouping of the same terms
/// (month by month, or prefix sums over a table) gives the same bits.
/// Terms of 2^50 or more (or not finite) set `overflowed`: the caller then
/// sums in order with `CompensatedSum` instead.
public struct FixedSum: Sendable {
    @inlinable public static var limit: Double { 0x1p50 }
    @usableFromInline var total: Int128 = 0
    @usableFromInline var overflowed = false
    @inlinable public var sum: Int128 { total }
    @inlinable public var hasOverflowed: Bool { overflowed }

    @inlinable public init() {}

    /// A term on the grid, or nil when it is out of range.
    @inlinable @inline(__always)
    public static func fixed(_ t: Double) -> Int128? {
        guard t.isFinite, abs(t) < limit else { return nil }
        let y = t * 0x1p60
        // Below 2^52 the grid point is the nearest integer; from 2^52 on every
        // double is an integer already: its significand shifted by its
        // exponent, with no rounding (and no call to floor).
        if abs(y) < 0x1p52 { return Int128(Int64(y.rounded(.toNearestOrEven))) }
        let bits = y.bitPattern
        let significand = Int64(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x0010_0000_0000_0000)
        // 0 ≤ shift < 58 here (2^52 ≤ |y| < 2^110): a plain shift, no overflow to check.
        let shift = Int((bits >> 52) & 0x7FF) - 1075
        let magnitude = Int128(significand) &<< shift
        return y < 0 ? 0 &- magnitude : magnitude
    }

    @inlinable @inline(__always)
    public mutating func add(_ t: Double) {
        if let f = FixedSum.fixed(t) { total &+= f } else { overflowed = true }
    }

    @inlinable @inline(__always)
    public mutating func add(fixed f: Int128) { total &+= f }

    @inlinable public var value: Double { FixedSum.value(total) }

    @inlinable @inline(__always)
    public static func value(_ total: Int128) -> Double {
        let hi = Int64(truncatingIfNeeded: total >> 64), lo = UInt64(truncatingIfNeeded: total)
        return (Double(hi) * 0x1p64 + Double(lo)) * 0x1p-60
    }
}

/// The exact sum of amounts due, each a whole number of minor units (cents):
/// summed as integers, converted to the nearest double once.
public struct AmountSum: Sendable {
    public let digits: Int
    private var units: Int64 = 0
    private var fallback: CompensatedSum?
    private let scale: Double

    public init(digits: Int) {
        self.digits = max(0, min(digits, 9))
        scale = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9][self.digits]
    }

    public mutating func add(_ x: Double) {
        if var f = fallback {
            f.add(x)
            fallback = f
            return
        }
        let y = (x * scale).rounded(.toNearestOrEven)
        if y.isFinite, abs(y) < 0x1p62 {
            let (s, overflow) = units.addingReportingOverflow(Int64(y))
            if !overflow {
                units = s
                return
            }
        }
        var f = CompensatedSum()
        f.add(Double(units) / scale)
        f.add(x)
        fallback = f
    }

    public var value: Double {
        if let f = fallback { return f.value }
        return AmountSum.value(units: units, digits: digits)
    }

    /// The double nearest `units` × 10^−digits.
    public static func value(units: Int64, digits: Int) -> Double {
        if units == 0 { return 0 }
        let scale = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9][max(0, min(digits, 9))]
        if units.magnitude <= 1 << 53 { return Double(units) / scale }
        return Double("\(units)e-\(digits)") ?? Double(units) / scale
    }
}

public struct CompensatedSum: Sendable {
    private var sum = 0.0
    private var c = 0.0
    public init() {}
    public mutating func add(_ x: Double) {
        let t = sum + x
        // Past the finite doubles the correction means nothing: ∞ stays ∞.
        if t.isFinite {
            if abs(sum) >= abs(x) { c += (sum - t) + x } else { c += (x - t) + sum }
        }
        sum = t
    }
    public var value: Double { sum.isFinite ? sum + c : sum }
}
