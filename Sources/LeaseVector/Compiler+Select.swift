import Foundation
import LeaseCore
import LeaseLanguage

/// Per-row selections (`VNode.select`) and lists: how they are built, how
/// every operation reaches each of their sides, and how a run's output joins
/// them into one column.
extension Compiler {
    // MARK: Choosing

    /// Per row, `a` where `c` is not 0, else `b`: one column when both sides
    /// fit one (same unit, same precision, same contract base), else a selection.
    static func choose(_ space: Space, _ c: Col, _ a: VNode, _ b: VNode) -> VNode {
        if c.isScalar { return c.data[0] != 0 ? a : b }
        switch (a, b) {
        case (.num(let p, let u), .num(let q, let w)) where u == w:
            return .num(pick(space, c, p, q), u)
        case (.date(let p, let u), .date(let q, let w)) where u == w:
            return .date(pick(space, c, p, q), u)
        case (.bool(let p), .bool(let q)):
            return .bool(pick(space, c, p, q))
        case (.value(let x), .value(let y)) where x == y:
            return a
        case (.record(let f), .record(let g)) where f.map(\.name) == g.map(\.name):
            return .record(zip(f, g).map { ($0.name, choose(space, c, $0.node, $1.node)) })
        case (.list(let xs), .list(let ys)) where xs.count == ys.count:
            return .list(zip(xs, ys).map { choose(space, c, $0, $1) })
        case (.contract(let x), .contract(let y)):
            if let m = mergeContracts(space, c, x, y) { return .contract(m) }
            return .select(c, a, b)
        default:
            return .select(c, a, b)
        }
    }

    static func pick(_ space: Space, _ c: Col, _ p: Col, _ q: Col) -> Col {
        if same(p, q) { return p }
        return space.map(c, p, q) { $0 != 0 ? $1 : $2 }
    }

    /// The same column object (not just equal numbers).
    static func same(_ a: Col, _ b: Col) -> Bool {
        guard a.axes == b.axes, a.data.count == b.data.count else { return false }
        return a.data.withUnsafeBufferPointer { pa in b.data.withUnsafeBufferPointer { pb in pa.baseAddress == pb.baseAddress } }
    }

    /// The name of a set deal-term or termination column of `c` (besides those
    /// in `also`): a contract with one is kept apart and its fields unread here.
    static func unknownColumn(_ c: CCol, also: Set<String> = []) -> String? {
        c.setTermColumns.first { !also.contains($0) }
    }

    /// One contract column for two of the same base whose rates are the same
    /// column (so `c.rate` still reads back): ends, escalation and discounts
    /// chosen per row.
    static func mergeContracts(_ space: Space, _ c: Col, _ x: CCol, _ y: CCol) -> CCol? {
        guard x.base == y.base, x.currency == y.currency, unknownColumn(x) == nil, unknownColumn(y) == nil else { return nil }
        var out = CCol(base: x.base)
        out.currency = x.currency
        switch (x.monthlyRate, y.monthlyRate) {
        case (nil, nil): break
        case (let p?, let q?) where same(p, q): out.monthlyRate = p
        default: return nil
        }
        func column(_ p: Col?, _ q: Col?, _ base: Double) -> Col? {
            if p == nil && q == nil { return nil }
            return pick(space, c, p ?? .scalar(base), q ?? .scalar(base))
        }
        out.escalation = column(x.escalation, y.escalation, x.base.escalation)
        out.end = column(x.end, y.end, x.baseEndCode)
        if x.discounts != nil || y.discounts != nil {
            let base = x.base.discounts.map { (month: $0.month.monthIndex, fraction: Col.scalar($0.fraction)) }
            let dx = x.discounts ?? base, dy = y.discounts ?? base
            guard dx.map(\.month) == dy.map(\.month) else { return nil }
            out.discounts = zip(dx, dy).map { (month: $0.month, fraction: pick(space, c, $0.fraction, $1.fraction)) }
        }
        return out
    }

    /// How many plain nodes a node's selections stand for.
    static func leaves(_ n: VNode?) -> Int {
        if case .select(_, let a, let b)? = n { return leaves(a) + leaves(b) }
        return 1
    }

    /// `body` on each combination of the sides of the selections among
    /// `nodes` (and each element of a list at an `elementwise` position),
    /// the results chosen per row as their selections choose.
    static func spread(
        _ space: Space, _ nodes: [VNode?], elementwise: Set<Int> = [], _ body: ([VNode?]) throws(Unsupported) -> VNode
    ) throws(Unsupported) -> VNode {
        var total = 1
        for n in nodes { total *= leaves(n) }
        guard total <= 64 else { throw Unsupported("too many combinations of `if` sides") }
        return try spreadStep(space, nodes, elementwise, body)
    }

