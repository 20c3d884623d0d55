import Foundation
import LeaseCore
import LeaseLanguage

/// Runs scenarios column by column instead of row by row.
///
/// The run's expression is compiled once into operations on columns; each
/// column is computed only over the grid axes it depends on and spread over
/// all rows only where it meets the others, in pieces split across threads.
/// Anything it cannot reproduce exactly as the row-by-row evaluator would
/// (including every row that evaluator would refuse) is handed back to it.
public final class VectorEngine: ScenarioEngine, @unchecked Sendable {
    public let threads: Int
    /// Why the last run went back to the row-by-row evaluator, if it did.
    public private(set) var lastFallback: String?

    public init(threads: Int = 0) {
        self.threads = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
    }

    /// Installs the engine in a session.
    public static func install(in session: Session, threads: Int = 0) {
        session.engine = VectorEngine(threads: threads)
    }

    /// A sample's rows are computed this many at a time, so that the
    /// kernels' intermediate columns stay small; the batches' columns are
    /// concatenated (each row depends only on its global index).
    static let batchRows = 1 << 23

    package func run(_ plan: Interpreter.ScenarioPlan, body: Expr, scenario: String, interpreter: inout Interpreter, span: Span)
        throws(Diagnostic) -> RunResult?
    {
        let all = plan.range
        guard plan.sampled, all.count > Self.batchRows else {
            return try runBatch(plan, body: body, scenario: scenario, interpreter: &interpreter, span: span)
        }
        try interpreter.checkMemory(rows: all.count, columns: plan.parameters.count + 2, bytesPerCell: 8, span)
        var template: RunResult?
        var params: [[Double]] = []
        var outs: [[Double]] = []
        var lo = all.lowerBound
        while lo < all.upperBound {
            var part = plan
            part.range = lo..<min(all.upperBound, lo + Self.batchRows)
            guard let r = try runBatch(part, body: body, scenario: scenario, interpreter: &interpreter, span: span) else { return nil }
            if template == nil {
                template = r
                params = r.parameters.map { _ in [] }
                outs = r.outputs.map { _ in [] }
                for i in params.indices { params[i].reserveCapacity(all.count) }
                for i in outs.indices { outs[i].reserveCapacity(all.count) }
            }
            for (i, c) in r.parameters.enumerated() { params[i].append(contentsOf: c.values) }
            for (i, c) in r.outputs.enumerated() { outs[i].append(contentsOf: c.values) }
            lo = part.range.upperBound
        }
        guard var result = template else { return nil }
        for i in result.parameters.indices { result.parameters[i].values = params[i] }
        params = []
        for i in result.outputs.indices { result.outputs[i].values = outs[i] }
        outs = []
        return result
    }

