import LeaseCore

/// Building clusters and contracts from their fields, checked whole: every
/// field's type and dimension, then the relations between fields.
extension Interpreter {
    mutating func buildCluster(name: String, nameSpan: Span, fields: [FieldInit], span: Span) throws(Diagnostic) -> Cluster {
        var values: [String: (Value, Span)] = [:]
        for f in fields {
            guard Cluster.fieldNames.contains(f.name) else {
                throw fail("a cluster has no field `\(f.name)`", f.nameSpan,
                           help: Suggest.didYouMean(f.name, Cluster.fieldNames) ?? "fields: " + Cluster.fieldNames.joined(separator: ", "))
            }
            values[f.name] = (try eval(f.value), f.value.span)
        }
        return try clusterFrom(name: name, values: values, span: nameSpan)
    }

    func clusterFrom(name: String, values: [String: (Value, Span)], span: Span) throws(Diagnostic) -> Cluster {
        for r in Cluster.requiredFields where values[r] == nil {
            throw fail("cluster `\(name)` is missing the field `\(r)`", span,
                       help: r == "power" ? "add `power: 300 MW`" : "add `gpus: 220_000 gpu`")
        }
        func string(_ f: String) throws(Diagnostic) -> String? {
            guard let (v, s) = values[f] else { return nil }
            guard case .string(let x) = v else { throw fail("`\(f)` must be a string, not a \(v.typeName)", s, help: "write `\(f): \"…\"`") }
            return x
        }
        guard let (pv, _) = values["power"], case .quantity(let power) = pv, power.dimension == Dimension(.power) else {
            let s = values["power"]?.1 ?? span
            throw fail("`power` must be a power, such as `300 MW`\(dimNote(values["power"]?.0))", s)
        }
        guard power.value >= 0 else { throw fail("`power` cannot be negative", values["power"]?.1 ?? span) }
        guard let (gv, gs) = values["gpus"], case .quantity(var gpus) = gv else {
            throw fail("`gpus` must be a count of accelerators, such as `220_000 gpu`", values["gpus"]?.1 ?? span)
        }
        if gpus.dimension.isNone && gpus.unit.isEmpty { gpus = Quantity(gpus.value, UnitExpr(unit: Units.gpuIndex)) }
        guard gpus.dimension == Dimension(.gpu) else {
            throw fail("`gpus` must be a count of accelerators, such as `220_000 gpu`\(dimNote(gv))", gs)
        }
        guard gpus.value >= 0 else { throw fail("`gpus` cannot be negative", gs) }
        return Cluster(
            name: name, owner: try string("owner") ?? "", site: try string("site") ?? "", power: power, gpus: gpus,
            gpuModel: try string("gpu_model"))
    }

    private func dimNote(_ v: Value?) -> String {
        guard let v else { return "" }
        if case .quantity(let q) = v { return ", not \(q.dimension.isNone ? "a plain number" : q.dimension.description)" }
        return ", not a \(v.typeName)"
    }

    /// The fields of a contract as values, the starting point of `with`.
    static func contractValues(_ c: Contract) -> [String: (Value, Span?)] {
        var out: [String: (Value, Span?)] = [:]
        for n in Contract.fieldNames { if let v = contractField(c, n) { out[n] = (v, nil) } }
        out[carriedKey] = (.contract(c), nil)
        return out
    }

    /// The key under which `with` passes the contract it copies, for what
    /// only `terminate` and `renew` set (no field name can be written so).
    static let carriedKey = " carried"

    func buildContract(name: String, values: [String: (Value, Span)], nameSpan: Span) throws(Diagnostic) -> Contract {
        try buildContract(name: name, values: values.mapValues { ($0.0, Optional($0.1)) }, nameSpan: nameSpan)
    }

