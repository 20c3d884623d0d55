import Foundation
import LeaseCore
import LeaseLanguage

/// Built-ins the vector compiler runs outside the contract queries:
/// aggregates over list literals and cluster capacity.
extension Compiler {
    /// A call this file compiles, or nil to let `call` go on.
    mutating func coveredCall(_ name: String, _ args: [Argument], _ env: [String: VNode], _ span: Span) throws(Unsupported) -> VNode? {
        switch name {
        case "sum", "mean", "sd", "count", "percentile":
            guard let spec = Builtins.specs[name] else { return nil }
            let bound = try bind(args, spec.params)
            guard let first = bound.first ?? nil else { return nil }
            let xs = try node(first, env)
            var p: VNode?
            if bound.count > 1, let pe = bound[1] { p = try node(pe, env) }
            return try aggregate(name, xs, p)
        case "min", "max":
            guard args.allSatisfy({ $0.label == nil }) else { return nil }
            if args.count == 1 {
                return try aggregate(name, try node(args[0].value, env), nil)
            }
            // Dates: `Swift.min` and `Swift.max`, as the row-by-row evaluator compares them.
            var nodes: [VNode] = []
            for a in args { nodes.append(try node(a.value, env)) }
            guard nodes.count >= 2, nodes.allSatisfy({ if case .date = $0 { return true }; return false }) else {
                // Numbers go on to the contract queries' `min`/`max`, already compiled.
                if nodes.count >= 2, nodes.allSatisfy({ if case .num = $0 { return true }; return false }) { return try minMax(name, nodes) }
                return nil
            }
            var acc = nodes[0]
            for y in nodes.dropFirst() {
                guard case .date(let b, _) = y else { throw Unsupported("min/max of dates") }
                let a = try Compiler.ordinals(space, acc)
                // min: y < x ? y : x;  max: y >= x ? y : x
                let takeY = name == "min" ? space.map(a, b) { $1 < $0 ? 1 : 0 } : space.map(a, b) { $1 >= $0 ? 1 : 0 }
                acc = Compiler.choose(space, takeY, y, acc)
            }
            return acc
        case "capacity":
            let bound = try bind(args, ["k", "at"])
            guard let ke = bound[0], let me = bound[1] else { return nil }
            let k = try node(ke, env), m = try node(me, env)
            guard case .value(.cluster(let cluster)) = k, case .date(let d, _) = m else { throw Unsupported("capacity arguments") }
            return try capacity(cluster, d)
        default:
            return nil
        }
    }

    /// The day ordinals of a date node, whatever the precision of each row.
    static func ordinals(_ space: Space, _ n: VNode) throws(Unsupported) -> Col {
        switch n {
        case .date(let c, _): return c
        case .select(let c, let a, let b): return pick(space, c, try ordinals(space, a), try ordinals(space, b))
        default: throw Unsupported("min/max of dates")
        }
    }

    /// `min`/`max` of two or more numbers, as the row-by-row evaluator folds
    /// them: each next one in the first one's unit.
    func minMax(_ name: String, _ nodes: [VNode]) throws(Unsupported) -> VNode {
        guard case .num(var acc, let u) = nodes[0] else { throw Unsupported("min/max operands") }
        for n in nodes.dropFirst() {
            guard case .num(let y, let w) = n, w.dimension == u.dimension else { throw Unsupported("min/max operands") }
            let yc = w == u ? y : convert(y, from: w, to: u)
            acc = name == "min" ? space.map(acc, yc) { Swift.min($0, $1) } : space.map(acc, yc) { Swift.max($0, $1) }
        }
        return .num(acc, u)
    }

