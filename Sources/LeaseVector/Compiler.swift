import Foundation
import LeaseCore
import LeaseLanguage

/// Why a run goes back to the row-by-row evaluator.
struct Unsupported: Error {
    var reason: String
    init(_ r: String) { reason = r }
}

/// Compiles an expression into column operations over a run's axes,
/// following the scalar evaluator's arithmetic step for step.
struct Compiler {
    let space: Space
    var interp: Interpreter
    /// Set while a sampled parameter compiles: distributions draw into columns.
    var draw: (seed: UInt64, key: UInt64, counter: UInt64)?
    var inlineDepth = 0

    init(space: Space, interp: Interpreter) {
        self.space = space
        self.interp = interp
    }

    // MARK: Dependence

    /// Does `e` mention a name bound in `env` (or draw from a distribution)?
    func depends(_ e: Expr, _ env: [String: VNode]) -> Bool {
        switch e.kind {
        case .literal, .unit: return false
        case .name(let n): return env[n] != nil
        case .string(let ps):
            return ps.contains { if case .expr(let x) = $0 { return depends(x, env) }; return false }
        case .negate(let x), .not(let x), .convert(let x, _, _), .field(let x, _, _): return depends(x, env)
        case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r), .index(let l, let r):
            return depends(l, env) || depends(r, env)
        case .ifThen(let c, let a, let b): return depends(c, env) || depends(a, env) || depends(b, env)
        case .range(let a, let b, let s): return depends(a, env) || depends(b, env) || (s.map { depends($0, env) } ?? false)
        case .call(let name, _, let args):
            if draw != nil && Builtins.distributions.contains(name) { return true }
            return args.contains { depends($0.value, env) }
        case .with(let x, let fs): return depends(x, env) || fs.contains { depends($0.value, env) }
        case .list(let xs): return xs.contains { depends($0, env) }
        case .map(let ps): return ps.contains { depends($0.key, env) || depends($0.value, env) }
        case .record(let fs): return fs.contains { depends($0.value, env) }
        case .run: return true
        case .solve(_, _, let a, let b, let l, let r):
            return depends(a, env) || depends(b, env) || depends(l, env) || depends(r, env)
        }
    }

    mutating func constant(_ e: Expr) throws(Unsupported) -> Value {
        do throws(Diagnostic) {
            return try interp.eval(e)
        } catch {
            throw Unsupported("a constant part fails: \(error.message)")
        }
    }

    // MARK: Expressions

    mutating func compile(_ e: Expr, _ env: [String: VNode]) throws(Unsupported) -> VNode {
        if !depends(e, env) { return VNode.constant(try constant(e)) }
        switch e.kind {
        case .name(let n):
            guard let v = env[n] else { throw Unsupported("name \(n)") }
            return v
        case .negate(let x):
            guard case .num(let c, let u) = try compile(x, env) else { throw Unsupported("negate") }
            return .num(space.map(c) { -$0 }, u)
        case .not(let x):
            guard case .bool(let c) = try compile(x, env) else { throw Unsupported("not") }
            return .bool(space.map(c) { $0 != 0 ? 0 : 1 })
        case .and(let a, let b), .or(let a, let b):
            if draw != nil, Interpreter.containsDistribution(b) {
                // The row-by-row evaluator skips the right side's draws when the left decides.
                throw Unsupported("a distribution after `and`/`or`")
            }
            guard case .bool(let x) = try compile(a, env), case .bool(let y) = try compile(b, env) else {
                throw Unsupported("and/or")
            }
            if case .and = e.kind { return .bool(space.map(x, y) { $0 != 0 && $1 != 0 ? 1 : 0 }) }
            return .bool(space.map(x, y) { $0 != 0 || $1 != 0 ? 1 : 0 })
        case .binary(let op, let l, let r, _):
            return try binary(op, try compile(l, env), try compile(r, env))
        case .convert(let x, let target, _):
            guard case .num(let c, let u) = try compile(x, env), u.dimension == target.dimension else {
                throw Unsupported("conversion")
            }
            if u == target { return .num(c, u) }
            return .num(space.map(c) { UnitExpr.convert($0, from: u, to: target) }, target)
        case .ifThen(let c, let a, let b):
            if draw != nil, Interpreter.containsDistribution(a) || Interpreter.containsDistribution(b) {
                // The row-by-row evaluator draws only in the branch it takes.
                throw Unsupported("a distribution inside `if`")
            }
            let cond = try compile(c, env)
            guard case .bool(let cc) = cond else { throw Unsupported("if condition") }
            if cc.isScalar { return try compile(cc.data[0] != 0 ? a : b, env) }
            let x = try compile(a, env), y = try compile(b, env)
            switch (x, y) {
            case (.num(let p, let u), .num(let q, let w)) where u == w:
                return .num(space.map(cc, p, q) { $0 != 0 ? $1 : $2 }, u)
            case (.date(let p, let u), .date(let q, let w)) where u == w:
                return .date(space.map(cc, p, q) { $0 != 0 ? $1 : $2 }, u)
            case (.bool(let p), .bool(let q)):
                return .bool(space.map(cc, p, q) { $0 != 0 ? $1 : $2 })
            default: throw Unsupported("if branches of different units or types")
            }
        case .call(let name, _, let args):
            return try call(name, args, env, e.span)
        case .with(let x, let fields):
            return try with(x, fields, env)
        case .record(let fields):
            guard Set(fields.map(\.name)).count == fields.count else { throw Unsupported("a field given twice") }
            var out: [(name: String, node: VNode)] = []
            for f in fields { out.append((f.name, try compile(f.value, env))) }
            return .record(out)
        default:
            throw Unsupported("expression kind")
        }
    }

    func binary(_ op: BinaryOp, _ a: VNode, _ b: VNode) throws(Unsupported) -> VNode {
        switch (a, b) {
        case (.num(let x, let xu), .num(let y, let yu)):
            switch op {
            case .add, .subtract:
                guard xu.dimension == yu.dimension else { throw Unsupported("dimension mismatch") }
                let yc = yu == xu ? y : convert(y, from: yu, to: xu)
                return .num(op == .add ? space.map(x, yc) { $0 + $1 } : space.map(x, yc) { $0 - $1 }, xu)
            case .multiply:
                let (u, s) = UnitExpr.product(xu, yu)
                return .num(space.map(x, y) { UnitExpr.scaled($0 * $1, by: s) }, u)
            case .divide:
                let (u, s) = UnitExpr.product(xu, yu.power(-1))
                return .num(space.map(x, y) { UnitExpr.scaled($0 / $1, by: s) }, u)
            case .power:
                guard yu.dimension.isNone else { throw Unsupported("power") }
                if xu.isEmpty || xu.dimension.isNone { return .num(space.map(x, y) { pow(xu.toBase($0), yu.toBase($1)) }, .none) }
                guard y.isScalar, yu.toBase(y.data[0]).rounded() == yu.toBase(y.data[0]), abs(yu.toBase(y.data[0])) <= 12 else {
                    throw Unsupported("power of a quantity")
                }
                let e = yu.toBase(y.data[0])
                return .num(space.map(x) { pow($0, e) }, xu.power(Int(e)))
            default:
                guard xu.dimension == yu.dimension else { throw Unsupported("dimension mismatch") }
                if xu == yu { return .bool(compare(op, x, y)) }
                return .bool(compare(op, space.map(x) { xu.toBase($0) }, space.map(y) { yu.toBase($0) }))
            }
        case (.date(let d, let p), .num(let q, let u)) where op == .add || op == .subtract:
            return try shift(d, p, q, u, negate: op == .subtract)
        case (.num(let q, let u), .date(let d, let p)) where op == .add:
            return try shift(d, p, q, u, negate: false)
        case (.date(let x, _), .date(let y, _)):
            if op == .subtract { return .num(space.map(x, y) { $0 - $1 }, UnitExpr(unit: Units.day)) }
            guard op.isComparisonOp else { throw Unsupported("date operator") }
            return .bool(compare(op, x, y))
        case (.bool(let x), .bool(let y)) where op == .equal || op == .notEqual:
            return .bool(compare(op, x, y))
        default:
            throw Unsupported("operand types")
        }
    }

    func convert(_ c: Col, from: UnitExpr, to: UnitExpr) -> Col {
        space.map(c) { UnitExpr.convert($0, from: from, to: to) }
    }

    func compare(_ op: BinaryOp, _ x: Col, _ y: Col) -> Col {
        switch op {
        case .equal: return space.map(x, y) { $0 == $1 ? 1 : 0 }
        case .notEqual: return space.map(x, y) { $0 != $1 ? 1 : 0 }
        case .less: return space.map(x, y) { $0 < $1 ? 1 : 0 }
        case .lessEqual: return space.map(x, y) { $0 <= $1 ? 1 : 0 }
        case .greater: return space.map(x, y) { $0 > $1 ? 1 : 0 }
        default: return space.map(x, y) { $0 >= $1 ? 1 : 0 }
        }
    }

    /// Date plus a duration, as `Operators.shift` does it; any row it would
    /// refuse sends the run back to the scalar evaluator.
    func shift(_ d: Col, _ p: CalendarDate.Precision, _ q: Col, _ u: UnitExpr, negate: Bool) throws(Unsupported) -> VNode {
        guard u.dimension == Dimension(.time) else { throw Unsupported("date shift by a non-duration") }
        let sign = negate ? -1.0 : 1.0
        if u.terms.count == 1, let months = u.terms[0].def.calendarMonths {
            let out = space.map(d, q) { o, v in
                let n = v * Double(months) * sign
                guard n == n.rounded(), abs(n) < 120_000, var date = CalendarDate.fromOrdinal(Int(o)) else { return .nan }
                if p == .month { date = date.monthOnly }
                guard let r = date.adding(months: Int(n)) else { return .nan }
                return Double(r.ordinal)
            }
            if out.data.contains(where: { $0.isNaN }) { throw Unsupported("date shift out of range") }
            return .date(out, p)
        }
        let f = u.factor
        let out = space.map(d, q) { o, v in
            let days = v * f / 86400 * sign
            guard days.isFinite, abs(days) < 4_000_000, days == days.rounded(),
                let r = CalendarDate.fromOrdinal(Int(o) + Int(days))
            else { return .nan }
            return Double(r.ordinal)
        }
        if out.data.contains(where: { $0.isNaN }) { throw Unsupported("date shift out of range") }
        return .date(out, .day)
    }
}

extension BinaryOp {
    var isComparisonOp: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }
}
