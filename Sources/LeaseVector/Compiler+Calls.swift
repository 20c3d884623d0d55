import Foundation
import LeaseCore
import LeaseLanguage

/// Calls: user functions are inlined; built-ins and model queries become kernels.
extension Compiler {
    /// Matches arguments to parameter names as the scalar evaluator does.
    func bind(_ args: [Argument], _ params: [String]) throws(Unsupported) -> [Expr?] {
        var bound: [Expr?] = Array(repeating: nil, count: params.count)
        var next = 0
        for a in args {
            if let label = a.label {
                guard let i = params.firstIndex(of: label), bound[i] == nil else { throw Unsupported("arguments") }
                bound[i] = a.value
            } else {
                while next < params.count && bound[next] != nil { next += 1 }
                guard next < params.count else { throw Unsupported("arguments") }
                bound[next] = a.value
                next += 1
            }
        }
        return bound
    }

    mutating func call(_ name: String, _ args: [Argument], _ env: [String: VNode], _ span: Span) throws(Unsupported) -> VNode {
        if let f = interp.session.functions[name] {
            guard inlineDepth < 32 else { throw Unsupported("deep function inlining") }
            let bound = try bind(args, f.params)
            var inner: [String: VNode] = [:]
            for (i, p) in f.params.enumerated() {
                guard let a = bound[i] else { throw Unsupported("missing argument") }
                inner[p] = try compile(a, env)
            }
            inlineDepth += 1
            defer { inlineDepth -= 1 }
            // The body sees its parameters and the globals, as a call frame does.
            let saved = interp.frames
            interp.frames = []
            defer { interp.frames = saved }
            return try compile(f.body, inner)
        }
        if draw != nil, Builtins.distributions.contains(name) { return try distribution(name, args, env, span) }
        if let node = try aggregateOfRowList(name, args, env, span) { return node }
        if let node = try coveredCall(name, args, env, span) { return node }
        guard let spec = Builtins.specs[name], !spec.variadic || name == "min" || name == "max" else {
            throw Unsupported("function \(name)")
        }
        if name == "min" || name == "max" {
            guard args.count >= 2, args.allSatisfy({ $0.label == nil }) else { throw Unsupported("min/max of a list") }
            var acc = try compile(args[0].value, env)
            for a in args.dropFirst() {
                guard case .num(let x, let u) = acc, case .num(let y, let w) = try compile(a.value, env),
                    u.dimension == w.dimension
                else { throw Unsupported("min/max operands") }
                let yc = w == u ? y : convert(y, from: w, to: u)
                acc = .num(name == "min" ? space.map(x, yc) { Swift.min($0, $1) } : space.map(x, yc) { Swift.max($0, $1) }, u)
            }
            return acc
        }
        let bound = try bind(args, spec.params)
        var nodes: [VNode?] = []
        for b in bound { nodes.append(try b.map { (x) throws(Unsupported) -> VNode in try compile(x, env) }) }
        switch name {
        case "abs", "floor", "ceil", "sqrt", "exp", "ln", "round":
            return try math(name, nodes)
        case "year", "month", "day", "days_in_month":
            guard case .date(let d, _)? = nodes[0] else { throw Unsupported("date function") }
            let c = space.map(d) { o in
                guard let x = CalendarDate.fromOrdinal(Int(o)) else { return .nan }
                switch name {
                case "year": return Double(x.year)
                case "month": return Double(x.month)
                case "day": return Double(x.day)
                default: return Double(x.daysInMonth)
                }
            }
            return .num(c, .none)
        case "terminate":
            guard case .contract(let c)? = nodes[0], case .date(let d, _)? = nodes[1] else { throw Unsupported("terminate") }
            return .contract(try terminate(c, d))
        case "npv" where !Compiler.isContract(nodes[0]):
            return try rowwiseCall(name, nodes, span)
        case "npv", "total", "exposure", "remaining", "paid", "payment", "months":
            return try query(name, nodes)
        case "renew":
            guard case .contract(let c)? = nodes[0], c.end == nil, c.charge == nil else { throw Unsupported("renew of a terminated contract") }
            var times = 1.0
            if nodes.count > 1, let t = nodes[1] {
                guard case .num(let n, let u) = t, n.isScalar, u.dimension.isNone else { throw Unsupported("renew times that vary") }
                times = u.toBase(n.data[0])
            }
            guard times == times.rounded(), times >= 0, times <= 100 else { throw Unsupported("renew times") }
            let base: Contract
            do throws(Diagnostic) {
                base = try FinanceQueries.renew(c.base, times: Int(times), span, span, interp.session.model)
            } catch {
                throw Unsupported("renew refused")
            }
            var out = c
            out.base = base
            return .contract(out)
        case "irr":
            guard case .contract(let c)? = nodes[0], nodes.count > 1, case .num(let price, let pu)? = nodes[1] else {
                return try rowwiseCall(name, nodes, span)
            }
            return .num(try irr(c, price: price, unit: pu), UnitExpr(unit: Units.percent))
        case "xnpv", "xirr", "revenue", "spend":
            return try rowwiseCall(name, nodes, span)
        default:
            throw Unsupported("function \(name)")
        }
    }

