import LeaseCore

/// A compiled expression's value over the run: a typed column, a contract
/// whose fields vary by row, or a constant the columns do not touch.
indirect enum VNode {
    /// Numbers in `unit`.
    case num(Col, UnitExpr)
    /// Day ordinals (days since 1970-01-01); month-precision dates hold their first day.
    case date(Col, CalendarDate.Precision)
    /// 0 or 1.
    case bool(Col)
    case contract(CCol)
    case record([(name: String, node: VNode)])
    /// Any other constant (strings, lists, clusters…).
    case value(Value)

    static func constant(_ v: Value) -> VNode {
        switch v {
        case .quantity(let q): return .num(.scalar(q.value), q.unit)
        case .date(let d): return .date(.scalar(Double(d.ordinal)), d.precision)
        case .bool(let b): return .bool(.scalar(b ? 1 : 0))
        case .contract(let c): return .contract(CCol(base: c))
        case .record(let r): return .record(r.fields.map { ($0.name, constant($0.value)) })
        default: return .value(v)
        }
    }
}

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

    init(base: Contract) { self.base = base }

    var currencyUnit: UnitExpr { UnitExpr(unit: Units.currency(currency ?? base.currency) ?? 0) }

    static func endCode(_ d: CalendarDate) -> Double {
        Double(d.monthIndex * 32 + (d.precision == .day ? d.day : 0))
    }

    var baseEndCode: Double { CCol.endCode(base.end) }
}
