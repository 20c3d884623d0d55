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
        return out
    }

    func buildContract(name: String, values: [String: (Value, Span)], nameSpan: Span) throws(Diagnostic) -> Contract {
        try buildContract(name: name, values: values.mapValues { ($0.0, Optional($0.1)) }, nameSpan: nameSpan)
    }

    func buildContract(name: String, values: [String: (Value, Span?)], nameSpan: Span) throws(Diagnostic) -> Contract {
        for f in values.keys where !Contract.fieldNames.contains(f) {
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
        if let (v, _) = values["escalation"] {
            escalation = try fraction("escalation", v)
            guard escalation > -1, escalation.isFinite else { throw fail("`escalation` must be above -100%", at("escalation")) }
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
        return Contract(
            name: name, lessor: lessor, lessee: lessee, cluster: cluster, share: share, start: start, end: end,
            rate: rate, discounts: discounts, escalation: escalation, notice: notice)
    }
}