    static func isContract(_ n: VNode?) -> Bool {
        if case .contract? = n { return true }
        return false
    }

    func math(_ name: String, _ nodes: [VNode?]) throws(Unsupported) -> VNode {
        guard case .num(let x, let u)? = nodes[0] else { throw Unsupported("math operand") }
        switch name {
        case "abs": return .num(space.map(x) { Swift.abs($0) }, u)
        case "floor": return .num(space.map(x) { $0.rounded(.down) }, u)
        case "ceil": return .num(space.map(x) { $0.rounded(.up) }, u)
        case "round":
            var digits = 0.0
            if nodes.count > 1, let d = nodes[1] {
                guard case .num(let dc, let du) = d, dc.isScalar, du.dimension.isNone else { throw Unsupported("round digits") }
                digits = du.toBase(dc.data[0])
                guard digits == digits.rounded(), Swift.abs(digits) <= 15 else { throw Unsupported("round digits") }
            }
            let f = pow(10, digits)
            return .num(space.map(x) { v in
                let r = (v * f).rounded(.toNearestOrAwayFromZero) / f
                return r.isFinite ? r : v
            }, u)
        case "sqrt":
            guard u.dimension.isNone else { throw Unsupported("sqrt of a quantity") }
            return .num(space.map(x) { u.toBase($0).squareRoot() }, .none)
        case "exp", "ln":
            guard u.dimension.isNone else { throw Unsupported("exp/ln of a quantity") }
            return .num(name == "exp" ? space.map(x) { Foundation.exp(u.toBase($0)) } : space.map(x) { Foundation.log(u.toBase($0)) }, .none)
        default:
            throw Unsupported(name)
        }
    }

    // MARK: Contracts

