import LeaseCore

/// Typing expressions: each case mirrors what the scalar evaluator does with
/// values, so an expression the checker accepts meets no type or dimension
/// error when it runs.
extension Checker {
    /// The expression with its type and its parts' types set.
    mutating func expr(_ e: Expr) throws(Diagnostic) -> Expr {
        var out = e
        switch e.kind {
        case .literal(let v):
            out.type = LType.of(v)
        case .string(let pieces):
            var typed: [Expr.Piece] = []
            for p in pieces {
                switch p {
                case .text: typed.append(p)
                case .expr(let x): typed.append(.expr(try expr(x)))
                }
            }
            out.kind = .string(typed)
            out.type = .string
        case .name(let n):
            out.type = try lookup(n, e.span)
        case .unit(let u):
            out.type = .quantity(u)
        case .negate(let x):
            let tx = try expr(x)
            out.kind = .negate(tx)
            out.type = try negate(tx.type ?? .any, x.span)
        case .not(let x):
            let tx = try expr(x)
            out.kind = .not(tx)
            out.type = try bools(tx.type ?? .any, x.span, "`not`")
        case .and(let a, let b), .or(let a, let b):
            let ta = try expr(a), tb = try expr(b)
            if case .and = e.kind { out.kind = .and(ta, tb) } else { out.kind = .or(ta, tb) }
            out.type = try broadcast(ta.type ?? .any, tb.type ?? .any) { (x, y) throws(Diagnostic) -> LType in
                _ = try bools(x, a.span, "`and`/`or`")
                _ = try bools(y, b.span, "`and`/`or`")
                return .bool
            }
        case .binary(let op, let l, let r, let opSpan):
            let tl = try expr(l), tr = try expr(r)
            out.kind = .binary(op: op, lhs: tl, rhs: tr, opSpan: opSpan)
            out.type = try binary(op, tl, tr, opSpan)
        case .convert(let x, let target, let targetSpan):
            let tx = try expr(x)
            out.kind = .convert(tx, to: target, targetSpan: targetSpan)
            out.type = try convert(tx.type ?? .any, to: target, x.span, targetSpan)
        case .ifThen(let c, let a, let b):
            let tc = try expr(c)
            let (ta, tb) = try branches(a, b)
            out.kind = .ifThen(cond: tc, then: ta, else: tb)
            out.type = try ifType(tc, ta, tb, e.span)
        case .range(let from, let to, let step):
            let tf = try expr(from), tt = try expr(to)
            let ts = try step.map { (s) throws(Diagnostic) -> Expr in try expr(s) }
            out.kind = .range(from: tf, to: tt, step: ts)
            out.type = try range(tf, tt, ts, e.span)
        case .call(let name, let nameSpan, let args):
            var typed: [Argument] = []
            for a in args {
                var b = a
                b.value = try expr(a.value)
                typed.append(b)
            }
            out.kind = .call(name: name, nameSpan: nameSpan, args: typed)
            let (t, instance) = try call(name, nameSpan, typed, e.span)
            out.type = t
            out.function = instance
        case .field(let x, let name, let nameSpan):
            let tx = try expr(x)
            out.kind = .field(tx, name: name, nameSpan: nameSpan)
            out.type = try field(tx.type ?? .any, name, nameSpan)
        case .index(let x, let i):
            let tx = try expr(x), ti = try expr(i)
            out.kind = .index(tx, ti)
            out.type = try index(tx.type ?? .any, ti, i.span)
        case .with(let x, let fields):
            let tx = try expr(x)
            var typed: [FieldInit] = []
            for f in fields {
                var g = f
                g.value = try expr(f.value)
                typed.append(g)
            }
            out.kind = .with(tx, fields: typed)
            out.type = try with(tx.type ?? .any, typed, x.span)
        case .list(let items):
            var typed: [Expr] = []
            typed.reserveCapacity(items.count)
            var t: LType = .any
            for (i, x) in items.enumerated() {
                let tx = try expr(x)
                typed.append(tx)
                let ex = tx.type ?? .any
                if i == 0 { t = ex; continue }
                guard let j = t.join(ex) else {
                    if let d1 = t.dimension, let d2 = ex.dimension {
                        throw fail("list elements must have one dimension: \(d1) and \(d2)", x.span,
                                   help: fixHint(for: x, other: t))
                    }
                    throw fail("list elements must have one type: \(t.name) and \(ex.name)", x.span,
                               help: "use a record `{a: …, b: …}` to group values of different types")
                }
                t = j
            }
            out.kind = .list(typed)
            out.type = .list(t)
        case .map(let pairs):
            var typed: [(key: Expr, value: Expr)] = []
            var kt: LType?, vt: LType?
            for p in pairs {
                let k = try expr(p.key), v = try expr(p.value)
                typed.append((k, v))
                let tk = k.type ?? .any, tv = v.type ?? .any
                if let prev = kt {
                    guard let j = prev.join(tk) else {
                        throw fail("the keys of a map must have one type: \(prev.name) and \(tk.name)", k.span)
                    }
                    kt = j
                } else { kt = tk }
                if let prev = vt {
                    guard let j = prev.join(tv) else {
                        throw fail("the values of a map must have one type: \(Self.describe(prev)) and \(Self.describe(tv))", v.span,
                                   help: fixHint(for: v, other: prev))
                    }
                    vt = j
                } else { vt = tv }
            }
            out.kind = .map(typed)
            out.type = .map(key: kt ?? .any, value: vt ?? .any)
        case .record(let fields):
            var typed: [FieldInit] = []
            var seen = Set<String>()
            for f in fields {
                guard seen.insert(f.name).inserted else { throw fail("the field `\(f.name)` is given twice", f.nameSpan) }
                var g = f
                g.value = try expr(f.value)
                typed.append(g)
            }
            out.kind = .record(typed)
            out.type = .record(typed.map { LType.Field($0.name, $0.value.type ?? .any) })
        case .run(let name, let nameSpan, let body):
            let (tb, t) = try run(name, nameSpan, body, e.span)
            out.kind = .run(scenario: name, scenarioSpan: nameSpan, body: tb)
            out.type = t
            outputsNamedLikeStats(tb, t)
        case .solve(let v, let vSpan, let from, let to, let lhs, let rhs):
            let (parts, t) = try solve(v, vSpan, from, to, lhs, rhs)
            out.kind = .solve(variable: v, variableSpan: vSpan, from: parts.from, to: parts.to, lhs: parts.lhs, rhs: parts.rhs)
            out.type = t
        }
        return out
    }