    private static func spreadStep(
        _ space: Space, _ nodes: [VNode?], _ elementwise: Set<Int>, _ body: ([VNode?]) throws(Unsupported) -> VNode
    ) throws(Unsupported) -> VNode {
        for (i, n) in nodes.enumerated() {
            if case .select(let c, let a, let b)? = n {
                var na = nodes, nb = nodes
                na[i] = a
                nb[i] = b
                let x = try spreadStep(space, na, elementwise, body)
                let y = try spreadStep(space, nb, elementwise, body)
                return choose(space, c, x, y)
            }
        }
        var count: Int?
        for i in elementwise.sorted() where i < nodes.count {
            if case .list(let xs)? = nodes[i] {
                if let m = count, m != xs.count { throw Unsupported("lists of different lengths") }
                count = xs.count
            }
        }
        guard let count else { return try body(nodes) }
        guard count <= 64 else { throw Unsupported("a long list in an elementwise call") }
        var out: [VNode] = []
        for k in 0..<count {
            var nk = nodes
            for i in elementwise where i < nodes.count { if case .list(let xs)? = nodes[i] { nk[i] = xs[k] } }
            out.append(try spreadStep(space, nk, elementwise, body))
        }
        return .list(out)
    }

    // MARK: Lists

    enum Shape: Equatable {
        case num(LeaseCore.Dimension), date, bool, contract, record, list, value(String)
    }

    static func shapes(_ n: VNode) -> [Shape] {
        switch n {
        case .num(_, let u): return [.num(u.dimension)]
        case .date: return [.date]
        case .bool: return [.bool]
        case .contract: return [.contract]
        case .record: return [.record]
        case .list: return [.list]
        case .value(let v): return [.value(v.typeName)]
        case .select(_, let a, let b): return shapes(a) + shapes(b)
        }
    }

    /// A list's elements of one dimension or type, as the row-by-row evaluator requires.
    static func checkHomogeneous(_ xs: [VNode]) throws(Unsupported) {
        guard let first = xs.first.map(shapes)?.first else { return }
        for x in xs {
            for s in shapes(x) where s != first { throw Unsupported("list elements of different types") }
        }
    }

    // MARK: Output

    /// The value at the run's first row of a column.
    func firstRow(_ c: Col) -> Double {
        if c.isScalar { return c.data[0] }
        let all = Array(space.sizes.indices)
        if c.axes == all, space.rows != nil { return c.data[0] }
        var rest = space.offset
        var coords = [Int](repeating: 0, count: space.sizes.count)
        for a in space.sizes.indices.reversed() {
            coords[a] = rest % max(1, space.sizes[a])
            rest /= max(1, space.sizes[a])
        }
        var i = 0
        for a in c.axes { i = i * space.sizes[a] + coords[a] }
        return i < c.data.count ? c.data[i] : .nan
    }

    /// The plain node the run's first row takes.
    func firstLeaf(_ n: VNode) -> VNode {
        if case .select(let c, let a, let b) = n { return firstLeaf(firstRow(c) != 0 ? a : b) }
        return n
    }

    static func mapLeaves(_ space: Space, _ n: VNode, _ f: (VNode) throws(Unsupported) -> VNode) throws(Unsupported) -> VNode {
        if case .select(let c, let a, let b) = n {
            return choose(space, c, try mapLeaves(space, a, f), try mapLeaves(space, b, f))
        }
        return try f(n)
    }

    /// What a run gives: selections joined into one column as `ColumnBuilder`
    /// joins rows, each in the first row's unit.
    func output(_ n: VNode) throws(Unsupported) -> VNode {
        switch n {
        case .record(let fs):
            var out: [(name: String, node: VNode)] = []
            for f in fs { out.append((f.name, try output(f.node))) }
            return .record(out)
        case .select:
            // A sampled parameter's rows would each keep their own unit in the body.
            if draw != nil { throw Unsupported("a sampled parameter whose rows differ in unit or precision") }
            return try join(n)
        default:
            return n
        }
    }