    /// `c with {…}`: rate, discounts, escalation, a termination fee (an
    /// amount) and a minimum may vary by row; other fields must be constants
    /// and are applied by the scalar evaluator.
    mutating func with(_ x: Expr, _ fields: [FieldInit], _ env: [String: VNode]) throws(Unsupported) -> VNode {
        guard Set(fields.map(\.name)).count == fields.count else { throw Unsupported("a field given twice in `with`") }
        var varying: [FieldInit] = []
        var fixed: [FieldInit] = []
        for f in fields { if depends(f.value, env) { varying.append(f) } else { fixed.append(f) } }
        // A varying start: one contract for each start month, each row taking its own.
        if let f = varying.first(where: { $0.name == "start" }) {
            guard case .date(let d, let precision) = try compile(f.value, env), precision == .month else {
                throw Unsupported("a start that is not a month")
            }
            let months = space.map(d) { o in CalendarDate.civil(Int(o)).map { Double($0.year * 12 + $0.month - 1) } ?? .nan }
            let distinct = Set(months.data)
            guard !distinct.contains(where: { $0.isNaN }), distinct.count <= 16 else { throw Unsupported("more than 16 start months") }
            let others = fields.filter { $0.name != "start" }
            var node: VNode?
            for m in distinct.sorted().reversed() {
                guard let month = CalendarDate.fromMonthIndex(Int(m)) else { throw Unsupported("start out of range") }
                var fixedStart = f
                fixedStart.value = Expr(kind: .literal(.date(month)), span: f.value.span)
                let variant = try with(x, others + [fixedStart], env)
                node = node.map { .select(space.map(months) { $0 == m ? 1 : 0 }, variant, $0) } ?? variant
            }
            guard let node else { throw Unsupported("start") }
            return node
        }
        var baseNode = try compile(x, env)
        // A varying end: the base ends at the latest, each row at its own.
        var ends: Col?
        if let f = varying.first(where: { $0.name == "end" }) {
            guard case .date(let d, let p) = try compile(f.value, env) else { throw Unsupported("end that is not a date") }
            let codes = space.map(d) { o in
                guard var e = CalendarDate.fromOrdinal(Int(o)) else { return .nan }
                if p == .month { e = e.monthOnly }
                return CCol.endCode(e)
            }
            guard let latest = codes.data.max(), !codes.data.contains(where: { $0.isNaN }),
                let m = CalendarDate.fromMonthIndex(Int(latest) / 32)
            else { throw Unsupported("end out of range") }
            let day = Int(latest) % 32
            let last = day == 0 ? m : (CalendarDate(year: m.year, month: m.month, day: day) ?? m)
            var latestEnd = f
            latestEnd.value = Expr(kind: .literal(.date(last)), span: f.value.span)
            fixed.append(latestEnd)
            varying.removeAll { $0.name == "end" }
            ends = codes
        }
        do {
            guard case .contract(let c) = baseNode, c.isConstant else {
                throw Unsupported("with on a varying contract")
            }
            var constantFields = fixed
            // Discounts that vary replace the base's: the constant part is checked without them.
            if let d = varying.first(where: { $0.name == "discounts" }) {
                var none = d
                none.value = Expr(kind: .literal(.map([])), span: d.value.span)
                constantFields.append(none)
            }
            let copy = Expr(kind: .with(Expr(kind: .literal(.contract(c.base)), span: x.span), fields: constantFields), span: x.span)
            baseNode = VNode.constant(try constant(copy))
        }
        if let ends, case .contract(var c) = baseNode {
            // As the declaration checks each row: an end before the start, or
            // a discount after the end, is refused (the scalar evaluator says so).
            let first = c.base.firstMonth
            let lastDiscount = c.base.discounts.map(\.month.monthIndex).max() ?? Int.min
            if ends.data.contains(where: { Int($0) / 32 < first || Int($0) / 32 < lastDiscount }) {
                throw Unsupported("an end before the start or a discount in some row")
            }
            guard c.base.terms.renewedFrom == nil, c.base.terms.termination == nil else { throw Unsupported("end of a renewed or terminated copy") }
            c.end = ends
            baseNode = .contract(c)
            if varying.isEmpty, c.base.terms.minimum != nil {
                let total = try Payments.sum(c, space: space, from: nil, to: nil, annualRate: nil)
                let minimum = c.base.terms.minimum ?? 0
                if total.data.contains(where: { $0 < minimum }) {
                    throw Unsupported("a minimum above the total in some row")
                }
            }
        }
        guard case .contract(var c) = baseNode, c.end == nil || ends != nil else { throw Unsupported("with on a non-contract") }
        guard c.base.terms.termination == nil || varying.isEmpty else { throw Unsupported("with on a terminated contract") }
        for f in varying {
            switch f.name {
            case "rate":
                guard case .num(let r, let u) = try compile(f.value, env), let cur = u.dimension.currency, cur.exponent == 1,
                    u.dimension == Dimension(.currency(cur.code)) / Dimension(.time), cur.code == c.base.currency
                else { throw Unsupported("rate") }
                if r.data.contains(where: { !$0.isFinite }) { throw Unsupported("rate not finite") }
                let monthly = Contract.monthly(unit: u)
                c.monthlyRate = Contract.isPerMonth(u) ? r : space.map(r) { monthly($0) }
                c.currency = u.moneyCurrency
            case "escalation":
                guard case .num(let e, let u) = try compile(f.value, env), u.dimension.isNone else { throw Unsupported("escalation") }
                let col = space.map(e) { u.toBase($0) }
                if col.data.contains(where: { !($0 > -1) || !$0.isFinite }) { throw Unsupported("escalation out of range") }
                c.escalation = col
            case "discounts":
                guard case .map(let pairs) = f.value.kind else { throw Unsupported("discounts not a map literal") }
                var ds: [(month: Int, fraction: Col)] = []
                // Months discounted by the same column (`[2026-05: d, 2026-06: d]`) share its fractions.
                var converted: [(source: Col, unit: UnitExpr, fraction: Col)] = []
                for p in pairs {
                    guard !depends(p.key, env), case .date(let m) = try constant(p.key) else { throw Unsupported("discount key") }
                    guard m.monthIndex >= c.base.firstMonth, m.monthIndex <= c.base.lastMonth,
                        !ds.contains(where: { $0.month == m.monthIndex })
                    else { throw Unsupported("discount month") }
                    if let ends, ends.data.contains(where: { Int($0) / 32 < m.monthIndex }) { throw Unsupported("a discount after the end in some row") }
                    guard case .num(let v, let u) = try compile(p.value, env), u.dimension.isNone else { throw Unsupported("discount value") }
                    if let same = converted.first(where: { $0.unit == u && Compiler.sameStorage($0.source, v) }) {
                        ds.append((m.monthIndex, same.fraction))
                        continue
                    }
                    // `u.toBase`, with the unit looked at once.
                    let percent = u.isPercent, factor = u.factor
                    let frac = space.map(v) { percent ? $0 / 100 : $0 * factor }
                    if frac.data.contains(where: { !($0 >= 0 && $0 <= 1) }) { throw Unsupported("discount out of range") }
                    converted.append((v, u, frac))
                    ds.append((m.monthIndex, frac))
                }
                c.discounts = ds
            case "termination_fee", "minimum":
                // An amount in the contract's currency, rounded as the declaration rounds a minimum.
                guard case .num(let v, let u) = try compile(f.value, env), let cur = u.dimension.currency, cur.exponent == 1,
                    u.dimension == Dimension(.currency(cur.code)), cur.code == c.base.currency
                else { throw Unsupported("\(f.name) that is not an amount") }
                let to = c.base.currencyUnit
                let digits = c.base.minorDigits
                let col = space.map(v) { roundToMinorUnit(u.convertAmount($0, to: to), digits: digits) }
                if col.data.contains(where: { !($0 >= 0) || !$0.isFinite }) { throw Unsupported("\(f.name) out of range") }
                if f.name == "minimum" { c.minimum = col } else { c.fee = col }
            case "notice":
                guard case .num(let v, let u) = try compile(f.value, env), u.dimension == Dimension(.time) else { throw Unsupported("notice") }
                if v.data.contains(where: { !($0 >= 0) || !(Quantity($0, u).baseValue < 9000 * Units.secondsPerYear) }) {
                    throw Unsupported("notice out of range")
                }
                c.notice = v
                c.noticeUnit = u
            case "share":
                guard case .num(let v, let u) = try compile(f.value, env), u.dimension.isNone else { throw Unsupported("share") }
                let col = space.map(v) { u.toBase($0) }
                if col.data.contains(where: { !($0 > 0 && $0 <= 1) }) { throw Unsupported("share out of range") }
                // Usage is priced per gpu leased: a varying share would vary it by row.
                guard c.base.terms.usage == nil else { throw Unsupported("share of a contract with usage") }
                c.share = col
            default:
                throw Unsupported("varying field \(f.name)")
            }
        }
        if let m = c.minimum ?? c.base.terms.minimum.map({ Col.scalar($0) }), c.minimum != nil || c.monthlyRate != nil
            || c.discounts != nil || c.escalation != nil || (ends != nil && !varying.isEmpty)
        {
            // As the declaration: a minimum above the total is refused (the scalar evaluator says so).
            let total = try Payments.sum(c, space: space, from: nil, to: nil, annualRate: nil)
            let over = space.map(m, total) { $0 > $1 ? 1 : 0 }
            if over.data.contains(1) { throw Unsupported("a minimum above the total in some row") }
        }
        return .contract(c)
    }

