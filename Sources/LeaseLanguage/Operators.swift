import Foundation
import LeaseCore

/// Arithmetic, comparison and conversion on values, with lists broadcast
/// elementwise. Spans let a mismatch point at the operator and both sides.
struct Operators {
    let model: Model
    var interrupt: InterruptFlag? = nil

    func fail(_ message: String, _ span: Span, help: String? = nil) -> Diagnostic {
        Diagnostic(.runtime, message, at: span, help: help)
    }

    /// Applies `f` elementwise when either side is a list, else once.
    func broadcast(
        _ a: Value, _ b: Value, _ span: Span, _ f: (Value, Value) throws(Diagnostic) -> Value
    ) throws(Diagnostic) -> Value {
        switch (a, b) {
        case (.list(let xs), .list(let ys)):
            guard xs.count == ys.count else {
                throw fail("lists of different lengths: \(xs.count) and \(ys.count)", span,
                           help: "elementwise operations need lists of the same length")
            }
            var out: [Value] = []
            out.reserveCapacity(xs.count)
            for (i, (x, y)) in zip(xs, ys).enumerated() {
                if i & 0xFFFF == 0xFFFF, interrupt?.isRaised == true { throw fail("interrupted", span) }
                out.append(try broadcast(x, y, span, f))
            }
            return .list(out)
        case (.list(let xs), _):
            var out: [Value] = []
            out.reserveCapacity(xs.count)
            for (i, x) in xs.enumerated() {
                if i & 0xFFFF == 0xFFFF, interrupt?.isRaised == true { throw fail("interrupted", span) }
                out.append(try broadcast(x, b, span, f))
            }
            return .list(out)
        case (_, .list(let ys)):
            var out: [Value] = []
            out.reserveCapacity(ys.count)
            for (i, y) in ys.enumerated() {
                if i & 0xFFFF == 0xFFFF, interrupt?.isRaised == true { throw fail("interrupted", span) }
                out.append(try broadcast(a, y, span, f))
            }
            return .list(out)
        default:
            return try f(a, b)
        }
    }

    func binary(_ op: BinaryOp, _ a: Value, _ b: Value, opSpan: Span, lhs: Span, rhs: Span) throws(Diagnostic) -> Value {
        if op == .equal || op == .notEqual, !isNumeric(a) || !isNumeric(b) {
            if case .list = a {} else if case .list = b {} else {
                let eq = try equal(a, b, lhs.to(rhs))
                return .bool(op == .equal ? eq : !eq)
            }
        }
        return try broadcast(a, b, opSpan) { (x, y) throws(Diagnostic) -> Value in
            try scalar(op, x, y, opSpan: opSpan, lhs: lhs, rhs: rhs)
        }
    }

    private func isNumeric(_ v: Value) -> Bool {
        switch v {
        case .quantity, .date, .list: return true
        default: return false
        }
    }

    private func equal(_ a: Value, _ b: Value, _ span: Span) throws(Diagnostic) -> Bool {
        switch (a, b) {
        case (.quantity(let x), .quantity(let y)):
            guard x.dimension == y.dimension else { throw mismatch("compare", x, y, span) }
            return x.unit == y.unit ? x.value == y.value : x.baseValue == y.baseValue
        case (.date(let x), .date(let y)): return x == y
        default:
            if a.typeName != b.typeName {
                throw fail("cannot compare a \(a.typeName) with a \(b.typeName)", span)
            }
            return a == b
        }
    }