    func join(_ n: VNode) throws(Unsupported) -> VNode {
        let space = self.space
        switch firstLeaf(n) {
        case .num(_, let u0):
            // Batches of a long sample and shards of a one-axis grid do not know the run's first row.
            if space.sizes.count == 1, (space.rows?.lowerBound ?? 0) > 0 {
                throw Unsupported("a result in several units in a batch or shard")
            }
            let joined = try Compiler.mapLeaves(space, n) { (leaf) throws(Unsupported) -> VNode in
                guard case .num(let c, let u) = leaf, u.dimension == u0.dimension else { throw Unsupported("rows of different types") }
                return .num(u == u0 ? c : space.map(c) { UnitExpr.convert($0, from: u, to: u0) }, u0)
            }
            guard case .num = joined else { throw Unsupported("rows of different types") }
            return joined
        case .date(_, let p0):
            let joined = try Compiler.mapLeaves(space, n) { (leaf) throws(Unsupported) -> VNode in
                guard case .date(let c, _) = leaf else { throw Unsupported("rows of different types") }
                return .date(c, p0)
            }
            guard case .date = joined else { throw Unsupported("rows of different types") }
            return joined
        case .record(let fs0):
            var out: [(name: String, node: VNode)] = []
            for (j, f) in fs0.enumerated() {
                let part = try Compiler.mapLeaves(space, n) { (leaf) throws(Unsupported) -> VNode in
                    guard case .record(let fs) = leaf, fs.map(\.name) == fs0.map(\.name) else {
                        throw Unsupported("rows with different fields")
                    }
                    return fs[j].node
                }
                out.append((f.name, try output(part)))
            }
            return .record(out)
        default:
            throw Unsupported("rows of different types")
        }
    }

    // MARK: Calls and with

    /// Elementwise argument positions of built-ins (as `Builtins.elementwise` is called).
    static let elementwise: [String: Set<Int>] = [
        "payment": [0, 1], "months": [0], "total": [0], "npv": [0, 1], "terminate": [0, 1], "exposure": [0, 1],
        "remaining": [0, 1], "capacity": [0, 1], "abs": [0, 1], "floor": [0, 1], "ceil": [0, 1], "round": [0, 1],
        "sqrt": [0, 1], "exp": [0, 1], "ln": [0, 1], "year": [0], "month": [0], "day": [0], "days_in_month": [0],
    ]

    /// Which parameter each argument binds to, as `bind` matches them.
    static func parameterIndices(_ args: [Argument], _ params: [String]) -> [Int?] {
        var taken = Set<Int>()
        var next = 0
        var out: [Int?] = []
        for a in args {
            if let label = a.label {
                let i = params.firstIndex(of: label)
                if let i { taken.insert(i) }
                out.append(i)
            } else {
                while next < params.count && taken.contains(next) { next += 1 }
                if next < params.count {
                    taken.insert(next)
                    out.append(next)
                    next += 1
                } else {
                    out.append(nil)
                }
            }
        }
        return out
    }

    /// An expression standing for `n`: a literal for a constant, else a fresh name bound in `env`.
    mutating func stand(for n: VNode, _ env: inout [String: VNode], _ span: Span) -> Expr {
        if case .value(let v) = n { return Expr(kind: .literal(v), span: span) }
        freshNames += 1
        let key = "\u{1}arg\(freshNames)"
        env[key] = n
        return Expr(kind: .name(key), span: span)
    }

    /// A call whose varying arguments are compiled first, so an argument
    /// that is a selection or (at an elementwise position) a list reaches the
    /// call one side or element at a time.
    mutating func callNode(_ name: String, _ args: [Argument], _ env: [String: VNode], _ span: Span) throws(Unsupported) -> VNode {
        // Draws keep the evaluator's order: argument by argument inside the call.
        if draw != nil, Builtins.distributions.contains(name) || args.contains(where: { Interpreter.containsDistribution($0.value) }) {
            return try call(name, args, env, span)
        }
        let isBuiltin = interp.session.functions[name] == nil
        if isBuiltin, let node = try aggregateOfRowList(name, args, env, span) { return node }
        var positions: Set<Int> = []
        if isBuiltin, let ps = Compiler.elementwise[name], let spec = Builtins.specs[name] {
            let indices = Compiler.parameterIndices(args, spec.params)
            for (i, p) in indices.enumerated() { if let p, ps.contains(p) { positions.insert(i) } }
            // `npv` of a list of amounts takes the list whole (numpy-financial's npv), not one call per element.
            if name == "npv", let i = indices.firstIndex(of: 0), case .list(let e)? = args[i].value.type, e.isQuantity {
                positions.remove(i)
            }
        }
        var nodes: [VNode?] = []
        for (i, a) in args.enumerated() {
            if depends(a.value, env) {
                nodes.append(try node(a.value, env))
            } else if positions.contains(i), case .list(let vs) = try constant(a.value) {
                nodes.append(.list(vs.map(VNode.constant)))
            } else {
                nodes.append(nil)
            }
        }
        guard nodes.contains(where: { $0 != nil }) else { return try call(name, args, env, span) }
        return try Compiler.spread(space, nodes, elementwise: positions) { (ns) throws(Unsupported) -> VNode in
            var inner = env
            var rewritten = args
            for (i, n) in ns.enumerated() {
                guard let n else { continue }
                rewritten[i].value = stand(for: n, &inner, args[i].value.span)
            }
            return try call(name, rewritten, inner, span)
        }
    }

