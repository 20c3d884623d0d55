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
    /// How deep `compile` is: 1 is the run's body or a sampled parameter.
    var nesting = 0
    /// Nodes compiled so far, a bound against recursion that never narrows.
    var steps = 0
    /// Names bound to argument nodes compiled ahead of a call.
    var freshNames = 0
    /// Each varying `rate` given in a `with`, by the monthly column it made,
    /// so `c.rate` reads back the rate as written.
    var rateSources: [(monthly: Col, rate: VNode)] = []

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

    /// Compiles `e`. The outermost call gives what the run outputs (or what a
    /// sampled parameter holds), so sides of an `if` kept apart are joined
    /// there as the row-by-row evaluator's columns join them: in the unit of
    /// the run's first row.
    mutating func compile(_ e: Expr, _ env: [String: VNode]) throws(Unsupported) -> VNode {
        nesting += 1
        defer { nesting -= 1 }
        let n = try node(e, env)
        return nesting == 1 ? try output(n) : n
    }

    /// Compiles `e` to a node that may still hold per-row selections and lists.
    mutating func node(_ e: Expr, _ env: [String: VNode]) throws(Unsupported) -> VNode {
        if !depends(e, env) { return VNode.constant(try constant(e)) }
        steps += 1
        guard steps < 100_000 else { throw Unsupported("an expression too large to compile (deep recursion?)") }
        switch e.kind {
        case .name(let n):
            guard let v = env[n] else { throw Unsupported("name \(n)") }
            return v
        case .negate(let x):
            let space = self.space
            return try unary(try node(x, env)) { (v) throws(Unsupported) -> VNode in
                guard case .num(let c, let u) = v else { throw Unsupported("negate") }
                return .num(space.map(c) { -$0 }, u)
            }
        case .not(let x):
            let space = self.space
            return try unary(try node(x, env)) { (v) throws(Unsupported) -> VNode in
                guard case .bool(let c) = v else { throw Unsupported("not") }
                return .bool(space.map(c) { $0 != 0 ? 0 : 1 })
            }
        case .and(let a, let b), .or(let a, let b):
            if draw != nil, Interpreter.containsDistribution(b) {
                // The row-by-row evaluator skips the right side's draws when the left decides.
                throw Unsupported("a distribution after `and`/`or`")
            }
            let isAnd: Bool
            if case .and = e.kind { isAnd = true } else { isAnd = false }
            let l = try node(a, env), r = try node(b, env)
            let space = self.space
            return try Compiler.spread(space, [l, r]) { (ns) throws(Unsupported) -> VNode in
                guard case .bool(let x)? = ns[0], case .bool(let y)? = ns[1] else { throw Unsupported("and/or") }
                if isAnd { return .bool(space.map(x, y) { $0 != 0 && $1 != 0 ? 1 : 0 }) }
                return .bool(space.map(x, y) { $0 != 0 || $1 != 0 ? 1 : 0 })
            }
        case .binary(let op, let l, let r, let opSpan):
            let a = try node(l, env), b = try node(r, env)
            return try binary(op, a, b, span: opSpan)
        case .convert(let x, let target, _):
            return try convertNode(try node(x, env), to: target)
        case .ifThen(let c, let a, let b):
            if draw != nil, Interpreter.containsDistribution(a) || Interpreter.containsDistribution(b) {
                // The row-by-row evaluator draws only in the branch it takes.
                throw Unsupported("a distribution inside `if`")
            }
            let cond = try node(c, env)
            guard case .bool(let cc) = cond else { throw Unsupported("if condition") }
            if cc.isScalar { return try node(cc.data[0] != 0 ? a : b, env) }
            // When every row takes one side, only that side is compiled (so a
            // recursive function stops inlining where every row stops).
            if cc.data.allSatisfy({ $0 != 0 }) { return try node(a, env) }
            if cc.data.allSatisfy({ $0 == 0 }) { return try node(b, env) }
            let x = try node(a, env), y = try node(b, env)
            return Compiler.choose(space, cc, x, y)
        case .call(let name, _, let args):
            return try callNode(name, args, env, e.span)
        case .with(let x, let fields):
            return try withNode(x, fields, env)
        case .record(let fields):
            guard Set(fields.map(\.name)).count == fields.count else { throw Unsupported("a field given twice") }
            var out: [(name: String, node: VNode)] = []
            for f in fields { out.append((f.name, try node(f.value, env))) }
            return .record(out)
        case .field(let x, let name, let nameSpan):
            return try field(try node(x, env), name, nameSpan)
        case .list(let items):
            var out: [VNode] = []
            for i in items { out.append(try node(i, env)) }
            try Compiler.checkHomogeneous(out)
            return .list(out)
        case .index(let x, let i):
            let xs = try node(x, env), ix = try node(i, env)
            return try index(xs, ix, span: i.span)
        case .solve(let v, _, let from, let to, let lhs, let rhs):
            return try solveNode(v, from, to, lhs, rhs, env)
        default:
            throw Unsupported("expression kind")
        }
    }

    /// `f` applied to each side of a selection and each element of a list, as
    /// the row-by-row evaluator negates lists elementwise.
    func unary(_ n: VNode, _ f: (VNode) throws(Unsupported) -> VNode) throws(Unsupported) -> VNode {
        switch n {
        case .select(let c, let a, let b): return Compiler.choose(space, c, try unary(a, f), try unary(b, f))
        case .list(let xs):
            var out: [VNode] = []
            for x in xs { out.append(try unary(x, f)) }
            return .list(out)
        default: return try f(n)
        }
    }

    /// `x -> unit`, as `Operators.convert`: within a dimension, or between
    /// currencies through the declared rates; lists and records elementwise.
    func convertNode(_ n: VNode, to target: UnitExpr) throws(Unsupported) -> VNode {
        switch n {
        case .select(let c, let a, let b):
            return Compiler.choose(space, c, try convertNode(a, to: target), try convertNode(b, to: target))
        case .list(let xs):
            var out: [VNode] = []
            for x in xs { out.append(try convertNode(x, to: target)) }
            return .list(out)
        case .record(let fs):
            var out: [(name: String, node: VNode)] = []
            for f in fs { out.append((f.name, try convertNode(f.node, to: target))) }
            return .record(out)
        case .num(let c, let u):
            if u.dimension == target.dimension {
                if u == target { return .num(c, u) }
                return .num(convert(c, from: u, to: target), target)
            }
            if let from = u.dimension.currency, let to = target.dimension.currency, from.exponent == to.exponent,
                u.dimension / Dimension(.currency(from.code)).power(from.exponent)
                    == target.dimension / Dimension(.currency(to.code)).power(to.exponent)
            {
                guard let r = interp.session.model.rate(from: from.code, to: to.code) else {
                    throw Unsupported("no exchange rate from \(from.code) to \(to.code)")
                }
                // base value × rate^exponent, then in the target unit, as the row-by-row conversion.
                let factor = pow(r, Double(from.exponent))
                let tf = target.factor
                return .num(space.map(c) { u.toBase($0) * factor / tf }, target)
            }
            throw Unsupported("conversion to another dimension")
        default:
            throw Unsupported("conversion of a non-quantity")
        }
    }

    mutating func binary(_ op: BinaryOp, _ a: VNode, _ b: VNode, span: Span) throws(Unsupported) -> VNode {
        switch (a, b) {
        case (.select(let c, let x, let y), _):
            return Compiler.choose(space, c, try binary(op, x, b, span: span), try binary(op, y, b, span: span))
        case (_, .select(let c, let x, let y)):
            return Compiler.choose(space, c, try binary(op, a, x, span: span), try binary(op, a, y, span: span))
        case (.value(.list(let vs)), _):
            return try binary(op, .list(vs.map(VNode.constant)), b, span: span)
        case (_, .value(.list(let vs))):
            return try binary(op, a, .list(vs.map(VNode.constant)), span: span)
        case (.list(let xs), .list(let ys)):
            // Elementwise, as `Operators.broadcast`.
            guard xs.count == ys.count else { throw Unsupported("lists of different lengths") }
            var out: [VNode] = []
            for (x, y) in zip(xs, ys) { out.append(try binary(op, x, y, span: span)) }
            return .list(out)
        case (.list(let xs), _):
            var out: [VNode] = []
            for x in xs { out.append(try binary(op, x, b, span: span)) }
            return .list(out)
        case (_, .list(let ys)):
            var out: [VNode] = []
            for y in ys { out.append(try binary(op, a, y, span: span)) }
            return .list(out)
        case (.value(let x), .value(let y)):
            // Strings and other constants reached through varying values.
            let lit = { (v: Value) in Expr(kind: .literal(v), span: span) }
            return VNode.constant(try constant(Expr(kind: .binary(op: op, lhs: lit(x), rhs: lit(y), opSpan: span), span: span)))
        default:
            return try scalarBinary(op, a, b)
        }
    }

    func scalarBinary(_ op: BinaryOp, _ a: VNode, _ b: VNode) throws(Unsupported) -> VNode {
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
                // x / 1 is x, bit for bit (`rate / month`): no pass.
                if s == 1, y.isScalar, y.data[0] == 1 { return .num(x, u) }
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