    // MARK: Names

    func lookup(_ n: String, _ span: Span) throws(Diagnostic) -> LType {
        if let locals {
            if let t = locals[n] { return t }
        }
        if let t = globals[n] { return t }
        if n == "_" { return .any }
        if functions[n] != nil || Builtins.specs[n] != nil {
            throw fail("`\(n)` is a function; call it with arguments: `\(n)(…)`", span)
        }
        throw unknownName(n, span)
    }

    // MARK: Operators

    /// Applies `f` elementwise when either side is a list, as `Operators.broadcast` does.
    func broadcast(_ a: LType, _ b: LType, _ f: (LType, LType) throws(Diagnostic) -> LType) throws(Diagnostic) -> LType {
        switch (a, b) {
        case (.list(let x), .list(let y)): return .list(try broadcast(x, y, f))
        case (.list(let x), _): return .list(try broadcast(x, b, f))
        case (_, .list(let y)): return .list(try broadcast(a, y, f))
        default: return try f(a, b)
        }
    }

    func negate(_ t: LType, _ span: Span) throws(Diagnostic) -> LType {
        switch t {
        case .quantity, .any: return t
        case .list(let x): return .list(try negate(x, span))
        default: throw fail("cannot negate \(t.name)", span)
        }
    }

    func bools(_ t: LType, _ span: Span, _ what: String) throws(Diagnostic) -> LType {
        switch t {
        case .bool, .any: return .bool
        case .list(let x): return .list(try bools(x, span, what))
        default: throw fail("\(what) needs true or false, not \(t.name)", span)
        }
    }

    private func isNumeric(_ t: LType) -> Bool {
        switch t {
        case .quantity, .date, .list, .any: return true
        default: return false
        }
    }

