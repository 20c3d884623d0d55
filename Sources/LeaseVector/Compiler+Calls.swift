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
        case "npv", "total", "exposure", "remaining", "paid", "payment", "months":
            return try query(name, nodes)
        default:
            throw Unsupported("function \(name)")
        }
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

    /// `c with {…}`: rate, discounts and escalation may vary by row; other
    /// fields must be constants and are applied by the scalar evaluator.
    mutating func with(_ x: Expr, _ fields: [FieldInit], _ env: [String: VNode]) throws(Unsupported) -> VNode {
        guard Set(fields.map(\.name)).count == fields.count else { throw Unsupported("a field given twice in `with`") }
        var varying: [FieldInit] = []
        var fixed: [FieldInit] = []
        for f in fields { if depends(f.value, env) { varying.append(f) } else { fixed.append(f) } }
        var baseNode = try compile(x, env)
        do {
            guard case .contract(let c) = baseNode, c.monthlyRate == nil, c.discounts == nil, c.escalation == nil, c.end == nil else {
                throw Unsupported("with on a varying contract")
            }
            let copy = Expr(kind: .with(Expr(kind: .literal(.contract(c.base)), span: x.span), fields: fixed), span: x.span)
            baseNode = VNode.constant(try constant(copy))
        }
        guard case .contract(var c) = baseNode, c.end == nil else { throw Unsupported("with on a non-contract") }
        for f in varying {
            switch f.name {
            case "rate":
                guard case .num(let r, let u) = try compile(f.value, env), let cur = u.dimension.currency, cur.exponent == 1,
                    u.dimension == Dimension(.currency(cur.code)) / Dimension(.time)
                else { throw Unsupported("rate") }
                if r.data.contains(where: { !$0.isFinite }) { throw Unsupported("rate not finite") }
                let monthly = Contract.monthly(unit: u)
                c.monthlyRate = space.map(r) { monthly($0) }
                c.currency = u.moneyCurrency
            case "escalation":
                guard case .num(let e, let u) = try compile(f.value, env), u.dimension.isNone else { throw Unsupported("escalation") }
                let col = space.map(e) { u.toBase($0) }
                if col.data.contains(where: { !($0 > -1) || !$0.isFinite }) { throw Unsupported("escalation out of range") }
                c.escalation = col
            case "discounts":
                guard case .map(let pairs) = f.value.kind else { throw Unsupported("discounts not a map literal") }
                var ds: [(month: Int, fraction: Col)] = []
                for p in pairs {
                    guard !depends(p.key, env), case .date(let m) = try constant(p.key) else { throw Unsupported("discount key") }
                    guard m.monthIndex >= c.base.firstMonth, m.monthIndex <= c.base.lastMonth,
                        !ds.contains(where: { $0.month == m.monthIndex })
                    else { throw Unsupported("discount month") }
                    guard case .num(let v, let u) = try compile(p.value, env), u.dimension.isNone else { throw Unsupported("discount value") }
                    let frac = space.map(v) { u.toBase($0) }
                    if frac.data.contains(where: { !($0 >= 0 && $0 <= 1) }) { throw Unsupported("discount out of range") }
                    ds.append((m.monthIndex, frac))
                }
                c.discounts = ds
            default:
                throw Unsupported("varying field \(f.name)")
            }
        }
        return .contract(c)
    }

    /// `terminate(c, notice_on: d)` per row: the end moves to the effective day
    /// unless that falls after the current end.
    func terminate(_ c: CCol, _ d: Col) throws(Unsupported) -> CCol {
        let base = c.base
        let end = c.end ?? .scalar(c.baseEndCode)
        let out = space.map(d, end) { o, code in
            guard let day0 = CalendarDate.fromOrdinal(Int(o)), let e = base.effectiveDay(noticeOn: day0) else { return .nan }
            let last = Int(code) / 32, endDay = Int(code) % 32
            if e.monthIndex > last { return code }
            if e.monthIndex == last && endDay != 0 && e.day >= endDay { return code }
            return Double(e.monthIndex * 32 + e.day)
        }
        if out.data.contains(where: { $0.isNaN }) { throw Unsupported("effective day out of range") }
        var t = c
        t.end = out
        return t
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
            return .num(try Payments.sum(c, space: space, from: nil, to: nil, annualRate: rates), money)
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
        func column(_ xs: [Double], _ isDate: Bool) -> Col {
            space.drive([[0]]) { out, n, b, _ in
                for k in 0..<n {
                    out[k] = Distributions.coordinate(name, xs, isDate: isDate, seed: seed, key: key, row: UInt64(offset + b[0] + k), index: index)
                }
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
            let ords = space.map(col) { x in
                guard x.isFinite, Swift.abs(x) < 1e9 else { return .nan }
                let i = Int(x.rounded(.down))
                let d = isMonth ? CalendarDate.fromMonthIndex(i) : CalendarDate.fromOrdinal(i)
                return d.map { Double($0.ordinal) } ?? .nan
            }
            if ords.data.contains(where: { $0.isNaN }) { throw Unsupported("drawn date out of range") }
            return .date(ords, isMonth ? .month : .day)
        }
        return .num(col, axis.unit)
    }
}