    /// One batch of a run's rows, `plan.range`.
    func runBatch(_ plan: Interpreter.ScenarioPlan, body: Expr, scenario: String, interpreter: inout Interpreter, span: Span)
        throws(Diagnostic) -> RunResult?
    {
        lastFallback = nil
        let sizes = plan.sampled ? [plan.rows] : plan.axes
        var space = Space(sizes: sizes, threads: threads, interrupt: interpreter.session.interrupt)
        if plan.range != 0..<plan.rows { space.rows = plan.range }
        try interpreter.checkMemory(rows: plan.range.count, columns: Interpreter.columnsHeld(plan, body: body), bytesPerCell: 8, span)
        var compiler = Compiler(space: space, interp: interpreter)
        do {
            var env: [String: VNode] = [:]
            var paramColumns: [RunResult.Column] = []
            for (i, p) in plan.parameters.enumerated() {
                let node: VNode
                if plan.sampled {
                    if let vs = p.values {
                        node = VNode.constant(vs[0])
                    } else {
                        compiler.draw = (plan.seed, CounterRNG.key(p.name), 0)
                        node = try compiler.compile(p.expr, [:])
                        compiler.draw = nil
                    }
                } else {
                    // A one-axis grid's axis is over every axis: in a shard it holds just the shard's rows.
                    let values = p.values ?? []
                    node = try Self.axis(plan.axes.count == 1 && space.rows != nil ? Array(values[plan.range]) : values, axis: i)
                }
                env[p.name] = node
                switch node {
                case .num(let c, let u):
                    paramColumns.append(Self.column(p.name, c, unit: u, isDate: false, space: space, sampled: plan.sampled))
                case .date(let c, _):
                    paramColumns.append(Self.column(p.name, c, unit: .none, isDate: true, space: space, sampled: plan.sampled))
                default: break
                }
            }
            let out = try compiler.compile(body, env)
            var outputs: [RunResult.Column] = []
            func add(_ name: String, _ node: VNode) throws(Unsupported) {
                switch node {
                case .num(let c, let u): outputs.append(.init(name: name, values: space.expand(c), unit: u))
                case .date(let c, _): outputs.append(.init(name: name, values: space.expand(c), unit: .none, isDate: true))
                case .bool(let c): outputs.append(.init(name: name, values: space.expand(c), unit: .none))
                default: throw Unsupported("a run must give numbers, quantities, dates or bools")
                }
            }
            if case .record(let fields) = out {
                for f in fields { try add(f.name, f.node) }
            } else {
                try add("value", out)
            }
            if interpreter.session.interrupt.isRaised { throw Interrupted() }
            return RunResult(scenario: scenario, parameters: paramColumns, outputs: outputs)
        } catch is Interrupted {
            throw Diagnostic(.runtime, "interrupted", at: span)
        } catch let error as Unsupported {
            if interpreter.session.interrupt.isRaised { throw Diagnostic(.runtime, "interrupted", at: span) }
            lastFallback = error.reason
            if ProcessInfo.processInfo.environment["LEASE_ENGINE_TRACE"] != nil {
                FileHandle.standardError.write(Data("lease: running `\(scenario)` row by row: \(error.reason)\n".utf8))
            }
            return nil
        } catch {
            lastFallback = "\(error)"
            return nil
        }
    }

    /// A grid parameter's values as a column over its own axis.
    static func axis(_ values: [Value], axis i: Int) throws(Unsupported) -> VNode {
        guard let first = values.first else { throw Unsupported("empty axis") }
        switch first {
        case .quantity(let q0):
            var xs: [Double] = []
            for v in values {
                guard case .quantity(let q) = v, q.dimension == q0.dimension else { throw Unsupported("mixed axis") }
                xs.append(q.unit == q0.unit ? q.value : q.converted(to: q0.unit).value)
            }
            // Values in other units would not display alike; keep them row by row.
            guard values.allSatisfy({ if case .quantity(let q) = $0 { return q.unit == q0.unit }; return false }) else {
                throw Unsupported("axis in several units")
            }
            return .num(Col(axes: [i], data: xs), q0.unit)
        case .date(let d0):
            var xs: [Double] = []
            for v in values {
                guard case .date(let d) = v, d.precision == d0.precision else { throw Unsupported("mixed dates") }
                xs.append(Double(d.ordinal))
            }
            return .date(Col(axes: [i], data: xs), d0.precision)
        case .bool:
            return .bool(Col(axes: [i], data: values.map { if case .bool(let b) = $0 { return b ? 1 : 0 }; return 0 }))
        default:
            throw Unsupported("axis of \(first.typeName)")
        }
    }

    /// A parameter column for the result: grid axes stay compressed.
    static func column(_ name: String, _ c: Col, unit: UnitExpr, isDate: Bool, space: Space, sampled: Bool) -> RunResult.Column {
        if !sampled, space.rows == nil, c.axes.count == 1, let a = c.axes.first {
            let stride = space.sizes[(a + 1)...].reduce(1, *)
            return RunResult.Column(name: name, values: c.data, unit: unit, isDate: isDate, stride: stride)
        }
        return RunResult.Column(name: name, values: space.expand(c), unit: unit, isDate: isDate)
    }
}

struct Interrupted: Error {}
