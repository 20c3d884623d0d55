import LeaseCore

/// The lease and capacity queries of LANGUAGE.md section 5, each applied
/// elementwise over lists of contracts and dates.
enum ModelQueries {
    static func fail(_ m: String, _ s: Span, help: String? = nil) -> Diagnostic { Diagnostic(.runtime, m, at: s, help: help) }

    static func month(_ v: Value?, _ s: Span, _ what: String) throws(Diagnostic) -> CalendarDate {
        try Builtins.date(v, s, what)
    }

    static func call(_ name: String, _ a: [Value?], _ s: [Span], _ span: Span, _ model: Model) throws(Diagnostic) -> Value {
        switch name {
        case "payment":
            return try Builtins.elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                let m = try month(b[1], s[1], "the month")
                return Builtins.money(c.payment(m.monthIndex), c)
            }
        case "months":
            return try Builtins.elementwise(a, [0], span) { (b) throws(Diagnostic) -> Value in
                .number(Double(try Builtins.contract(b[0], s[0]).months))
            }
        case "total":
            return try Builtins.elementwise(a, [0], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                return Builtins.money(c.total, c)
            }
        case "schedule":
            // A list of contracts is one table, with the contract's name first.
            if case .list(let xs)? = a[0] {
                var rows: [Value] = []
                for x in xs {
                    let c = try Builtins.contract(x, s[0])
                    for case .record(let r) in schedule(c) { rows.append(.record(Record([("contract", .string(c.name))] + r.fields))) }
                }
                return .list(rows)
            }
            return .list(schedule(try Builtins.contract(a[0], s[0])))
        case "paid":
            return try paid(a, s, span)
        case "npv":
            if FinanceQueries.isAmounts(a[0]) { return try FinanceQueries.npv(list: a[0], a[1], s, span) }
            return try Builtins.elementwise(a, [0, 1, 2], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                let r = try rate(b[1], s[1])
                if b.count > 2, let at = b[2] {
                    return Builtins.money(c.npv(r, at: try month(at, s[2], "`at`").monthIndex), c)
                }
                return Builtins.money(c.npv(r), c)
            }
        case "terminate":
            return try Builtins.elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                let d = try month(b[1], s[1], "`notice_on`")
                guard let t = c.terminated(noticeOn: d) else { throw fail("the effective day falls outside years 1–9999", s[1]) }
                return .contract(t)
            }
        case "exposure":
            return try Builtins.elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                let d = try month(b[1], s[1], "`at`")
                guard let x = c.exposure(at: d) else { throw fail("the effective day falls outside years 1–9999", s[1]) }
                return Builtins.money(x, c)
            }
        case "remaining":
            return try Builtins.elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                let d = try month(b[1], s[1], "`at`")
                return Builtins.money(c.remaining(from: d.monthIndex), c)
            }
        case "capacity":
            // At a list of months: a table, the month first.
            let table: Bool
            if case .list? = a[1] { table = true } else { table = false }
            return try Builtins.elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in
                let k = try Builtins.cluster(b[0], s[0])
                let m = try month(b[1], s[1], "`at`")
                // Shares add up exactly: ten contracts of 10% leave 0 gpus.
                let leased = model.exactLeasedShare(of: k.name, month: m.monthIndex)
                let fields: [(name: String, value: Value)] = [
                    ("power", .quantity(k.power)),
                    ("gpus", .quantity(k.gpus)),
                    ("leased", .quantity(Quantity(Model.double(leased * 100), UnitExpr(unit: Units.percent)))),
                    ("free_power", .quantity(Quantity(Model.free(k.power.value, leased: leased), k.power.unit))),
                    ("free_gpus", .quantity(Quantity(Model.free(k.gpus.value, leased: leased), k.gpus.unit))),
                ]
                return .record(Record(table ? [("month", .date(m))] + fields : fields))
            }
        case "contracts":
            return try Builtins.elementwise(a, [0], span) { (b) throws(Diagnostic) -> Value in
                let k = try Builtins.cluster(b[0], s[0])
                return .list(model.contracts(on: k.name).map { .contract($0) })
            }
        case "revenue", "spend":
            return try partyTotal(name == "revenue", a, s, span, model)
        default:
            if FinanceQueries.names.contains(name) { return try FinanceQueries.call(name, a, s, span, model) }
            throw fail("unknown function `\(name)`", span)
        }
    }

    static func schedule(_ c: Contract) -> [Value] {
        var rows: [Value] = []
        var acc = AmountSum(digits: c.minorDigits)
        guard let months = c.billingMonths else { return [] }
        for m in months {
            let p = c.payment(m)
            acc.add(p)
            let d = CalendarDate.fromMonthIndex(m) ?? c.start
            rows.append(.record(Record([("month", .date(d)), ("payment", Builtins.money(p, c)), ("cumulative", Builtins.money(acc.value, c))])))
        }
        return rows
    }

    static func rate(_ v: Value?, _ s: Span) throws(Diagnostic) -> Double {
        guard case .quantity(let q)? = v, q.dimension.isNone else {
            throw fail("the discount rate must be a plain annual rate such as 8%", s,
                       help: "write `npv(c, 8%)`: the rate is per year")
        }
        let r = q.baseValue
        guard r > -1 else { throw fail("the discount rate must be above -100%", s) }
        return r
    }

    /// Month indices a period names: a year (`2027`) or a month. Lists of
    /// either are applied elementwise by the callers.
    static func period(_ v: Value?, _ s: Span) throws(Diagnostic) -> ClosedRange<Int> {
        switch v {
        case .quantity(let q)? where q.dimension.isNone:
            let y = q.baseValue
            guard y == y.rounded(), y >= 1, y <= 9999 else { throw fail("a year must be a whole number such as 2027", s) }
            let i = Int(y) * 12
            return i...(i + 11)
        case .date(let d)?:
            return d.monthIndex...d.monthIndex
        default:
            throw fail("a period is a year (`2027`) or a month (`2027-03`), or a list of them; for a range of months use `paid(c, from, to)`", s)
        }
    }

    static func paid(_ a: [Value?], _ s: [Span], _ span: Span) throws(Diagnostic) -> Value {
        try Builtins.elementwise(a, [0, 1, 2], span) { (b) throws(Diagnostic) -> Value in
            let c = try Builtins.contract(b[0], s[0])
            if b.count > 2, let to = b[2] {
                let from = try month(b[1], s[1], "`from`")
                let end = try month(to, s[2], "`to`")
                guard end.monthIndex >= from.monthIndex else { return Builtins.money(0, c) }
                return Builtins.money(c.sum(from.monthIndex...end.monthIndex), c)
            }
            return Builtins.money(c.sum(try period(b[1], s[1])), c)
        }
    }

    static func partyTotal(_ asLessor: Bool, _ a: [Value?], _ s: [Span], _ span: Span, _ model: Model) throws(Diagnostic) -> Value {
        try Builtins.elementwise(a, [0, 1, 2], span) { (b) throws(Diagnostic) -> Value in
            guard case .string(let party)? = b[0] else {
                throw fail("the party must be a name in quotes, such as \"xAI\"", s[0])
            }
            var range: ClosedRange<Int>?
            if b.count > 2, let to = b[2] {
                let from = try month(b[1], s[1], "`from`"), end = try month(to, s[2], "`to`")
                // A range that runs backwards holds no month (as `paid`).
                if end.monthIndex >= from.monthIndex { range = from.monthIndex...end.monthIndex }
            } else {
                range = try period(b[1], s[1])
            }
            let cs = model.contracts.filter { asLessor ? $0.lessor == party : $0.lessee == party }
            if cs.isEmpty {
                let names = Set(model.contracts.map { asLessor ? $0.lessor : $0.lessee })
                throw fail("no contract has \(asLessor ? "lessor" : "lessee") \"\(party)\"", s[0],
                           help: Suggest.didYouMean(party, Array(names)).map { $0.replacingOccurrences(of: "`", with: "\"") }
                               ?? (names.isEmpty ? "declare a contract first" : "known: " + names.sorted().joined(separator: ", ")))
            }
            let currencies = Set(cs.map(\.currency))
            guard currencies.count == 1, let cur = currencies.first else {
                throw fail("the contracts of \"\(party)\" are in several currencies (\(currencies.sorted().joined(separator: ", ")))", span)
            }
            var acc = AmountSum(digits: MinorUnit.digits(forCurrency: cur))
            if let range { for c in cs { acc.add(c.sum(range)) } }
            return .quantity(Quantity(acc.value, UnitExpr(unit: Units.currency(cur) ?? 0)))
        }
    }
}
