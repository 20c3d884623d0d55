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
    /// Per row, `a` where the condition column is not 0, else `b`: the two
    /// sides of an `if` that one column cannot hold (amounts in different
    /// units, dates of different precision, different contracts). Every
    /// operation applies to each side as the row-by-row evaluator would to
    /// the side its row takes, so the units of each row are its own.
    case select(Col, VNode, VNode)
    /// A list literal whose elements vary by row.
    case list([VNode])

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
