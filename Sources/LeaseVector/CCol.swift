import LeaseCore

/// A contract whose payments vary by row: a constant base and the columns
/// that override it. Ends are coded as `month index × 32 + day`, day 0
/// meaning the whole month is billed.
struct CCol {
    var base: Contract
    /// Monthly rate in the rate's currency (the rate's value × its factor × seconds per month).
    var monthlyRate: Col?
    var currency: String?
    /// Replaces the base's discounts when set: month index and fraction column.
    var discounts: [(month: Int, fraction: Col)]?
    var escalation: Col?
    var end: Col?
    /// Termination fee (an amount, rounded) and take-or-pay minimum when `with` varies them.
    var fee: Col?
    var minimum: Col?
    /// Set by `terminate` when the contract has a fee or a minimum: what is
    /// billed on top of the payments, and the month index it is billed in (−1: none).
    var charge: Col?
    var chargeMonth: Col?
    /// Notice in `noticeUnit`, and share (0…1), when `with` varies them.
    var notice: Col?
    var noticeUnit: UnitExpr = .none
    var share: Col?

    init(base: Contract) { self.base = base }

    var currencyUnit: UnitExpr { UnitExpr(unit: Units.currency(currency ?? base.currency) ?? 0) }

    static func endCode(_ d: CalendarDate) -> Double {
        Double(d.monthIndex * 32 + (d.precision == .day ? d.day : 0))
    }

    var baseEndCode: Double { CCol.endCode(base.end) }

    /// Which of the deal-term and termination columns are set, by name.
    var setTermColumns: [String] {
        [("fee", fee), ("minimum", minimum), ("charge", charge), ("chargeMonth", chargeMonth), ("notice", notice), ("share", share)]
            .compactMap { $0.1 == nil ? nil : $0.0 }
    }

    /// True when no column overrides the base.
    var isConstant: Bool {
        monthlyRate == nil && discounts == nil && escalation == nil && end == nil && fee == nil && minimum == nil && charge == nil
            && notice == nil && share == nil
    }
}
