import Foundation

/// The deal terms of LANGUAGE.md §11 a contract may carry beyond its rate:
/// timing, a termination fee, a take-or-pay minimum, a usage-priced part,
/// escalation by an index, a renewal option, and what a termination billed.
public struct ContractTerms: Hashable, Sendable {
    /// Month k is paid at its start (`advance`) or its end (`arrears`).
    public var timing: Timing = .advance
    public var terminationFee: Fee?
    /// Take-or-pay minimum in the contract's currency.
    public var minimum: Double?
    /// Usage price, as written (money per gpu per time).
    public var usage: Quantity?
    public var utilization: Utilization = .constant(1)
    /// Escalation by an index: (month, level), ascending; replaces the compound %.
    public var index: [IndexEntry]?
    public var renewal: Renewal?
    /// Set by `renew`: the first renewed month and the rate it is billed at
    /// from then on (nil: the contract's rate, escalation going on).
    public var renewedFrom: Int?
    public var renewedRate: Quantity?
    /// Set by `terminate`: the fee and shortfall billed in `chargeMonth`.
    public var termination: Termination?

    public init() {}

    public enum Timing: String, Hashable, Sendable { case advance, arrears }

    public enum Fee: Hashable, Sendable {
        /// An amount in the contract's currency.
        case amount(Double)
        /// A number of months of the rate of the effective month, as written.
        case months(Quantity)
    }

    public enum Utilization: Hashable, Sendable {
        case constant(Double)
        /// Month → fraction, ascending; a month takes the latest entry at or before it, 0 before the first.
        case map([IndexEntry])
    }

    public struct IndexEntry: Hashable, Sendable {
        public var month: CalendarDate
        public var value: Double
        public init(month: CalendarDate, value: Double) {
            self.month = month
            self.value = value
        }
    }

    public struct Renewal: Hashable, Sendable {
        public var months: Int
        public var rate: Quantity?
        public init(months: Int, rate: Quantity?) {
            self.months = months
            self.rate = rate
        }
    }

    public struct Termination: Hashable, Sendable {
        /// The day notice was given and the end before it, to write the contract back as a `terminate` call.
        public var noticeOn: CalendarDate
        public var originalEnd: CalendarDate
        public var originalDiscounts: [Contract.Discount]
        /// Month index the fee and shortfall are billed in.
        public var chargeMonth: Int
        public var fee: Double
        public var shortfall: Double
        public var charge: Double { fee + shortfall }

        public init(
            noticeOn: CalendarDate, originalEnd: CalendarDate, originalDiscounts: [Contract.Discount], chargeMonth: Int, fee: Double,
            shortfall: Double
        ) {
            self.noticeOn = noticeOn
            self.originalEnd = originalEnd
            self.originalDiscounts = originalDiscounts
            self.chargeMonth = chargeMonth
            self.fee = fee
            self.shortfall = shortfall
        }
    }

    /// The entry in force in month index `m`: the latest at or before it.
    public static func latest(_ entries: [IndexEntry], _ m: Int) -> Double? {
        var found: Double?
        for e in entries {
            if e.month.monthIndex <= m { found = e.value } else { break }
        }
        return found
    }
}

extension Contract {
    /// Utilization in month index `m`, 0…1.
    public func utilization(_ m: Int) -> Double {
        switch terms.utilization {
        case .constant(let u): return u
        case .map(let es): return ContractTerms.latest(es, m) ?? 0
        }
    }

    /// The monthly rate (in the currency) billed in month index `m`: the
    /// renewal rate from the first renewed month when one was given.
    public func monthly(at m: Int, base: Double) -> Double {
        if let from = terms.renewedFrom, m >= from, let r = terms.renewedRate { return Contract.monthly(r.value, unit: r.unit) }
        return base
    }

    /// The month escalation counts whole years from: the start, or the first
    /// renewed month when the renewal set a new rate.
    public var escalationBase: Int {
        if let from = terms.renewedFrom, terms.renewedRate != nil { return from }
        return firstMonth
    }

    /// Escalation factor of month index `m`: compound by whole years, or the
    /// index at the latest anniversary over the index at the start month.
    public func escalationFactor(_ m: Int) -> Double {
        if let idx = terms.index {
            let k = m - firstMonth
            let anniversary = firstMonth + 12 * (k >= 0 ? k / 12 : 0)
            guard let now = ContractTerms.latest(idx, anniversary), let base = ContractTerms.latest(idx, firstMonth), base != 0 else {
                return 1
            }
            return now / base
        }
        let from = m >= escalationBase ? escalationBase : firstMonth
        let years = (m - from) / 12
        return escalation == 0 ? 1 : pow(1 + escalation, Double(years))
    }

    /// Usage price per gpu-hour in the currency, or nil without a usage part.
    public var usagePerGPUHour: Double? {
        guard let u = terms.usage, Units.currency(currency) != nil, Units.index("h") != nil else { return nil }
        return UnitExpr.convert(u.value, from: u.unit, to: perGPUHourUnit)
    }

    /// The contract's currency per gpu per hour, the unit usage is priced in.
    public var perGPUHourUnit: UnitExpr {
        UnitExpr(terms: currencyUnit.terms + [.init(unit: Units.gpuIndex, exponent: -1), .init(unit: Units.index("h") ?? 0, exponent: -1)])
    }

    /// The usage part of month index `m` before escalation and proration:
    /// usage × gpus × 24 h × days × utilization.
    public func usageBase(_ m: Int, perGPUHour: Double) -> Double {
        let days = Double(CalendarDate.fromMonthIndex(m)?.daysInMonth ?? 30)
        return perGPUHour * gpus.baseValue * 24 * days * utilization(m)
    }

    /// The charge a termination bills in month index `m` (fee and shortfall), else 0.
    public func charge(_ m: Int) -> Double {
        guard let t = terms.termination, t.chargeMonth == m else { return 0 }
        return t.charge
    }

    /// The months anything is billed in: the term, and a charge month before it.
    public var billingMonths: ClosedRange<Int>? {
        var lo = firstMonth, hi = lastMonth
        if let t = terms.termination, t.charge != 0 {
            lo = min(lo, t.chargeMonth)
            hi = max(hi, t.chargeMonth)
        }
        return lo <= hi ? lo...hi : nil
    }

    /// The fee `terminate` bills when notice takes effect in month index `e`.
    func terminationFee(effectiveMonth e: Int) -> Double {
        guard let fee = terms.terminationFee else { return 0 }
        switch fee {
        case .amount(let x): return roundToMinorUnit(x, digits: minorDigits)
        case .months(let q):
            let n = q.months
            let m = max(e, firstMonth)
            return roundToMinorUnit(monthly(at: m, base: monthlyRate) * escalationFactor(m) * n, digits: minorDigits)
        }
    }
}

extension Quantity {
    /// A duration as a number of months: exactly its count for calendar
    /// months or years (`3 months`, `1 year`), else its length over the mean month.
    public var months: Double {
        if unit.terms.count == 1, let m = unit.terms[0].def.calendarMonths { return value * Double(m) }
        return baseValue / Units.secondsPerMonth
    }
}

extension UnitExpr {
    /// An amount in this (money) unit as a number in `to`, another unit of
    /// the same currency: how declarations and runs both convert fees, minimums and prices.
    public func convertAmount(_ x: Double, to: UnitExpr) -> Double {
        self == to ? x : x * factor / to.factor
    }
}