    func buildContract(name: String, values: [String: (Value, Span?)], nameSpan: Span) throws(Diagnostic) -> Contract {
        for f in values.keys where !Contract.fieldNames.contains(f) && f != Self.carriedKey {
            throw fail("a contract has no field `\(f)`", values[f]?.1 ?? nameSpan,
                       help: Suggest.didYouMean(f, Contract.fieldNames) ?? "fields: " + Contract.fieldNames.joined(separator: ", "))
        }
        let missing = Contract.requiredFields.filter { values[$0] == nil }
        if !missing.isEmpty {
            throw fail("contract `\(name)` is missing \(missing.map { "`\($0)`" }.joined(separator: ", "))", nameSpan,
                       help: "a contract needs " + Contract.requiredFields.joined(separator: ", "))
        }
        func at(_ f: String) -> Span { values[f]?.1 ?? nameSpan }
        func string(_ f: String) throws(Diagnostic) -> String {
            guard case .string(let s)? = values[f]?.0 else {
                throw fail("`\(f)` must be a string, such as \"xAI\"\(dimNote(values[f]?.0))", at(f))
            }
            return s
        }
        func fraction(_ f: String, _ v: Value) throws(Diagnostic) -> Double {
            guard case .quantity(let q) = v, q.dimension.isNone else {
                throw fail("`\(f)` must be a percentage, such as 25%\(dimNote(v))", at(f))
            }
            return q.baseValue
        }
        func date(_ f: String) throws(Diagnostic) -> CalendarDate {
            guard case .date(let d)? = values[f]?.0 else {
                throw fail("`\(f)` must be a month, such as 2026-05\(dimNote(values[f]?.0))", at(f))
            }
            return d
        }
        let lessor = try string("lessor"), lessee = try string("lessee")
        guard case .cluster(let cluster)? = values["cluster"]?.0 else {
            throw fail("`cluster` must name a declared cluster\(dimNote(values["cluster"]?.0))", at("cluster"))
        }
        var share = 1.0
        if let (v, _) = values["share"] {
            share = try fraction("share", v)
            guard share > 0, share <= 1 else { throw fail("`share` must be above 0% and at most 100%", at("share")) }
        }
        let start = try date("start")
        guard start.precision == .month else {
            throw fail("`start` is the first billed month; write it as a month", at("start"),
                       help: "write `start: \(start.monthOnly)`")
        }
        let end = try date("end")
        guard end.monthIndex >= start.monthIndex else {
            throw fail("`end` (\(end)) is before `start` (\(start))", at("end"), help: "`end` is the last billed month")
        }
        guard case .quantity(let rate)? = values["rate"]?.0, let cur = rate.dimension.currency, cur.exponent == 1,
            rate.dimension == Dimension(.currency(cur.code)) / Dimension(.time)
        else {
            throw fail("`rate` must be money per unit of time, such as `$1.25B / month`\(dimNote(values["rate"]?.0))", at("rate"))
        }
        guard rate.value.isFinite else { throw fail("`rate` must be finite", at("rate")) }
        var discounts: [Contract.Discount] = []
        if let (v, _) = values["discounts"] {
            let entries: [Value.MapEntry]
            switch v {
            case .map(let es): entries = es
            case .list(let xs) where xs.isEmpty: entries = []
            default:
                throw fail("`discounts` must be a map of months to percentages, such as `[2026-05: 50%]`\(dimNote(v))", at("discounts"))
            }
            for e in entries {
                guard case .date(let m) = e.key else {
                    throw fail("the keys of `discounts` must be months, not a \(e.key.typeName)", at("discounts"))
                }
                let f = try fraction("discounts", e.value)
                guard f >= 0, f <= 1 else {
                    throw fail("the discount for \(m) is \(Format.percent(f)); discounts run from 0% to 100%", at("discounts"))
                }
                guard m.monthIndex >= start.monthIndex, m.monthIndex <= end.monthIndex else {
                    throw fail("the discount month \(m.monthOnly) is outside the term \(start) to \(end.monthOnly)", at("discounts"))
                }
                discounts.append(Contract.Discount(month: m.monthOnly, fraction: f))
            }
        }
        var escalation = 0.0
        var terms = ContractTerms()
        if let (v, _) = values["escalation"] {
            if case .map(let es) = v {
                terms.index = try monthMap(es, field: "escalation", at: at("escalation")) { (x) throws(Diagnostic) -> Double in
                    guard case .quantity(let q) = x, q.dimension.isNone, q.baseValue > 0, q.baseValue.isFinite else {
                        throw fail("the levels of an `escalation` index must be positive numbers, such as 321.4", at("escalation"))
                    }
                    return q.baseValue
                }
                guard let first = terms.index?.first, first.month.monthIndex <= start.monthIndex else {
                    throw fail("the `escalation` index does not cover the start month \(start)", at("escalation"),
                               help: "add the index level of \(start) or earlier, such as `[\(start): 321.4, …]`")
                }
            } else {
                escalation = try fraction("escalation", v)
                guard escalation > -1, escalation.isFinite else { throw fail("`escalation` must be above -100%", at("escalation")) }
            }
        }
        var notice = Quantity(0, UnitExpr(unit: Units.day))
        if let (v, _) = values["notice"] {
            guard case .quantity(let q) = v, q.dimension == Dimension(.time) else {
                throw fail("`notice` must be a duration, such as `90 days`\(dimNote(v))", at("notice"))
            }
            guard q.value >= 0, q.baseValue < 9000 * Units.secondsPerYear else {
                throw fail("`notice` must be a duration from 0 up to 9,000 years", at("notice"))
            }
            notice = q
        }
        var c = Contract(
            name: name, lessor: lessor, lessee: lessee, cluster: cluster, share: share, start: start, end: end,
            rate: rate, discounts: discounts, escalation: escalation, notice: notice)
        try dealTerms(&terms, values: values, currency: cur.code, start: start, at: at)
        // What `terminate` billed and `renew` renewed stay with a copy made by `with`.
        if case .contract(let old)? = values[Self.carriedKey]?.0 {
            terms.termination = old.terms.termination
            terms.renewedFrom = old.terms.renewedFrom
            terms.renewedRate = old.terms.renewedRate
        }
        c.terms = terms
        if let minimum = terms.minimum, terms.termination == nil {
            let total = c.total
            guard minimum <= total else {
                throw fail("`minimum` (\(Format.quantity(Quantity(minimum, c.currencyUnit)))) is above the contract's total (\(Format.quantity(Quantity(total, c.currencyUnit))))",
                           at("minimum"), help: "a take-or-pay minimum is at most what the contract bills in full")
            }
        }
        return c
    }

