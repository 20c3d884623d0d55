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
        case "escalation":
            if let idx = c.terms.index { return .map(idx.map { Value.MapEntry(key: .date($0.month), value: .number($0.value)) }) }
            return .quantity(Quantity(c.escalation * 100, UnitExpr(unit: Units.percent)))
        case "timing": return .string(c.terms.timing.rawValue)
        case "termination_fee":
            switch c.terms.terminationFee {
            case .amount(let x)?: return .quantity(Quantity(x, c.currencyUnit))
            case .months(let q)?: return .quantity(q)
            case nil: return nil
            }
        case "minimum": return c.terms.minimum.map { .quantity(Quantity($0, c.currencyUnit)) }
        case "usage": return c.terms.usage.map { .quantity($0) }
        case "utilization":
            switch c.terms.utilization {
            case .constant(let u): return c.terms.usage == nil && u == 1 ? nil : percent(u)
            case .map(let es): return .map(es.map { Value.MapEntry(key: .date($0.month), value: percent($0.value)) })
            }
        case "renewal":
            guard let r = c.terms.renewal else { return nil }
            var fields: [(name: String, value: Value)] = [("months", .number(Double(r.months)))]
            if let rate = r.rate { fields.append(("rate", .quantity(rate))) }
            return .record(Record(fields))
        case "notice": return .quantity(c.notice)
        case "gpus": return .quantity(c.gpus)
        case "power": return .quantity(c.power)
        case "months": return .number(Double(c.months))
        default: return nil
        }
    }

    /// A field as `c.NAME` reads it: a term the contract does not have reads
    /// as its neutral value (no fee or minimum is $0, no usage $0 / gpu / h,
    /// full utilization 100%); only a missing renewal has none.
    static func read(_ c: Contract, _ name: String) -> Value? {
        if let v = value(c, name) { return v }
        let zero = Quantity(0, c.currencyUnit)
        switch name {
        case "termination_fee", "minimum": return .quantity(zero)
        case "usage": return .quantity(Quantity(0, c.perGPUHourUnit))
        case "utilization": return percent(1)
        default: return nil
        }
    }

    static func percent(_ x: Double) -> Value { .quantity(Quantity(x * 100, UnitExpr(unit: Units.percent))) }

    static func type(_ name: String, currency: String?) -> LType? {
        let money = currency.map { Dimension(.currency($0)) }
        switch name {
        case "name", "lessor", "lessee": return .string
        case "cluster": return .cluster
        case "share": return .percent
        case "escalation": return .any
        case "start": return .date(.month)
        case "end": return .date(nil)
        case "rate": return money.map { .quantity($0 / Dimension(.time), unit: nil) } ?? .any
        case "discounts": return .map(key: .date(.month), value: .percent)
        case "timing": return .string
        case "termination_fee", "utilization", "renewal": return .any
        case "minimum": return money.map { .quantity($0, unit: nil) } ?? .any
        case "usage": return money.map { .quantity($0 / Dimension(.gpu) / Dimension(.time), unit: nil) } ?? .any
        case "notice": return .quantity(Dimension(.time), unit: nil)
        case "gpus": return .quantity(Dimension(.gpu), unit: nil)
        case "power": return .quantity(Dimension(.power), unit: nil)
        case "months": return .number
        default: return nil
        }
    }
}
