import LeaseCore

/// Returns, renewal and lease accounting (LANGUAGE.md §11): `npv` of a list,
/// `irr`, `xnpv`, `xirr`, `cashflows`, `renew`, `asc842` and `ifrs16`, each
/// applied elementwise over lists of contracts as every query is.
package enum FinanceQueries {
    static let names: Set<String> = ["irr", "xnpv", "xirr", "cashflows", "renew", "asc842", "ifrs16"]

    static func fail(_ m: String, _ s: Span, help: String? = nil) -> Diagnostic { Diagnostic(.runtime, m, at: s, help: help) }

    static func call(_ name: String, _ a: [Value?], _ s: [Span], _ span: Span, _ model: Model) throws(Diagnostic) -> Value {
        switch name {
        case "irr":
            if isAmounts(a[0]) {
                let (xs, _) = try amounts(a[0], s[0], "irr")
                return percent(try finance(span) { () throws(FinanceError) -> Double in try LeaseCore.irr(xs) })
            }
            return try Builtins.elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                guard b.count > 1, let pv = b[1] else {
                    throw fail("`irr` of a contract needs the price paid for it: `irr(\(c.name), price: $30B)`", span)
                }
                let p = try price(pv, s.count > 1 ? s[1] : span, c)
                let flows = c.cashflows
                guard !flows.isEmpty else { throw fail("`\(c.name)` bills nothing, so it has no rate of return", s[0]) }
                let arrears = c.terms.timing == .arrears
                return percent(try finance(span) { () throws(FinanceError) -> Double in
                    try LeaseCore.irr(payments: flows, price: p, arrears: arrears)
                })
            }
        case "xnpv":
            let (xs, unit) = try amounts(a[1], s[1], "xnpv")
            let days = try dates(a[2], s[2], "xnpv")
            return try Builtins.elementwise(a, [0], span) { (b) throws(Diagnostic) -> Value in
                let r = try ModelQueries.rate(b[0], s[0])
                let v = try finance(span) { () throws(FinanceError) -> Double in try LeaseCore.xnpv(r, xs, dates: days) }
                return .quantity(Quantity(unit.fromBase(v), unit))
            }
        case "xirr":
            let (xs, _) = try amounts(a[0], s[0], "xirr")
            let days = try dates(a[1], s[1], "xirr")
            return percent(try finance(span) { () throws(FinanceError) -> Double in try LeaseCore.xirr(xs, dates: days) })
        case "cashflows":
            return try Builtins.elementwise(a, [0], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                return .list(c.cashflows.map { Builtins.money($0, c) })
            }
        case "renew":
            return try Builtins.elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                var times = 1
                if b.count > 1, let t = b[1] {
                    let n = try Builtins.plain(t, s[1], "`times`")
                    guard n == n.rounded(), n >= 0, n <= 100 else { throw fail("`times` must be a whole number from 0 to 100", s[1]) }
                    times = Int(n)
                }
                return .contract(try renew(c, times: times, s[0], span, model))
            }
        case "asc842", "ifrs16":
            return try Builtins.elementwise(a, [0, 1], span) { (b) throws(Diagnostic) -> Value in
                let c = try Builtins.contract(b[0], s[0])
                let r = try ModelQueries.rate(b[1], s[1])
                return try accounting(name, c, r, s[0], span)
            }
        default:
            throw fail("unknown function `\(name)`", span)
        }
    }

    /// `npv(xs, r)`: amounts one period apart, the first undiscounted (numpy-financial).
    static func npv(list v: Value?, _ r: Value?, _ s: [Span], _ span: Span) throws(Diagnostic) -> Value {
        let (xs, unit) = try amounts(v, s[0], "npv")
        // A list of rates gives one present value per rate.
        return try Builtins.elementwise([v, r], [1], span) { (b) throws(Diagnostic) -> Value in
            let rate = try Builtins.plain(b[1], s[1], "the rate")
            guard rate > -1 else { throw fail("the rate must be above -100%", s[1]) }
            return .quantity(Quantity(unit.fromBase(LeaseCore.npv(xs, rate)), unit))
        }
    }

    /// A list of numbers or amounts (not contracts): the list form of `npv` and `irr`.
    static func isAmounts(_ v: Value?) -> Bool {
        guard case .list(let xs)? = v else { return false }
        return xs.first.map { if case .quantity = $0 { return true } else { return false } } ?? true
    }

    /// Amounts in the base unit of the first one's dimension, and that unit.
    static func amounts(_ v: Value?, _ s: Span, _ fname: String) throws(Diagnostic) -> ([Double], UnitExpr) {
        let (xs, unit) = try Builtins.numbers(v, s, fname)
        guard !xs.isEmpty else { throw fail("`\(fname)` needs at least one amount", s) }
        return (xs.map { unit.toBase($0) }, unit)
    }

    static func dates(_ v: Value?, _ s: Span, _ fname: String) throws(Diagnostic) -> [CalendarDate] {
        guard case .list(let xs)? = v else { throw fail("`\(fname)` needs a list of dates, one per amount", s) }
        var out: [CalendarDate] = []
        for x in xs {
            guard case .date(let d) = x else { throw fail("`\(fname)` needs dates, not a \(x.typeName)", s) }
            out.append(d)
        }
        return out
    }

    static func price(_ v: Value, _ s: Span, _ c: Contract) throws(Diagnostic) -> Double {
        guard case .quantity(let q) = v, let cur = q.dimension.currency, cur.exponent == 1, q.dimension == Dimension(.currency(cur.code)) else {
            throw fail("the price must be an amount, such as $30B", s)
        }
        guard cur.code == c.currency else { throw fail("the price is in \(cur.code) but `\(c.name)` pays in \(c.currency)", s) }
        return q.unit.convertAmount(q.value, to: c.currencyUnit)
    }

    static func percent(_ r: Double) -> Value { ContractFields.percent(r) }

    static func finance(_ span: Span, _ f: () throws(FinanceError) -> Double) throws(Diagnostic) -> Double {
        do throws(FinanceError) {
            return try f()
        } catch {
            var help: String?
            switch error {
            case .noSignChange: help = "the amounts need an outlay (negative) and returns (positive)"
            case .notConverged: help = "Excel's XIRR stops after 100 Newton steps from 10%; check the amounts and their dates"
            case .dateBeforeFirst: help = "put the earliest date first: everything is discounted to it"
            default: break
            }
            throw fail(error.description, span, help: help)
        }
    }

    /// `renew(c, times: n)`: the end moves by the renewal's months n times, at
    /// the renewal rate if it has one; refused if the cluster would be over-committed.
    package static func renew(_ c: Contract, times: Int, _ s: Span, _ span: Span, _ model: Model) throws(Diagnostic) -> Contract {
        guard let r = c.terms.renewal else {
            throw fail("`\(c.name)` has no renewal option", s, help: "give it one: `\(c.name) with {renewal: {months: 12}}`")
        }
        guard c.end.precision == .month, c.terms.termination == nil else {
            throw fail("`\(c.name)` was terminated, so it cannot be renewed", s)
        }
        guard times > 0 else { return c }
        var out = c
        guard let end = c.end.adding(months: r.months * times) else { throw fail("the renewed end falls outside years 1–9999", span) }
        if out.terms.renewedFrom == nil {
            out.terms.renewedFrom = c.lastMonth + 1
            out.terms.renewedRate = r.rate
        }
        out.end = end
        var scratch = model
        do throws(ModelError) {
            try scratch.declare(out)
        } catch {
            throw fail("renewing `\(c.name)` \(times == 1 ? "once" : "\(times) times") would over-commit: \(error.message)", span,
                       help: error.help)
        }
        return out
    }

    static func accounting(_ name: String, _ c: Contract, _ r: Double, _ s: Span, _ span: Span) throws(Diagnostic) -> Value {
        guard c.terms.timing == .advance else {
            throw fail("`\(name)` tables count payments in advance (LANGUAGE.md §11); `\(c.name)` pays in arrears", s,
                       help: "use `\(c.name) with {timing: \"advance\"}`")
        }
        guard c.lastMonth >= c.firstMonth else { throw fail("`\(c.name)` bills no month, so it has no lease table", s) }
        let months = Array(c.firstMonth...c.lastMonth)
        let payments = months.map { c.fixedPayment($0) }
        let dates = months.map { CalendarDate.fromMonthIndex($0) ?? c.start }
        let table: LeaseAccountingTable
        do throws(FinanceError) {
            table = name == "asc842"
                ? try LeaseCore.asc842(payments: payments, months: dates, rate: r, digits: c.minorDigits)
                : try LeaseCore.ifrs16(payments: payments, months: dates, rate: r, digits: c.minorDigits)
        } catch {
            throw fail(error.description, span)
        }
        return .list(table.rows.map { row in
            var fields: [(name: String, value: Value)] = [
                ("month", .date(row.month)), ("payment", Builtins.money(row.payment, c)), ("interest", Builtins.money(row.interest, c)),
                ("liability", Builtins.money(row.liability, c)), ("rou_asset", Builtins.money(row.rouAsset, c)),
            ]
            if name == "ifrs16" { fields.append(("depreciation", Builtins.money(row.amortization, c))) }
            fields.append(("expense", Builtins.money(row.expense, c)))
            return .record(Record(fields))
        })
    }
}