    /// The same column: the same axes and the same buffer of values.
    static func sameStorage(_ a: Col, _ b: Col) -> Bool {
        a.axes == b.axes && a.data.count == b.data.count
            && a.data.withUnsafeBufferPointer { pa in b.data.withUnsafeBufferPointer { pb in pa.baseAddress == pb.baseAddress } }
    }

    /// `terminate(c, notice_on: d)` per row: the end moves to the effective day
    /// unless that falls after the current end; a contract with a fee or a
    /// minimum then bills, in the effective month, the fee and the shortfall.
    func terminate(_ c: CCol, _ d: Col) throws(Unsupported) -> CCol {
        let base = c.base
        let end = c.end ?? .scalar(c.baseEndCode)
        let noticeUnit = c.noticeUnit
        // A notice in days moves the day's ordinal: one calendar conversion a row.
        var noticeDays: Int?
        let unit = base.notice.unit
        if c.notice == nil, !(unit.terms.count == 1 && unit.terms[0].def.calendarMonths != nil) {
            let days = base.notice.baseValue / 86400
            if days.isFinite, Swift.abs(days) < 4_000_000 { noticeDays = Int(days.rounded()) }
        }
        // A notice day must be a day of the calendar (years 1–9999).
        let firstDay = CalendarDate.ordinals.lowerBound, lastDay = CalendarDate.ordinals.upperBound
        let effective = { (o: Double, code: Double, n: Double) -> Double in
            let eMonth: Int, eDay: Int
            if let nd = noticeDays {
                // As `effectiveDay`: the notice day must be a calendar day, then the days are added.
                guard o >= Double(firstDay), o <= Double(lastDay), let e = CalendarDate.civil(Int(o) + nd) else { return .nan }
                eMonth = e.year * 12 + e.month - 1
                eDay = e.day
            } else {
                guard let day0 = CalendarDate.fromOrdinal(Int(o)),
                    let e = n.isNaN ? base.effectiveDay(noticeOn: day0) : Contract.effectiveDay(noticeOn: day0, notice: Quantity(n, noticeUnit))
                else { return .nan }
                eMonth = e.monthIndex
                eDay = e.day
            }
            let last = Int(code) / 32, endDay = Int(code) % 32
            if eMonth > last { return code }
            if eMonth == last && endDay != 0 && eDay >= endDay { return code }
            return Double(eMonth * 32 + eDay)
        }
        let notice = c.notice ?? .scalar(.nan)
        // Notice days drawn from a few years: the calendar worked out once a day.
        let out = end.isScalar && notice.isScalar
            ? space.mapWhole(d) { effective($0, end.data[0], notice.data[0]) }
            : space.map(d, end, notice, effective)
        if out.data.contains(where: { $0.isNaN }) { throw Unsupported("effective day out of range") }
        var t = c
        t.end = out
        let terms = base.terms
        guard terms.terminationFee != nil || terms.minimum != nil || c.fee != nil || c.minimum != nil else { return t }
        let first = base.firstMonth, digits = base.minorDigits
        let moved = space.map(out, end) { $0 != $1 ? 1 : 0 }
        let chargeMonth = space.map(out) { Double(Swift.max(Int($0) / 32, first)) }
        // The fee of each row, as `Contract.terminationFee` works it out.
        let fee: Col
        if let f = c.fee {
            fee = f
        } else if case .months(let q)? = terms.terminationFee {
            let n = q.months
            let rate = c.monthlyRate ?? .scalar(base.monthlyRate)
            let esc = c.escalation
            let renewFrom = terms.renewedFrom ?? Int.max
            let renewMonthly = terms.renewedRate.map { Contract.monthly($0.value, unit: $0.unit) } ?? 0
            let escFrom = base.escalationBase
            let escCol = esc ?? .scalar(.nan)
            fee = space.map(chargeMonth, rate, escCol) { mm, monthly, e in
                let m = Int(mm)
                let mr = m >= renewFrom && terms.renewedRate != nil ? renewMonthly : monthly
                let escf: Double
                if esc == nil {
                    escf = base.escalationFactor(m)
                } else {
                    let years = (m - (m >= escFrom ? escFrom : first)) / 12
                    escf = e == 0 ? 1 : pow(1 + e, Double(years))
                }
                return roundToMinorUnit(mr * escf * n, digits: digits)
            }
        } else if case .amount(let x)? = terms.terminationFee {
            fee = .scalar(roundToMinorUnit(x, digits: digits))
        } else {
            fee = .scalar(0)
        }
        let hasMinimum = c.minimum != nil || terms.minimum != nil
        let minimum = c.minimum ?? .scalar(terms.minimum ?? 0)
        let newCharge: Col
        if hasMinimum {
            // What the terminated contract bills without any earlier charge.
            var plain = t
            plain.charge = .scalar(0)
            plain.chargeMonth = .scalar(-1)
            let billed = try Payments.sum(plain, space: space, from: nil, to: nil, annualRate: nil)
            newCharge = space.map(billed, fee, minimum) { total, f, minimum in
                var b = AmountSum(digits: digits)
                b.add(total)
                b.add(f)
                var owed = AmountSum(digits: digits)
                owed.add(minimum)
                owed.add(-b.value)
                return f + Swift.max(0, owed.value)
            }
        } else {
            // Without a minimum the charge is the fee: it varies with the fee's axes only.
            newCharge = space.map(fee) { $0 + 0.0 }
        }
        let oldCharge = c.charge ?? .scalar(terms.termination?.charge ?? 0)
        let oldMonth = c.chargeMonth ?? .scalar(Double(terms.termination?.chargeMonth ?? -1))
        t.charge = space.map(moved, newCharge, oldCharge) { $0 != 0 ? $1 : $2 }
        t.chargeMonth = space.map(moved, chargeMonth, oldMonth) { $0 != 0 ? $1 : $2 }
        return t
    }

