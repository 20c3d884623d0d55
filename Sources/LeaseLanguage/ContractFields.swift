import LeaseCore

/// The fields of a contract as the language reads them (`c.rate`), for the
/// evaluator and the checker alike.
enum ContractFields {
    static func value(_ c: Contract, _ name: String) -> Value? {
        switch name {
        case "name": return .string(c.name)
        case "lessor": return .string(c.lessor)
        case "lessee": return .string(c.lessee)
        case "cluster": return .cluster(c.cluster)
        case "share": return .quantity(Quantity(c.share * 100, UnitExpr(unit: Units.percent)))
        case "start": return .date(c.start)
        case "end": return .date(c.end)
        case "rate": return .quantity(c.rate)
        case "discounts":
            return .map(c.discounts.map {
                Value.MapEntry(key: .date($0.month), value: .quantity(Quantity($0.fraction * 100, UnitExpr(unit: Units.percent))))
            })
        case "escalation": return .quantity(Quantity(c.escalation * 100, UnitExpr(unit: Units.percent)))
        case "notice": return .quantity(c.notice)
        case "gpus": return .quantity(c.gpus)
        case "power": return .quantity(c.power)
        case "months": return .number(Double(c.months))
        default: return nil
        }
    }

    static func type(_ name: String, currency: String?) -> LType? {
        let money = currency.map { Dimension(.currency($0)) }
        switch name {
        case "name", "lessor", "lessee": return .string
        case "cluster": return .cluster
        case "share", "escalation": return .percent
        case "start": return .date(.month)
        case "end": return .date(nil)
        case "rate": return money.map { .quantity($0 / Dimension(.time), unit: nil) } ?? .any
        case "discounts": return .map(key: .date(.month), value: .percent)
        case "notice": return .quantity(Dimension(.time), unit: nil)
        case "gpus": return .quantity(Dimension(.gpu), unit: nil)
        case "power": return .quantity(Dimension(.power), unit: nil)
        case "months": return .number
        default: return nil
        }
    }
}