    /// `x with {…}` with the base and varying fields compiled first: a record
    /// changes field by field; a contract goes to the contract `with`.
    mutating func withNode(_ x: Expr, _ fields: [FieldInit], _ env: [String: VNode]) throws(Unsupported) -> VNode {
        var nodes: [VNode?] = [try node(x, env)]
        for f in fields {
            // A discounts map is read as written by the contract `with`.
            if f.name != "discounts" || nodes[0].map({ if case .record = $0 { return true }; return false }) == true,
                depends(f.value, env)
            {
                nodes.append(try node(f.value, env))
            } else {
                nodes.append(nil)
            }
        }
        return try Compiler.spread(space, nodes) { (ns) throws(Unsupported) -> VNode in
            if case .record(var rs)? = ns[0] {
                for (j, f) in fields.enumerated() {
                    let v: VNode
                    if let n = ns[j + 1] { v = n } else { v = try node(f.value, env) }
                    if let i = rs.firstIndex(where: { $0.name == f.name }) { rs[i].node = v } else { rs.append((f.name, v)) }
                }
                return .record(rs)
            }
            var inner = env
            var base = x
            if let n = ns[0] { base = stand(for: n, &inner, x.span) }
            var changed = fields
            for (j, f) in fields.enumerated() {
                if let n = ns[j + 1] { changed[j].value = stand(for: n, &inner, f.value.span) }
            }
            let out = try with(base, changed, inner)
            if case .contract(let c) = out, let m = c.monthlyRate, let j = fields.firstIndex(where: { $0.name == "rate" }),
                let r = ns[j + 1]
            {
                rateSources.append((m, r))
            }
            return out
        }
    }

    // MARK: Fields and indices

    mutating func field(_ n: VNode, _ name: String, _ span: Span) throws(Unsupported) -> VNode {
        switch n {
        case .select(let c, let a, let b):
            let x = try field(a, name, span), y = try field(b, name, span)
            return Compiler.choose(space, c, x, y)
        case .list(let xs):
            var out: [VNode] = []
            for x in xs { out.append(try field(x, name, span)) }
            return .list(out)
        case .record(let fs):
            guard let f = fs.first(where: { $0.name == name }) else { throw Unsupported("no field \(name)") }
            return f.node
        case .contract(let c):
            return try contractField(c, name, span)
        case .value(let v):
            return VNode.constant(try constant(Expr(kind: .field(Expr(kind: .literal(v), span: span), name: name, nameSpan: span), span: span)))
        default:
            throw Unsupported("a field of a number, date or bool")
        }
    }

    /// Fields of a contract whose terms vary by row, as `ContractFields.value` reads them.
    mutating func contractField(_ c: CCol, _ name: String, _ span: Span) throws(Unsupported) -> VNode {
        let share = c.share, notice = c.notice
        // Every field read below either ignores the deal-term columns or reads its own
        // (share, notice); a fee or minimum that varies is not read here (`default`).
        func fixed() throws(Unsupported) -> VNode {
            VNode.constant(try constant(Expr(kind: .field(Expr(kind: .literal(.contract(c.base)), span: span), name: name, nameSpan: span), span: span)))
        }
        switch name {
        case "name", "lessor", "lessee", "cluster", "start":
            return try fixed()
        case "share":
            guard let share else { return try fixed() }
            return .num(space.map(share) { $0 * 100 }, UnitExpr(unit: Units.percent))
        case "gpus", "power":
            guard let share else { return try fixed() }
            // share × the cluster's, exactly in decimal, as `Contract.gpus`.
            let q = name == "gpus" ? c.base.cluster.gpus : c.base.cluster.power
            let amount = Model.decimal(q.value)
            return .num(space.map(share) { Model.double(amount * Model.decimal($0)) }, q.unit)
        case "notice":
            guard let notice else { return try fixed() }
            return .num(notice, c.noticeUnit)
        case "end":
            guard let code = c.end else { return try fixed() }
            // month index × 32 + day; day 0 is a month-precision end.
            let isDay = space.map(code) { Int($0) % 32 != 0 ? 1 : 0 }
            let ordinals = space.map(code) { x -> Double in
                let m = Int(x) / 32, d = Int(x) % 32
                guard let month = CalendarDate.fromMonthIndex(m) else { return .nan }
                if d == 0 { return Double(month.ordinal) }
                guard let day = CalendarDate(year: month.year, month: month.month, day: d) else { return .nan }
                return Double(day.ordinal)
            }
            if ordinals.data.contains(where: { $0.isNaN }) { throw Unsupported("an end outside the calendar") }
            let days = isDay.data.contains(1), months = isDay.data.contains(0)
            if !months { return .date(ordinals, .day) }
            if !days { return .date(ordinals, .month) }
            return .select(isDay, .date(ordinals, .day), .date(ordinals, .month))
        case "rate":
            guard let m = c.monthlyRate else { return try fixed() }
            guard let r = rateSources.last(where: { Compiler.same($0.monthly, m) })?.rate else {
                throw Unsupported("the rate of a contract chosen per row")
            }
            return r
        case "escalation":
            guard let e = c.escalation else { return try fixed() }
            return .num(space.map(e) { $0 * 100 }, UnitExpr(unit: Units.percent))
        case "months":
            guard c.end != nil else { return try fixed() }
            return try query("months", [.contract(c)])
        case "discounts":
            guard c.discounts == nil, c.end == nil else { throw Unsupported("the discounts of a varying contract") }
            return try fixed()
        case "timing", "termination_fee", "minimum", "usage", "utilization", "renewal":
            return try rowwiseField(c, name)
        default:
            throw Unsupported("the field \(name) of a varying contract")
        }
    }