    /// `irr(c, price: p)` per row: the scalar root finder on each row's payments.
    func irr(_ c: CCol, price: Col, unit: UnitExpr) throws(Unsupported) -> Col {
        guard let cur = unit.dimension.currency, cur.exponent == 1, unit.dimension == Dimension(.currency(cur.code)),
            cur.code == c.base.currency
        else { throw Unsupported("irr price") }
        let to = c.base.currencyUnit
        let prices = space.map(price) { unit.convertAmount($0, to: to) }
        let arrears = c.base.terms.timing == .arrears
        let out = Payments.perRow(c, extra: [prices], space: space) { row, x in
            let flows = row.cashflows
            guard !flows.isEmpty, let r = try? LeaseCore.irr(payments: flows, price: x[0], arrears: arrears) else { return .nan }
            return r * 100
        }
        if out.data.contains(where: { $0.isNaN }) { throw Unsupported("irr without a root in some row") }
        return out
    }

    func monthIndexColumn(_ d: Col) throws(Unsupported) -> Col {
        let c = space.map(d) { o in CalendarDate.fromOrdinal(Int(o)).map { Double($0.monthIndex) } ?? .nan }
        if c.data.contains(where: { $0.isNaN }) { throw Unsupported("date out of range") }
        return c
    }

    func query(_ name: String, _ nodes: [VNode?]) throws(Unsupported) -> VNode {
        guard case .contract(let c)? = nodes[0] else { throw Unsupported("\(name) of a non-contract") }
        let first = Double(c.base.firstMonth)
        let money = c.currencyUnit
        switch name {
        case "months":
            let end = c.end ?? .scalar(c.baseEndCode)
            return .num(space.map(end) { Swift.max(0, (Double(Int($0) / 32) - first) + 1) }, .none)
        case "npv":
            guard case .num(let r, let u)? = nodes[1], u.dimension.isNone else { throw Unsupported("npv rate") }
            let rates = space.map(r) { u.toBase($0) }
            if rates.data.contains(where: { !($0 > -1) }) { throw Unsupported("npv rate out of range") }
            var at: Col?
            if nodes.count > 2, let a = nodes[2] {
                guard case .date(let d, _) = a else { throw Unsupported("npv at") }
                at = try monthIndexColumn(d)
            }
            return .num(try Payments.sum(c, space: space, from: at, to: nil, annualRate: rates, discountFrom: at), money)
        case "total":
            return .num(try Payments.sum(c, space: space, from: nil, to: nil, annualRate: nil), money)
        case "remaining", "payment":
            guard case .date(let d, _)? = nodes[1] else { throw Unsupported("\(name) month") }
            let m = try monthIndexColumn(d)
            return .num(try Payments.sum(c, space: space, from: m, to: name == "payment" ? m : nil, annualRate: nil), money)
        case "exposure":
            guard case .date(let d, _)? = nodes[1] else { throw Unsupported("exposure day") }
            let t = try terminate(c, d)
            return .num(try Payments.sum(t, space: space, from: try monthIndexColumn(d), to: nil, annualRate: nil), money)
        case "paid":
            if nodes.count > 2, let toNode = nodes[2] {
                guard case .date(let a, _)? = nodes[1], case .date(let b, _) = toNode else { throw Unsupported("paid range") }
                return .num(try Payments.sum(c, space: space, from: try monthIndexColumn(a), to: try monthIndexColumn(b), annualRate: nil, emptyIfReversed: true), money)
            }
            guard case .num(let y0, let u)? = nodes[1], u.dimension.isNone else { throw Unsupported("paid period") }
            let y = space.map(y0) { u.toBase($0) }
            if y.data.contains(where: { !($0 == $0.rounded() && $0 >= 1 && $0 <= 9999) }) { throw Unsupported("paid year") }
            let from = space.map(y) { $0 * 12 }, to = space.map(y) { $0 * 12 + 11 }
            return .num(try Payments.sum(c, space: space, from: from, to: to, annualRate: nil, emptyIfReversed: true), money)
        default:
            throw Unsupported(name)
        }
    }