    func mismatch(_ verb: String, _ a: Quantity, _ b: Quantity, _ span: Span) -> Diagnostic {
        let da = a.dimension.description, db = b.dimension.description
        var help = "both sides must have the same dimension"
        if let ca = a.dimension.currency, let cb = b.dimension.currency, ca.code != cb.code,
            a.dimension / Dimension(.currency(ca.code)).power(ca.exponent)
                == b.dimension / Dimension(.currency(cb.code)).power(cb.exponent)
        {
            help = model.rate(from: cb.code, to: ca.code) == nil
                ? "convert one side first, after declaring a rate: `fx 1 \(cb.code) = … \(ca.code)`"
                : "convert one side first: `(… -> \(ca.code))`"
        } else if a.dimension.isNone || b.dimension.isNone {
            let other = a.dimension.isNone ? b : a
            help = "give the number a unit, such as `\(Format.number(1)) \(other.unit.text())`"
        }
        return fail("cannot \(verb) \(da) and \(db)", span, help: help)
    }

    func scalar(_ op: BinaryOp, _ a: Value, _ b: Value, opSpan: Span, lhs: Span, rhs: Span) throws(Diagnostic) -> Value {
        switch (a, b) {
        case (.quantity(let x), .quantity(let y)):
            return try quantities(op, x, y, opSpan, operands: lhs.to(rhs))
        case (.date(let d), .quantity(let q)) where op == .add || op == .subtract:
            return .date(try shift(d, by: q, negate: op == .subtract, span: opSpan, qSpan: rhs))
        case (.quantity(let q), .date(let d)) where op == .add:
            return .date(try shift(d, by: q, negate: false, span: opSpan, qSpan: lhs))
        case (.date(let x), .date(let y)):
            switch op {
            case .subtract:
                return .quantity(Quantity(Double(x.ordinal - y.ordinal), UnitExpr(unit: Units.day)))
            case .less: return .bool(x < y)
            case .lessEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterEqual: return .bool(x >= y)
            case .equal: return .bool(x == y)
            case .notEqual: return .bool(x != y)
            default:
                throw fail("cannot apply `\(op.rawValue)` to two dates", opSpan,
                           help: "dates subtract to a number of days and compare; add a duration with `+ 90 days`")
            }
        case (.string(let x), .string(let y)) where op == .add:
            return .string(x + y)
        case (.string(let x), .string(let y)) where op.isComparison:
            switch op {
            case .less: return .bool(x < y)
            case .lessEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterEqual: return .bool(x >= y)
            case .equal: return .bool(x == y)
            default: return .bool(x != y)
            }
        case (.bool(let x), .bool(let y)) where op == .equal || op == .notEqual:
            return .bool((x == y) == (op == .equal))
        default:
            var help: String?
            if case .date = a, case .quantity(let q) = b, q.dimension.isNone {
                help = "give the number a unit of time: `+ \(Format.number(q.value)) days` or `+ \(Format.number(q.value)) months`"
            }
            throw fail("cannot apply `\(op.rawValue)` to a \(a.typeName) and a \(b.typeName)", opSpan, help: help)
        }
    }

    /// A dimension mismatch points at both operands (`operands`), anything else at the operator.
    func quantities(_ op: BinaryOp, _ x: Quantity, _ y: Quantity, _ span: Span, operands: Span) throws(Diagnostic) -> Value {
        switch op {
        case .add, .subtract:
            guard x.dimension == y.dimension else { throw mismatch(op == .add ? "add" : "subtract", x, y, operands) }
            let yv = y.unit == x.unit ? y.value : y.converted(to: x.unit).value
            return .quantity(Quantity(op == .add ? x.value + yv : x.value - yv, x.unit))
        case .multiply:
            let (u, s) = UnitExpr.product(x.unit, y.unit)
            return .quantity(Quantity(UnitExpr.scaled(x.value * y.value, by: s), u))
        case .divide:
            let (u, s) = UnitExpr.product(x.unit, y.unit.power(-1))
            return .quantity(Quantity(UnitExpr.scaled(x.value / y.value, by: s), u))
        case .power:
            guard y.dimension.isNone else {
                throw fail("the exponent must be a plain number, not \(y.dimension)", span)
            }
            let e = y.baseValue
            if x.unit.isEmpty || (x.dimension.isNone) { return .number(pow(x.baseValue, e)) }
            guard e == e.rounded(), abs(e) <= 12 else {
                throw fail("a quantity with a unit can only be raised to a whole power (up to 12)", span,
                           help: "convert it to a plain number first by dividing by its unit")
            }
            let n = Int(e)
            return .quantity(Quantity(pow(x.value, e), x.unit.power(n)))
        default:
            guard x.dimension == y.dimension else { throw mismatch("compare", x, y, operands) }
            // Different units compare in base units, so `7% == 0.07`.
            let a = x.unit == y.unit ? x.value : x.baseValue, b = x.unit == y.unit ? y.value : y.baseValue
            switch op {
            case .equal: return .bool(a == b)
            case .notEqual: return .bool(a != b)
            case .less: return .bool(a < b)
            case .lessEqual: return .bool(a <= b)
            case .greater: return .bool(a > b)
            default: return .bool(a >= b)
            }
        }
    }