    /// An aggregate of a list whose elements vary by row: the numbers in the
    /// first element's unit, then `Builtins.call`'s arithmetic per row.
    func aggregate(_ name: String, _ xs: VNode, _ p: VNode?) throws(Unsupported) -> VNode {
        let elements: [VNode]
        switch xs {
        case .list(let es): elements = es
        case .num: elements = [xs]
        case .value(.list(let vs)): elements = vs.map(VNode.constant)
        default: throw Unsupported("\(name) of a non-list")
        }
        if name == "count" {
            guard case .list = xs else { throw Unsupported("count of a non-list") }
            return .num(.scalar(Double(elements.count)), .none)
        }
        guard !elements.isEmpty else { throw Unsupported("\(name) of an empty list") }
        let space = self.space
        return try Compiler.spread(space, elements.map { Optional($0) }) { (ns) throws(Unsupported) -> VNode in
            var cols: [Col] = []
            var unit = UnitExpr.none
            for (i, n) in ns.enumerated() {
                guard case .num(let c, let u)? = n else { throw Unsupported("\(name) of a list of non-numbers") }
                if i == 0 { unit = u }
                guard u.dimension == unit.dimension else { throw Unsupported("\(name) of mixed dimensions") }
                cols.append(u == unit ? c : space.map(c) { UnitExpr.convert($0, from: u, to: unit) })
            }
            let k = cols.count
            switch name {
            case "sum":
                return .num(space.mapN(cols) { x, k in
                    var acc = CompensatedSum()
                    for j in 0..<k { acc.add(x[j]) }
                    return acc.value
                }, unit)
            case "mean":
                return .num(space.mapN(cols) { x, k in
                    var acc = CompensatedSum()
                    for j in 0..<k { acc.add(x[j]) }
                    return acc.value / Double(k)
                }, unit)
            case "min", "max":
                // As `Array.min()` and `Array.max()`: the first of equals, NaN kept only when first.
                let isMin = name == "min"
                return .num(space.mapN(cols) { x, k in
                    var m = x[0]
                    for j in 1..<k where isMin ? x[j] < m : m < x[j] { m = x[j] }
                    return m
                }, unit)
            case "sd":
                guard k > 1 else { throw Unsupported("sd of one value") }
                // `RunSummary.stats` on a short list: one chunk, its sum added once more.
                return .num(space.mapN(cols) { x, k in
                    var part = CompensatedSum()
                    for j in 0..<k { part.add(x[j]) }
                    var acc = CompensatedSum()
                    acc.add(part.value)
                    let mean = acc.value / Double(k)
                    var sqPart = CompensatedSum()
                    for j in 0..<k {
                        let d = x[j] - mean
                        sqPart.add(d * d)
                    }
                    var sq = CompensatedSum()
                    sq.add(sqPart.value)
                    return (sq.value / Double(k - 1)).squareRoot()
                }, unit)
            case "percentile":
                guard case .num(let pc, let pu)? = p, pu.dimension.isNone else { throw Unsupported("percentile of a varying list") }
                let ps = space.map(pc) { pu.toBase($0) }
                if ps.data.contains(where: { !($0 >= 0 && $0 <= 1) }) { throw Unsupported("percentile out of range") }
                return .num(space.mapN(cols + [ps]) { x, n in
                    Selection.percentiles(Array(UnsafeBufferPointer(start: x, count: n - 1)), [x[n - 1]])[0]
                }, unit)
            default:
                throw Unsupported(name)
            }
        }
    }

    /// `capacity(k, at: m)` for a column of dates: the scalar query's record
    /// for each month the cluster's contracts cover, looked up per row.
    func capacity(_ k: Cluster, _ d: Col) throws(Unsupported) -> VNode {
        let model = interp.session.model
        let months = try monthIndexColumn(d)
        let contracts = model.contracts(on: k.name)
        let lo = contracts.map(\.firstMonth).min() ?? 0
        let hi = max(lo, contracts.map(\.lastMonth).max() ?? lo)
        guard hi - lo < 200_000 else { throw Unsupported("contracts over a very long span") }
        // Index 0 is any month outside every contract; 1 + (m − lo) the others.
        var leased: [Double] = [], freePower: [Double] = [], freeGpus: [Double] = []
        for m in [lo - 1] + Array(lo...hi) {
            let share = model.exactLeasedShare(of: k.name, month: m)
            leased.append(Model.double(share * 100))
            freePower.append(Model.free(k.power.value, leased: share))
            freeGpus.append(Model.free(k.gpus.value, leased: share))
        }
        func column(_ table: [Double]) -> Col {
            table.withUnsafeBufferPointer { t in
                space.map(months) { x in
                    let m = Int(x)
                    return m < lo || m > hi ? t[0] : t[1 + m - lo]
                }
            }
        }
        return .record([
            ("power", VNode.constant(.quantity(k.power))),
            ("gpus", VNode.constant(.quantity(k.gpus))),
            ("leased", .num(column(leased), UnitExpr(unit: Units.percent))),
            ("free_power", .num(column(freePower), k.power.unit)),
            ("free_gpus", .num(column(freeGpus), k.gpus.unit)),
        ])
    }
}