    /// `xs[i]`, as the row-by-row index: whole numbers, negative from the end.
    mutating func index(_ x: VNode, _ i: VNode, span: Span) throws(Unsupported) -> VNode {
        let space = self.space
        return try Compiler.spread(space, [x, i]) { (ns) throws(Unsupported) -> VNode in
            guard let xs = ns[0], let ix = ns[1] else { throw Unsupported("index") }
            let elems: [VNode]
            switch xs {
            case .list(let es): elems = es
            case .value(.list(let vs)): elems = vs.map(VNode.constant)
            case .value(let v):
                // A constant map or record with a constant key, reached through a selection.
                guard case .value(let k) = ix else { throw Unsupported("a varying key") }
                let lit = { (x: Value) in Expr(kind: .literal(x), span: span) }
                return VNode.constant(try constant(Expr(kind: .index(lit(v), lit(k)), span: span)))
            case .record(let fs):
                guard case .value(.string(let s)) = ix, let f = fs.first(where: { $0.name == s }) else {
                    throw Unsupported("a record index")
                }
                return f.node
            default: throw Unsupported("indexing a non-list")
            }
            guard case .num(let ic, let iu) = ix, iu.dimension.isNone, !elems.isEmpty else { throw Unsupported("a list index") }
            let n = Double(elems.count)
            let idx = space.map(ic) { q in
                let v = iu.toBase(q)
                guard v == v.rounded(), v.isFinite else { return .nan }
                let k = v < 0 ? n + v : v
                return k >= 0 && k < n ? k : .nan
            }
            if idx.data.contains(where: { $0.isNaN }) { throw Unsupported("a list index out of range") }
            if idx.isScalar { return elems[Int(idx.data[0])] }
            let used = Set(idx.data.map { Int($0) }).sorted()
            guard let last = used.last else { throw Unsupported("a list index") }
            var acc = elems[last]
            for k in used.dropLast().reversed() {
                let mask = space.map(idx) { Int($0) == k ? 1 : 0 }
                acc = Compiler.choose(space, mask, elems[k], acc)
            }
            return acc
        }
    }
}

extension Space {
    /// `f` of the row's values of every column in `cols`, in order.
    func mapN(_ cols: [Col], _ f: (UnsafePointer<Double>, Int) -> Double) -> Col {
        let k = cols.count
        return Payments.withPointers(cols.map(\.data)) { ptrs in
            ptrs.withUnsafeBufferPointer { pp in
                guard let p = pp.baseAddress, k > 0 else { return Col.scalar(.nan) }
                return drive(cols.map(\.axes)) { out, n, bases, steps in
                    var idx = [Int](repeating: 0, count: k)
                    var row = [Double](repeating: 0, count: k)
                    for j in 0..<k { idx[j] = bases[j] }
                    row.withUnsafeMutableBufferPointer { rb in
                        guard let r = rb.baseAddress else { return }
                        for e in 0..<n {
                            for j in 0..<k {
                                r[j] = p[j][idx[j]]
                                idx[j] += steps[j]
                            }
                            out[e] = f(UnsafePointer(r), k)
                        }
                    }
                }
            }
        }
    }
}