    /// The entries of a month map, ascending by month, each value checked by `value`.
    func monthMap(
        _ es: [Value.MapEntry], field: String, at span: Span, _ value: (Value) throws(Diagnostic) -> Double
    ) throws(Diagnostic) -> [ContractTerms.IndexEntry] {
        var out: [ContractTerms.IndexEntry] = []
        for e in es {
            guard case .date(let m) = e.key else { throw fail("the keys of `\(field)` must be months, not a \(e.key.typeName)", span) }
            out.append(ContractTerms.IndexEntry(month: m.monthOnly, value: try value(e.value)))
        }
        out.sort { $0.month.monthIndex < $1.month.monthIndex }
        for (a, b) in zip(out, out.dropFirst()) where a.month.monthIndex == b.month.monthIndex {
            throw fail("`\(field)` gives \(a.month) twice", span)
        }
        return out
    }

    /// Timing, termination fee, minimum, usage, utilization and renewal, each
    /// checked as the other fields are, with an error naming the field.
    func dealTerms(
        _ terms: inout ContractTerms, values: [String: (Value, Span?)], currency: String, start: CalendarDate, at: (String) -> Span
    ) throws(Diagnostic) {
        func amount(_ f: String, _ q: Quantity) throws(Diagnostic) -> Double {
            guard let cur = q.dimension.currency, cur.exponent == 1, q.dimension == Dimension(.currency(cur.code)) else {
                throw fail("`\(f)` must be an amount, such as `$500M`", at(f))
            }
            guard cur.code == currency else {
                throw fail("`\(f)` is in \(cur.code) but the contract pays in \(currency)", at(f), help: "write it in \(currency)")
            }
            guard q.value.isFinite, q.value >= 0 else { throw fail("`\(f)` cannot be negative", at(f)) }
            return q.unit.convertAmount(q.value, to: UnitExpr(unit: Units.currency(currency) ?? 0))
        }
        if let (v, _) = values["timing"] {
            guard case .string(let t) = v, let timing = ContractTerms.Timing(rawValue: t) else {
                throw fail("`timing` must be \"advance\" or \"arrears\"", at("timing"))
            }
            terms.timing = timing
        }
        if let (v, _) = values["termination_fee"] {
            guard case .quantity(let q) = v else { throw fail("`termination_fee` must be an amount or a duration", at("termination_fee")) }
            if q.dimension == Dimension(.time) {
                guard q.value.isFinite, q.value >= 0, q.baseValue <= 1200 * Units.secondsPerMonth else {
                    throw fail("`termination_fee` must be a duration from 0 up to 1,200 months", at("termination_fee"))
                }
                terms.terminationFee = q.value == 0 ? nil : .months(q)
            } else {
                guard q.value >= 0 else {
                    throw fail("`termination_fee` cannot be negative", at("termination_fee"), help: "a fee the lessee pays is positive")
                }
                let x = try amount("termination_fee", q)
                // No fee is no term: `termination_fee: $0` removes one a copy had.
                terms.terminationFee = x == 0 ? nil : .amount(x)
            }
        }
        if let (v, _) = values["minimum"] {
            guard case .quantity(let q) = v else { throw fail("`minimum` must be an amount, such as `$30B`", at("minimum")) }
            let x = roundToMinorUnit(try amount("minimum", q), digits: MinorUnit.digits(forCurrency: currency))
            terms.minimum = x == 0 ? nil : x
        }
        if let (v, _) = values["usage"] {
            guard case .quantity(let q) = v, let cur = q.dimension.currency, cur.exponent == 1,
                q.dimension == Dimension(.currency(cur.code)) / Dimension(.gpu) / Dimension(.time)
            else {
                throw fail("`usage` must be money per gpu per unit of time, such as `$0.40 / gpu / h`", at("usage"))
            }
            guard cur.code == currency else {
                throw fail("`usage` is in \(cur.code) but the contract pays in \(currency)", at("usage"), help: "write it in \(currency)")
            }
            guard q.value.isFinite, q.value >= 0 else { throw fail("`usage` cannot be negative", at("usage")) }
            terms.usage = q.value == 0 ? nil : q
        }
        if let (v, _) = values["utilization"] {
            func percent(_ x: Value) throws(Diagnostic) -> Double {
                guard case .quantity(let q) = x, q.dimension.isNone else {
                    throw fail("`utilization` must be a percentage such as 70%, or a map of months to percentages", at("utilization"))
                }
                guard q.baseValue >= 0, q.baseValue <= 1 else {
                    throw fail("utilization of \(Format.percent(q.baseValue)) is outside 0% to 100%", at("utilization"))
                }
                return q.baseValue
            }
            if case .map(let es) = v {
                terms.utilization = .map(try monthMap(es, field: "utilization", at: at("utilization"), percent))
            } else {
                terms.utilization = .constant(try percent(v))
            }
        }
        if let (v, _) = values["renewal"] {
            guard case .record(let r) = v else {
                throw fail("`renewal` must be a record such as `{months: 12, rate: $1.4B / month}`", at("renewal"))
            }
            var months: Int?
            var rate: Quantity?
            for f in r.fields {
                switch (f.name, f.value) {
                case ("months", .quantity(let q)):
                    let n = q.dimension == Dimension(.time) ? q.months : q.baseValue
                    guard q.dimension.isNone || q.dimension == Dimension(.time), n == n.rounded(), n >= 1, n <= 1200 else {
                        throw fail("a renewal runs for a whole number of months from 1 to 1,200", at("renewal"),
                                   help: n == 0 ? "a renewal of zero months renews nothing: remove `renewal` or give it months" : nil)
                    }
                    months = Int(n)
                case ("rate", .quantity(let q)):
                    guard let cur = q.dimension.currency, cur.exponent == 1, q.dimension == Dimension(.currency(cur.code)) / Dimension(.time),
                        q.value.isFinite
                    else { throw fail("the renewal's `rate` must be money per unit of time, such as `$1.4B / month`", at("renewal")) }
                    guard cur.code == currency else {
                        throw fail("the renewal's `rate` is in \(cur.code) but the contract pays in \(currency)", at("renewal"))
                    }
                    rate = q
                default:
                    throw fail("a renewal has `months` (a number) and optionally `rate`; `\(f.name)` is not one of them", at("renewal"))
                }
            }
            guard let months else { throw fail("the renewal needs `months`", at("renewal"), help: "write `renewal: {months: 12}`") }
            terms.renewal = ContractTerms.Renewal(months: months, rate: rate)
        }
    }
}
