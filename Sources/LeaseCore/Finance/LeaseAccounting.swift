import Foundation

/// A lessee's lease table under ASC 842 (operating lease) or IFRS 16, one row
/// per billed month, every amount to the currency's minor unit.
///
/// Both standards share the liability: at the start it is the present value
/// of the fixed payments in advance at the monthly rate (1 + r)^(1/12) − 1;
/// each month the payment reduces it, then it accrues interest, and
/// `liability` is the balance at the month's end. They differ in the expense:
/// ASC 842 books the total of the payments straight-line and amortizes the
/// right-of-use asset by expense − interest; IFRS 16 depreciates the
/// right-of-use asset straight-line and books interest + depreciation.
/// Rounding is described in docs/finance.md.
public struct LeaseAccountingTable: Sendable, Equatable {
    public enum Standard: String, Sendable {
        /// US GAAP ASC 842, operating lease, lessee.
        case asc842 = "ASC 842"
        /// IFRS 16, lessee.
        case ifrs16 = "IFRS 16"
    }

    public struct Row: Sendable, Equatable {
        public var month: CalendarDate
        /// The fixed payment, paid at the month's start.
        public var payment: Double
        /// Interest accrued on the liability after the payment.
        public var interest: Double
        /// Lease liability at the month's end.
        public var liability: Double
        /// Right-of-use asset at the month's end.
        public var rouAsset: Double
        /// The right-of-use asset's reduction: ASC 842's amortization
        /// (expense − interest), IFRS 16's depreciation.
        public var amortization: Double
        /// Lease expense of the month (ASC 842 single straight-line cost;
        /// IFRS 16 interest + depreciation).
        public var expense: Double

        public init(
            month: CalendarDate, payment: Double, interest: Double, liability: Double, rouAsset: Double,
            amortization: Double, expense: Double
        ) {
            self.month = month
            self.payment = payment
            self.interest = interest
            self.liability = liability
            self.rouAsset = rouAsset
            self.amortization = amortization
            self.expense = expense
        }
    }

    public var standard: Standard
    /// (1 + r)^(1/12) − 1.
    public var monthlyRate: Double
    /// Liability (and right-of-use asset) at the start, before the first payment.
    public var initialLiability: Double
    public var rows: [Row]
}

/// ASC 842 operating-lease table for the lessee.
/// - Parameters:
///   - payments: the fixed payment of each billed month, in advance, in the
///     currency's base unit (rounded to the minor unit if they are not).
///   - months: the billed months, one per payment.
///   - rate: the annual incremental borrowing rate.
///   - digits: decimals of the currency's minor unit (`MinorUnit.digits(forCurrency:)`).
/// - Throws: `FinanceError` for empty or mismatched lists, a rate at or below
///   −100%, non-finite or too large amounts.
public func asc842(payments: [Double], months: [CalendarDate], rate: Double, digits: Int) throws(FinanceError)
    -> LeaseAccountingTable
{
    try LeaseAccounting.table(.asc842, payments: payments, months: months, rate: rate, digits: digits)
}

/// IFRS 16 table for the lessee: the same liability as `asc842`, expense =
/// interest + straight-line depreciation of the right-of-use asset.
/// - Throws: as `asc842`.
public func ifrs16(payments: [Double], months: [CalendarDate], rate: Double, digits: Int) throws(FinanceError)
    -> LeaseAccountingTable
{
    try LeaseAccounting.table(.ifrs16, payments: payments, months: months, rate: rate, digits: digits)
}

enum LeaseAccounting {
    /// Amounts are carried as Int64 minor units, exact below 2^53.
    static let limit: Int64 = 1 << 53

    static func table(
        _ standard: LeaseAccountingTable.Standard, payments: [Double], months: [CalendarDate], rate: Double, digits: Int
    ) throws(FinanceError) -> LeaseAccountingTable {
        let name = standard == .asc842 ? "asc842" : "ifrs16"
        guard !payments.isEmpty else { throw .empty(function: name) }
        guard payments.count == months.count else {
            throw .lengthMismatch(function: name, amounts: payments.count, dates: months.count)
        }
        guard rate.isFinite, payments.allSatisfy(\.isFinite) else { throw .notFinite(function: name) }
        guard rate > -1 else { throw .rateOutOfRange(function: name, rate: rate) }
        let d = max(0, min(digits, 9))
        let scale = MinorUnits.powersOfTen[d]
        let rounded = payments.map { roundToMinorUnit($0, digits: d) }
        var p: [Int64] = []
        var total: Int64 = 0
        for x in rounded {
            let units = (x * scale).rounded()
            guard abs(units) < Double(limit) else { throw .amountTooLarge(function: name) }
            p.append(Int64(units))
            total += Int64(units)
            guard abs(total) < limit else { throw .amountTooLarge(function: name) }
        }
        let n = p.count
        let i = pow(1 + rate, 1.0 / 12) - 1
        let pv = roundToMinorUnit(npv(rounded, i), digits: d)
        guard pv.isFinite, abs(pv * scale) < Double(limit) else { throw .amountTooLarge(function: name) }
        let l0 = Int64((pv * scale).rounded())
        let straight = divideHalfEven(total, n)
        let depreciation = divideHalfEven(l0, n)

        var rows: [LeaseAccountingTable.Row] = []
        rows.reserveCapacity(n)
        var liability = l0
        var rou = l0
        for k in 0..<n {
            let balance = liability - p[k]
            let interest: Int64
            if k == n - 2 {
                // The last accrual: the balance must become the last payment exactly.
                interest = p[n - 1] - balance
            } else if k == n - 1 {
                interest = 0
            } else {
                let x = roundToMinorUnit(Double(balance) / scale * i, digits: d)
                guard abs(x * scale) < Double(limit) else { throw .amountTooLarge(function: name) }
                interest = Int64((x * scale).rounded())
            }
            liability = balance + interest
            let expense: Int64
            let reduction: Int64
            switch standard {
            case .asc842:
                expense = k == n - 1 ? total - Int64(n - 1) * straight : straight
                reduction = expense - interest
            case .ifrs16:
                reduction = k == n - 1 ? l0 - Int64(n - 1) * depreciation : depreciation
                expense = interest + reduction
            }
            rou -= reduction
            rows.append(
                LeaseAccountingTable.Row(
                    month: months[k], payment: money(p[k], d), interest: money(interest, d),
                    liability: money(liability, d), rouAsset: money(rou, d), amortization: money(reduction, d),
                    expense: money(expense, d)))
        }
        return LeaseAccountingTable(standard: standard, monthlyRate: i, initialLiability: money(l0, d), rows: rows)
    }

    /// a / n rounded half to even, exactly in integers (n > 0).
    static func divideHalfEven(_ a: Int64, _ n: Int) -> Int64 {
        let m = Int64(n)
        var q = a / m
        let r = a % m
        // |r| compared with n/2: twice the remainder against the divisor.
        let twice = 2 * r.magnitude
        if twice > m.magnitude || (twice == m.magnitude && q % 2 != 0) {
            q += a < 0 ? -1 : 1
        }
        return q
    }

    static func money(_ units: Int64, _ digits: Int) -> Double { MinorUnits.fromMinorUnits(units, digits: digits) }
}