    /// Date plus a duration: months and years along the calendar, anything
    /// else as a whole number of days.
    func shift(_ d: CalendarDate, by q: Quantity, negate: Bool, span: Span, qSpan: Span) throws(Diagnostic) -> CalendarDate {
        guard q.dimension == Dimension(.time) else {
            throw fail("a date moves by a duration, not by \(q.dimension)", qSpan,
                       help: q.dimension.isNone ? "write `\(Format.number(q.value)) days` or `\(Format.number(q.value)) months`" : nil)
        }
        let sign = negate ? -1.0 : 1.0
        if q.unit.terms.count == 1, let m = q.unit.terms[0].def.calendarMonths {
            let n = q.value * Double(m) * sign
            guard n == n.rounded(), abs(n) < 120_000 else {
                throw fail("a date moves by whole months; \(Format.quantity(q)) is not", qSpan,
                           help: "use days for fractions: `+ 45 days`")
            }
            guard let r = d.adding(months: Int(n)) else { throw fail("the date falls outside years 1–9999", span) }
            return r
        }
        let days = q.baseValue / 86400 * sign
        guard days.isFinite, abs(days) < 4_000_000 else { throw fail("the date falls outside years 1–9999", span) }
        guard days == days.rounded() else {
            throw fail("a date moves by whole days; \(Format.quantity(q)) is \(Format.number(abs(days))) days", qSpan)
        }
        guard let r = d.adding(days: Int(days)) else { throw fail("the date falls outside years 1–9999", span) }
        return r
    }

    /// `x -> unit`: same dimension, or another currency through declared rates.
    func convert(_ v: Value, to target: UnitExpr, span: Span, targetSpan: Span) throws(Diagnostic) -> Value {
        switch v {
        case .list(let xs):
            var out: [Value] = []
            for x in xs { out.append(try convert(x, to: target, span: span, targetSpan: targetSpan)) }
            return .list(out)
        case .quantity(let q):
            if q.dimension == target.dimension { return .quantity(q.converted(to: target)) }
            if let from = q.dimension.currency, let to = target.dimension.currency, from.exponent == to.exponent,
                q.dimension / Dimension(.currency(from.code)).power(from.exponent)
                    == target.dimension / Dimension(.currency(to.code)).power(to.exponent)
            {
                guard let r = model.rate(from: from.code, to: to.code) else {
                    throw fail("no exchange rate from \(from.code) to \(to.code)", targetSpan,
                               help: "declare one: `fx 1 \(from.code) = … \(to.code)`")
                }
                let base = q.baseValue * pow(r, Double(from.exponent))
                return .quantity(Quantity(base / target.factor, target))
            }
            throw fail("cannot convert \(q.dimension) to \(target.dimension.description) (`\(target.text())`)", targetSpan,
                       help: "`->` changes the unit, not the dimension")
        case .record(let r):
            var fields: [(name: String, value: Value)] = []
            for f in r.fields { fields.append((f.name, try convert(f.value, to: target, span: span, targetSpan: targetSpan))) }
            return .record(Record(fields))
        default:
            throw fail("cannot convert a \(v.typeName) to a unit", span)
        }
    }
}