    mutating func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ opSpan: Span) throws(Diagnostic) -> LType {
        let a = l.type ?? .any, b = r.type ?? .any
        if op == .divide || op == .subtract { dateShapeWarning(l, r) }
        if op == .equal || op == .notEqual, !isNumeric(a) || !isNumeric(b), a.element == nil, b.element == nil {
            // Whole values compare: quantities by dimension, others by type.
            if let d1 = a.dimension, let d2 = b.dimension, d1 != d2 {
                throw mismatch("compare", a, b, l, r)
            }
            if !a.isAny, !b.isAny, a.join(b) == nil, !(a.isDate && b.isDate) {
                throw fail("cannot compare \(a.name) with \(b.name)", l.span.to(r.span))
            }
            return .bool
        }
        if op == .power { try checkExponent(l, r, opSpan) }
        return try broadcast(a, b) { (x, y) throws(Diagnostic) -> LType in
            try scalar(op, x, y, l, r, opSpan)
        }
    }

    /// `2026/05/01` or `01-05-2026`: arithmetic that reads like a date.
    private mutating func dateShapeWarning(_ l: Expr, _ r: Expr) {
        let span = l.span.to(r.span)
        let text = span.file.slice(span)
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" }).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
            !text.contains(" ")
        else { return }
        let slash = text.contains("/")
        guard slash ? !text.contains("-") : !text.contains("/") else { return }
        let (y, m, d) = slash ? (parts[0], parts[1], parts[2]) : (parts[2], parts[1], parts[0])
        guard y.count == 4, (1...2).contains(m.count), (1...2).contains(d.count), let mi = Int(m), let di = Int(d),
            (1...12).contains(mi), (1...31).contains(di)
        else { return }
        let iso = "\(y)-\(m.count == 1 ? "0" + m : m)-\(d.count == 1 ? "0" + d : d)"
        warn("`\(text)` is arithmetic, not a date", span, help: "write the date as `\(iso)`")
    }

    private func scalar(_ op: BinaryOp, _ a: LType, _ b: LType, _ l: Expr, _ r: Expr, _ opSpan: Span) throws(Diagnostic) -> LType {
        switch (a, b) {
        case (.any, _), (_, .any):
            if op.isComparison { return .bool }
            // A date moved by an unknown amount is still a date.
            if a.isDate || b.isDate { return op == .subtract && a.isDate && b.isAny ? .any : .date(nil) }
            return .any
        case (.quantity(let d1, let u1), .quantity(let d2, let u2)):
            switch op {
            case .add, .subtract:
                guard d1 == d2 else { throw mismatch(op == .add ? "add" : "subtract", a, b, l, r) }
                return .quantity(d1, unit: u1)
            case .multiply, .divide:
                let d = op == .multiply ? d1 * d2 : d1 / d2
                guard let u1, let u2 else { return .quantity(d, unit: nil) }
                let (u, _) = UnitExpr.product(u1, op == .multiply ? u2 : u2.power(-1))
                return .quantity(u)
            case .power:
                guard d2.isNone else { throw fail("the exponent must be a plain number, not \(d2)", opSpan) }
                guard let u1 else {
                    if d1.isNone { return .number }
                    guard let n = Self.constantInteger(r) else { return .any }
                    return .quantity(d1.power(n), unit: nil)
                }
                if u1.isEmpty || d1.isNone { return .number }
                guard let n = Self.constantInteger(r) else { return .any }
                return .quantity(u1.power(n))
            default:
                guard d1 == d2 else { throw mismatch("compare", a, b, l, r) }
                return .bool
            }
        case (.date(let p), .quantity(let d, let u)) where op == .add || op == .subtract:
            return try shift(p, d, u, r)
        case (.quantity(let d, let u), .date(let p)) where op == .add:
            return try shift(p, d, u, l)
        case (.date, .date):
            switch op {
            case .subtract: return .days
            case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual: return .bool
            default:
                throw fail("cannot apply `\(op.rawValue)` to two dates", opSpan,
                           help: "dates subtract to a number of days and compare; add a duration with `+ 90 days`")
            }
        case (.string, .string) where op == .add: return .string
        case (.string, .string) where op.isComparison: return .bool
        case (.bool, .bool) where op == .equal || op == .notEqual: return .bool
        default:
            var help: String?
            if a.isDate, b.isPlain {
                let text = r.span.file.slice(r.span)
                help = "give the number a unit of time: `+ \(text) days` or `+ \(text) months`"
            }
            throw fail("cannot apply `\(op.rawValue)` to \(a.name) and \(b.name)", opSpan, help: help)
        }
    }

    private func shift(_ p: CalendarDate.Precision?, _ d: Dimension, _ u: UnitExpr?, _ q: Expr) throws(Diagnostic) -> LType {
        guard d == Dimension(.time) else {
            let text = q.span.file.slice(q.span)
            throw fail("a date moves by a duration, not by \(d.isNone ? "a plain number" : d.description)", q.span,
                       help: d.isNone ? "write `\(text) days` or `\(text) months`" : nil)
        }
        guard let u else { return .date(nil) }
        if u.terms.count == 1, u.terms[0].def.calendarMonths != nil { return .date(p) }
        return .date(.day)
    }

    /// A whole-number exponent written in the script: `2`, `-1`, `(3)`.
    static func constantInteger(_ e: Expr) -> Int? {
        switch e.kind {
        case .literal(.quantity(let q)) where q.dimension.isNone:
            let x = q.baseValue
            return x == x.rounded() && abs(x) <= 12 ? Int(x) : nil
        case .negate(let x): return constantInteger(x).map { -$0 }
        default: return nil
        }
    }

    /// A quantity with a unit can only be raised to a power the checker can see.
    private func checkExponent(_ l: Expr, _ r: Expr, _ opSpan: Span) throws(Diagnostic) {
        guard let d = l.type?.dimension ?? l.type?.element?.dimension, !d.isNone else { return }
        if let t = r.type, !t.isAny, let de = t.dimension ?? t.element?.dimension, !de.isNone { return }
        guard Self.constantInteger(r) != nil else {
            throw fail("a quantity with a unit can only be raised to a whole power from -12 to 12, written as a number", r.span,
                       help: "convert it to a plain number first by dividing by its unit")
        }
    }

    /// "cannot add USD and power", with the likely fix.
    func mismatch(_ verb: String, _ a: LType, _ b: LType, _ l: Expr, _ r: Expr) -> Diagnostic {
        let da = a.dimension ?? .none, db = b.dimension ?? .none
        var help = "both sides must have the same dimension"
        if let ca = da.currency, let cb = db.currency, ca.code != cb.code,
            da / Dimension(.currency(ca.code)).power(ca.exponent) == db / Dimension(.currency(cb.code)).power(cb.exponent)
        {
            help = hasRate(cb.code, ca.code)
                ? "convert one side first: `(… -> \(ca.code))`"
                : "convert one side first, after declaring a rate: `fx 1 \(cb.code) = … \(ca.code)`"
        } else if let fix = fixHint(for: da.isNone ? l : r, other: da.isNone ? b : a) {
            help = fix
        } else if da.isNone || db.isNone {
            let other = da.isNone ? b : a
            if case .quantity(_, let u?) = other, !u.isEmpty {
                help = "give the number a unit, such as `1 \(u.text())`"
            } else {
                help = "give the number a unit"
            }
        }
        return fail("cannot \(verb) \(Self.describe(a)) and \(Self.describe(b))", l.span.to(r.span), help: help)
    }

    /// The likely fix for a plain number written where money or a
    /// percentage belongs: `$40B` for `40B`, `8%` for `8`.
    func fixHint(for e: Expr, other: LType) -> String? {
        guard case .literal(.quantity(let q)) = e.kind, q.unit.isEmpty, let d = other.dimension else { return nil }
        let text = e.span.file.slice(e.span)
        if let c = d.currency, c.exponent == 1, d.factors.count == 1 {
            let sign = Currency.signOf[c.code]
            return sign.map { "write `\($0)\(text)` for an amount in \(c.code)" } ?? "write `\(text) \(c.code)`"
        }
        if d.isNone, case .quantity(_, let u?) = other, u.isPercent { return "write `\(text)%` for a percentage" }
        return nil
    }

    func hasRate(_ from: String, _ to: String) -> Bool {
        if from == to { return true }
        var seen: Set<String> = [from]
        var queue = [from]
        while let cur = queue.popLast() {
            for (a, b) in rates {
                let next = a == cur ? b : b == cur ? a : nil
                if let n = next, seen.insert(n).inserted {
                    if n == to { return true }
                    queue.append(n)
                }
            }
        }
        return false
    }

    func convert(_ t: LType, to target: UnitExpr, _ span: Span, _ targetSpan: Span) throws(Diagnostic) -> LType {
        switch t {
        case .any: return .quantity(target)
        case .list(let x): return .list(try convert(x, to: target, span, targetSpan))
        case .record(let fs):
            var out: [LType.Field] = []
            for f in fs { out.append(LType.Field(f.name, try convert(f.type, to: target, span, targetSpan))) }
            return .record(out)
        case .quantity(let d, _):
            if d == target.dimension { return .quantity(target) }
            if let from = d.currency, let to = target.dimension.currency, from.exponent == to.exponent,
                d / Dimension(.currency(from.code)).power(from.exponent)
                    == target.dimension / Dimension(.currency(to.code)).power(to.exponent)
            {
                guard hasRate(from.code, to.code) else {
                    throw fail("no exchange rate from \(from.code) to \(to.code)", targetSpan,
                               help: "declare one before this line: `fx 1 \(from.code) = … \(to.code)`")
                }
                return .quantity(target)
            }
            throw fail("cannot convert \(Self.describe(t)) to \(target.dimension.isNone ? "a plain number" : target.dimension.description) (`\(target.text())`)",
                       targetSpan, help: "`->` changes the unit, not the dimension")
        default:
            throw fail("cannot convert \(t.name) to a unit", span)
        }
    }

    // MARK: if

    /// Types both branches; a branch that is a recursive call still being
    /// typed takes the other branch's type.
    private mutating func branches(_ a: Expr, _ b: Expr) throws(Diagnostic) -> (Expr, Expr) {
        var ta: Expr?, tb: Expr?
        var pending: Diagnostic?
        do throws(Diagnostic) { ta = try expr(a) } catch {
            guard error.isPendingRecursion else { throw error }
            pending = error
        }
        do throws(Diagnostic) { tb = try expr(b) } catch {
            guard error.isPendingRecursion else { throw error }
            if pending != nil { throw error }
            pending = error
        }
        if let ta, let tb { return (ta, tb) }
        // One branch recurses: the function's type is the other branch's.
        if let p = lastPending { pendingSeen.insert(ObjectIdentifier(p)) }
        if let ta { return (ta, Expr(kind: b.kind, span: b.span, type: ta.type)) }
        if let tb { return (Expr(kind: a.kind, span: a.span, type: tb.type), tb) }
        throw pending ?? fail("internal: no branch typed", a.span)  // unreachable: one branch succeeded or threw
    }

    private func ifType(_ c: Expr, _ a: Expr, _ b: Expr, _ span: Span) throws(Diagnostic) -> LType {
        let ta = a.type ?? .any, tb = b.type ?? .any
        func join(_ x: LType, _ y: LType) throws(Diagnostic) -> LType {
            guard let j = x.join(y) else {
                if let d1 = x.dimension, let d2 = y.dimension {
                    throw fail("the branches of `if` differ in dimension: \(Self.describe(x)) and \(Self.describe(y))", a.span.to(b.span),
                               help: fixHint(for: b, other: x) ?? fixHint(for: a, other: y) ?? (d1.isNone || d2.isNone ? "give both branches the same unit" : nil))
                }
                throw fail("the branches of `if` differ: \(x.name) and \(y.name)", a.span.to(b.span),
                           help: "both branches must give the same type")
            }
            return j
        }
        switch c.type ?? .any {
        case .bool, .any: return try join(ta, tb)
        case .list(let e):
            _ = try bools(e, c.span, "the condition of `if`")
            return .list(try join(ta.element ?? ta, tb.element ?? tb))
        default:
            throw fail("the condition of `if` must be true or false, not \(c.type?.name ?? "a value")", c.span)
        }
    }

    // MARK: Ranges

    private mutating func range(_ a: Expr, _ b: Expr, _ step: Expr?, _ span: Span) throws(Diagnostic) -> LType {
        let ta = a.type ?? .any, tb = b.type ?? .any
        if case .literal(.date(let x)) = a.kind, case .literal(.date(let y)) = b.kind, y < x {
            warn("the range runs backwards (\(x) to \(y)), so it is empty", span, help: "write the earlier date first: `\(y) .. \(x)`")
        }
        switch (ta, tb) {
        case (.date(let p), .date(let q)):
            if let step, let ts = step.type, !ts.isAny {
                guard ts.dimension == Dimension(.time) else {
                    throw fail("the step of a date range must be a duration, such as `1 day` or `1 month`, not \(Self.describe(ts))", step.span)
                }
            }
            if step == nil { return .list(.date(p == .month && q == .month ? .month : .day)) }
            return .list(.date(p == .day ? .day : nil))
        case (.quantity(let d1, let u), .quantity(let d2, _)):
            guard d1 == d2 else { throw mismatch("make a range from", ta, tb, a, b) }
            if let step, let ts = step.type, !ts.isAny, ts.dimension != d1 {
                throw fail("the step must have the range's dimension (\(Self.describe(ta))), not \(Self.describe(ts))", step.span)
            }
            return .list(.quantity(d1, unit: u))
        case (.any, _), (_, .any): return .list(.any)
        default:
            throw fail("a range runs between two numbers, quantities or dates, not \(ta.name) and \(tb.name)", span)
        }
    }

    // MARK: solve

    /// `solve x in a .. b: lhs == rhs`: a and b are quantities of one
    /// dimension or two dates; inside the equation `x` is a local of their
    /// type, hiding a global of that name; lhs − rhs must exist. The answer
    /// has the bracket's type, or is a list of it when a side is a list.
    mutating func solve(_ v: String, _ vSpan: Span, _ from: Expr, _ to: Expr, _ lhs: Expr, _ rhs: Expr)
        throws(Diagnostic) -> ((from: Expr, to: Expr, lhs: Expr, rhs: Expr), LType)
    {
        if Units.isUnitName(v) {
            throw fail("`\(v)` is a unit and cannot be the variable of `solve`", vSpan,
                       help: "choose another name, such as `\(v)_` or `my_\(v)`")
        }
        let tf = try expr(from), tt = try expr(to)
        let a = tf.type ?? .any, b = tt.type ?? .any
        func bracketError() -> Diagnostic {
            var help = "the bracket runs between two numbers or quantities of one dimension, or two dates: `solve \(v) in 0% .. 100%: …`"
            if a.element != nil || b.element != nil { help = "`solve` finds one value between two ends, not one per element of a list" }
            return fail("the bracket of `solve` must be two numbers, quantities or dates, not \(a.name) and \(b.name)",
                        from.span.to(to.span), help: help)
        }
        let xt: LType
        switch (a, b) {
        case (.quantity(let d1, let u1), .quantity(let d2, _)):
            guard d1 == d2 else { throw mismatch("make a bracket from", a, b, tf, tt) }
            xt = .quantity(d1, unit: u1)
        case (.date(let p), .date(let q)):
            xt = .date(p == .month && q == .month ? .month : p == .day || q == .day ? .day : nil)
        case (.any, .any): xt = .any
        case (.any, .quantity(let d, _)): xt = .quantity(d, unit: nil)
        case (.quantity, .any): xt = a
        case (.any, .date), (.date, .any): xt = .date(nil)
        default: throw bracketError()
        }
        let saved = locals
        var scope = locals ?? [:]
        scope[v] = xt
        locals = scope
        defer { locals = saved }
        let tl = try expr(lhs), tr = try expr(rhs)
        // A side that is a list gives one equation, and one answer, per element.
        let lt = tl.type ?? .any, rt = tr.type ?? .any
        let l = lt.element ?? lt, r = rt.element ?? rt
        func side(_ t: LType, _ e: Expr) throws(Diagnostic) {
            switch t {
            case .quantity, .date, .any: return
            default:
                throw fail("the sides of `solve` must be numbers, quantities or dates, so that lhs − rhs exists, not \((e.type ?? t).name)", e.span,
                           help: "`solve` finds where two amounts are equal: compare a number, a quantity or a date on each side")
            }
        }
        try side(l, tl)
        try side(r, tr)
        switch (l, r) {
        case (.quantity(let d1, _), .quantity(let d2, _)) where d1 != d2:
            throw mismatch("equate", l, r, tl, tr)
        case (.quantity, .date), (.date, .quantity):
            throw fail("cannot equate \(l.name) and \(r.name)", lhs.span.to(rhs.span),
                       help: "both sides must be quantities of one dimension, or both dates")
        default: break
        }
        return ((tf, tt, tl, tr), lt.element != nil || rt.element != nil ? .list(xt) : xt)
    }

    /// A run with several outputs answers `.mean`, `.p95` … for all of them:
    /// an output named like one of those is reached only through the record
    /// the summary field gives (`r.p95.p95`), so say so where it is named.
    private mutating func outputsNamedLikeStats(_ body: Expr, _ t: LType) {
        guard case .result(let cols) = t, cols.count > 1, case .record(let fields) = body.kind else { return }
        for f in fields where Self.resultStats.contains(f.name) {
            warn("the output `\(f.name)` is named like the summary field `.\(f.name)`, which wins: `r.\(f.name)` gives every output's \(f.name)",
                 f.nameSpan, help: "rename the output, such as `\(f.name)_`, to reach its own result as `r.\(f.name)_`")
        }
    }

    // MARK: Fields and indices

    func field(_ t: LType, _ name: String, _ span: Span) throws(Diagnostic) -> LType {
        switch t {
        case .any: return .any
        case .record(let fs):
            if let f = fs.first(where: { $0.name == name }) { return f.type }
            throw fail("the record has no field `\(name)`", span,
                       help: Suggest.didYouMean(name, fs.map(\.name)) ?? "its fields: " + fs.map(\.name).joined(separator: ", "))
        case .cluster:
            if let f = Self.clusterFieldTypes[name] { return f }
            throw fail("a cluster has no field `\(name)`", span,
                       help: Suggest.didYouMean(name, Cluster.readableFields) ?? "fields: " + Cluster.readableFields.joined(separator: ", "))
        case .contract(let currency):
            if let f = Self.contractFieldType(name, currency: currency) { return f }
            throw fail("a contract has no field `\(name)`", span,
                       help: Suggest.didYouMean(name, Contract.readableFields) ?? "fields: " + Contract.readableFields.joined(separator: ", "))
        case .list(let x): return .list(try field(x, name, span))
        case .result(let cols): return try resultField(cols, name, span)
        default:
            throw fail("\(t.name) has no fields", span)
        }
    }

    static let clusterFieldTypes: [String: LType] = [
        "name": .string, "owner": .string, "site": .string, "gpu_model": .string,
        "power": .quantity(Dimension(.power), unit: nil), "gpus": .quantity(Dimension(.gpu), unit: nil),
    ]

    static func contractFieldType(_ name: String, currency: String?) -> LType? { ContractFields.type(name, currency: currency) }

    static let resultStats = ["n", "mean", "sd", "min", "max", "p5", "p50", "p95"]

    /// A summary field (`.p95`), or an output column's own result (`r.npv8`).
    /// A summary field wins over an output of the same name.
    func resultField(_ cols: [LType.Field], _ name: String, _ span: Span) throws(Diagnostic) -> LType {
        guard Self.resultStats.contains(name) else {
            if let c = cols.first(where: { $0.name == name }) { return .result([c]) }
            throw fail("a run result has no field `\(name)`", span, help: Self.resultFieldHelp(name, outputs: cols.map(\.name)))
        }
        if name == "n" { return .number }
        func stat(_ t: LType) -> LType {
            if t.isDate { return name == "sd" ? .days : t }
            return t
        }
        if cols.count == 1 { return stat(cols[0].type) }
        return .record(cols.map { LType.Field($0.name, stat($0.type)) })
    }

    /// Did you mean, among the summary fields and the outputs; else both lists.
    static func resultFieldHelp(_ name: String, outputs: [String]) -> String {
        let named = outputs.count > 1 ? outputs : []
        if let hint = Suggest.didYouMean(name, resultStats + named) { return hint }
        let stats = "summary fields: " + resultStats.joined(separator: ", ")
        return named.isEmpty ? stats : stats + "; outputs: " + named.joined(separator: ", ")
    }

    func index(_ t: LType, _ i: Expr, _ span: Span) throws(Diagnostic) -> LType {
        let ti = i.type ?? .any
        switch t {
        case .any: return .any
        case .list(let x):
            switch ti {
            case .any: return .any
            case .quantity(let d, _) where d.isNone: return x
            case .list(let e) where e.isPlain || e.isAny: return .list(x)
            default: throw fail("a list index must be a whole number, not \(ti.name)", span)
            }
        case .map(_, let v):
            return ti.element != nil ? .any : v
        case .record(let fs):
            guard ti == .string || ti.isAny else { throw fail("a record is indexed by a field name in quotes, not \(ti.name)", span) }
            if case .literal(.string(let s)) = i.kind {
                if let f = fs.first(where: { $0.name == s }) { return f.type }
                throw fail("the record has no field `\(s)`", span, help: Suggest.didYouMean(s, fs.map(\.name)))
            }
            var j: LType?
            for f in fs { j = j.map { $0.join(f.type) ?? .any } ?? f.type }
            return j ?? .any
        default:
            throw fail("cannot index \(t.name) with \(ti.name)", span)
        }
    }
}