    // MARK: Sampled parameters

    /// A distribution call in a sampled parameter: one draw per row, as the
    /// scalar evaluator draws it (same counters, same arithmetic).
    mutating func distribution(_ name: String, _ args: [Argument], _ env: [String: VNode], _ span: Span) throws(Unsupported) -> VNode {
        guard var d = draw, let spec = Builtins.specs[name] else { throw Unsupported("distribution") }
        let bound = try bind(args, spec.params)
        var values: [Value?] = []
        for b in bound {
            guard let b else { values.append(nil); continue }
            guard !depends(b, env) else { throw Unsupported("distribution of a varying argument") }
            values.append(try constant(b))
        }
        let index = d.counter
        d.counter += 1
        draw = d
        let spans = Array(repeating: span, count: max(1, values.count))
        let axis: Distributions.Axis?
        do throws(Diagnostic) {
            axis = try Distributions.validate(name, values, spans, span)
        } catch {
            throw Unsupported("distribution arguments")
        }
        let (seed, key) = (d.seed, d.key)
        // A sample's single axis 0 is its rows: element k of a piece is row
        // b[0] + k of the column, global row offset + b[0] + k.
        let offset = space.offset
        let kind = Distributions.Kind(name)
        func column(_ xs: [Double], _ isDate: Bool) -> Col {
            space.drive([[0]]) { out, n, b, _ in
                Distributions.fill(kind, xs, isDate: isDate, seed: seed, key: key, first: UInt64(offset + b[0]), count: n, index: index, into: out)
            }
        }
        guard let axis else {
            guard case .list(let xs)? = values[0] else { throw Unsupported("choice") }
            let idx = column([Double(xs.count)], false)
            let picks = idx.data.map { xs[Swift.min(xs.count - 1, Swift.max(0, Int($0)))] }
            switch xs[0] {
            case .quantity(let q0):
                var out: [Double] = []
                out.reserveCapacity(picks.count)
                for p in picks {
                    guard case .quantity(let q) = p, q.dimension == q0.dimension else { throw Unsupported("choice of mixed values") }
                    out.append(q.unit == q0.unit ? q.value : q.converted(to: q0.unit).value)
                }
                return .num(Col(axes: [0], data: out), q0.unit)
            default:
                throw Unsupported("choice of non-numbers")
            }
        }
        let col = column(axis.values, axis.isDate)
        if axis.isDate {
            let isMonth = axis.isMonth
            // A day drawn in the calendar's range (years 1–9999) is its own ordinal.
            let days = CalendarDate.ordinals
            // `uniform` between two days draws whole days from the first to the last (a draw
            // rounding up to 1 gives the day after): already their ordinals.
            if !isMonth, name == "uniform", axis.values.count == 2, axis.values.allSatisfy({ $0 == $0.rounded(.towardZero) }),
               let lo = axis.values.first, let hi = axis.values.last, lo <= hi, days.contains(Int(lo)), days.contains(Int(hi) + 1) {
                return .date(col, .day)
            }
            let ords = space.map(col) { x in
                guard x.isFinite, Swift.abs(x) < 1e9 else { return .nan }
                // ⌊x⌋ without a call to floor.
                var i = Int(x)
                if Double(i) > x { i -= 1 }
                if isMonth { return CalendarDate.fromMonthIndex(i).map { Double($0.ordinal) } ?? .nan }
                return days.contains(i) ? Double(i) : .nan
            }
            if ords.data.contains(where: { $0.isNaN }) { throw Unsupported("drawn date out of range") }
            return .date(ords, isMonth ? .month : .day)
        }
        return .num(col, axis.unit)
    }
}
