import Foundation
import LeaseCore
import LeaseLanguage
#if os(Linux)
/// glibc's `mallopt` (malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

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

    /// A sample's rows are computed this many at a time, each batch from
    /// draws to outputs by one thread, so that its intermediate columns stay
    /// small (2 MB each) and their memory is reused from batch to batch
    /// instead of being faulted in fresh; the batches are spread over every
    /// core and copied into the result's columns, allocated once (each row
    /// depends only on its global index). Much smaller batches would be
    /// slower: the payment kernel builds per-rate tables for a rate column
    /// of fewer than 4M / (months + 1) values, a loss when every row has
    /// its own rate.
    package static let batchRows = 1 << 18

    /// Runs over more rows than this that still go row by row print a warning.
    package static let warnRows = 100_000

    package func run(_ plan: Interpreter.ScenarioPlan, body: Expr, scenario: String, interpreter: inout Interpreter, span: Span)
        throws(Diagnostic) -> RunResult?
    {
        lastFallback = nil
        let all = plan.range
        try interpreter.checkMemory(
            bytes: Interpreter.bytesNeeded(plan, body: body, batchRows: Self.batchRows, threads: threads), rows: all.count, span)
        let result: RunResult?
        if plan.sampled, all.count > Self.batchRows {
            result = try runBatches(plan, body: body, scenario: scenario, interpreter: interpreter, span: span)
        } else {
            result = try runBatch(plan, body: body, scenario: scenario, interpreter: &interpreter, span: span)
        }
        if result == nil, let reason = lastFallback { warnRowByRow(scenario, rows: all.count, reason: reason, span: span) }
        return result
    }

    /// Says on stderr that a run goes row by row, and why: always with
    /// `LEASE_ENGINE_TRACE`, and as a warning for a run of many rows.
    func warnRowByRow(_ scenario: String, rows: Int, reason: String, span: Span) {
        if ProcessInfo.processInfo.environment["LEASE_ENGINE_TRACE"] != nil {
            FileHandle.standardError.write(Data("lease: running `\(scenario)` row by row: \(reason)\n".utf8))
        }
        guard rows > Self.warnRows else { return }
        let w = Diagnostic(
            .runtime, "`\(scenario)` runs row by row (\(Format.number(Double(rows))) rows), much more slowly: \(reason)", at: span,
            help: "docs/performance.md lists what runs vectorized; LEASE_ENGINE_TRACE=1 names the reason for every run",
            severity: .warning)
        FileHandle.standardError.write(Data((w.render(color: false) + "\n").utf8))
    }

    /// A sample of many rows in batches of `batchRows`, one thread a batch,
    /// every core at once; nil when any batch needs the row-by-row evaluator.
    func runBatches(_ plan: Interpreter.ScenarioPlan, body: Expr, scenario: String, interpreter: Interpreter, span: Span)
        throws(Diagnostic) -> RunResult?
    {
        _ = Self.allocatorTuned
        let all = plan.range
        let count = (all.count + Self.batchRows - 1) / Self.batchRows
        let interrupt = interpreter.session.interrupt
        // The first batch gives the result's columns: names, units, types. The
        // second is worked out beside it on another core, and kept until then.
        let early = EarlyBatches(count: threads > 1 && count > 1 ? 2 : 1)
        DispatchQueue.concurrentPerform(iterations: early.count) { b in
            early.set(b, Result { try Self.batch(plan, rows: BatchQueue.rows(b, of: all), body: body, interpreter: interpreter) })
        }
        let first: Batch
        switch early.results[0] {
        case .success(let b)?:
            first = b
        case .failure(let error)?:
            lastFallback = try fallbackReason(error, interrupt: interrupt, span: span)
            return nil
        case nil:
            return nil
        }
        let template = first.parameters + first.outputs
        // Sampled parameters are recomputed on first read instead of kept:
        // each is a function of the seed, its name and the row alone.
        let deferred = Self.deferredParameters(plan, first: first, interpreter: interpreter)
        let np = first.parameters.count
        var slots: [Int?] = []
        var kept = 0
        for j in template.indices {
            if j < np, deferred[j] != nil {
                slots.append(nil)
            } else {
                slots.append(kept)
                kept += 1
            }
        }
        let columns = (0..<kept).map { _ in ColumnBuffer(count: all.count) }
        let work = BatchQueue(plan: plan, body: body, interpreter: interpreter, template: template, slots: slots, count: count,
                              next: early.count)
        ColumnBuffer.withPointers(columns) { pointers in
            work.pointers = pointers
            _ = Self.store(first, at: 0, template: template, slots: slots, into: pointers)
            if early.count > 1, let second = early.results[1] {
                let rows = BatchQueue.rows(1, of: all)
                switch second {
                case .success(let b):
                    if !Self.store(b, at: rows.lowerBound - all.lowerBound, template: template, slots: slots, into: pointers) {
                        work.fail(1, Unsupported("batches of different column types"))
                    }
                case .failure(let error):
                    work.fail(1, error)
                }
            }
            let left = count - early.count
            if left > 0 { DispatchQueue.concurrentPerform(iterations: min(threads, left)) { _ in work.work() } }
            work.pointers = []
        }
        if let failure = work.failure {
            lastFallback = try fallbackReason(failure.error, interrupt: interrupt, span: span)
            return nil
        }
        if interrupt.isRaised { throw Diagnostic(.runtime, "interrupted", at: span) }
        let finished = template.indices.map { j -> RunResult.Column in
            let c = template[j]
            if j < np, let d = deferred[j] {
                let job = UnsafeSendable(d)
                return RunResult.Column(name: c.name, count: all.count, unit: c.unit, isDate: c.isDate) {
                    Self.parameterValues(job.value.plan, index: job.value.index, interpreter: job.value.interpreter)
                }
            }
            return RunResult.Column(name: c.name, values: slots[j].map { columns[$0].values } ?? [], unit: c.unit, isDate: c.isDate)
        }
        return RunResult(scenario: scenario, parameters: Array(finished[..<np]), outputs: Array(finished[np...]))
    }

    /// How a sampled parameter of a batched run is computed again: its plan
    /// (expressions with every part that draws nothing already evaluated, so
    /// the session's later bindings cannot change it), the interpreter of a
    /// session of its own, the parameter's index in the plan.
    struct DeferredParameter {
        var plan: Interpreter.ScenarioPlan
        var interpreter: Interpreter
        var index: Int
    }

    /// For each parameter column of `first`, how to compute it again, or nil
    /// to keep it: only a parameter whose recomputed first batch gives the
    /// first batch's values bit for bit is left to be computed on demand.
    static func deferredParameters(_ plan: Interpreter.ScenarioPlan, first: Batch, interpreter: Interpreter)
        -> [DeferredParameter?]
    {
        var own = plan
        var fixed = Array(repeating: false, count: plan.parameters.count)
        for (i, p) in plan.parameters.enumerated() where p.values == nil {
            var compiler = Compiler(space: Space(sizes: [plan.rows], threads: 1, interrupt: nil), interp: interpreter)
            compiler.draw = (plan.seed, CounterRNG.key(p.name), 0)
            guard let e = Self.closed(p.expr, &compiler) else { continue }
            own.parameters[i].expr = e
            fixed[i] = true
        }
        guard fixed.contains(true) || plan.parameters.contains(where: { $0.values != nil }) else {
            return first.parameters.map { _ in nil }
        }
        let session = Session()
        if !interpreter.session.fxSources.isEmpty {
            guard session.run(SourceFile(name: "<fx>", text: interpreter.session.fxSources.joined(separator: "\n"))) == nil else {
                return first.parameters.map { _ in nil }
            }
        }
        let fresh = Interpreter(session: session)
        let rows = BatchQueue.rows(0, of: plan.range)
        return first.parameters.map { c -> DeferredParameter? in
            guard let i = plan.parameters.firstIndex(where: { $0.name == c.name }),
                fixed[i] || plan.parameters[i].values != nil,
                let again = try? Self.parameterBatch(own, index: i, rows: rows, interpreter: fresh),
                again.unit == c.unit, again.isDate == c.isDate, again.stride == 0, again.values.count == c.values.count,
                zip(again.values, c.values).allSatisfy({ $0.bitPattern == $1.bitPattern })
            else { return nil }
            return DeferredParameter(plan: own, interpreter: fresh, index: i)
        }
    }

    /// `e` with each largest part that draws nothing replaced by its value,
    /// as the compiler evaluates it; nil when some part cannot be rewritten.
    static func closed(_ e: Expr, _ compiler: inout Compiler) -> Expr? {
        if !compiler.depends(e, [:]) {
            if case .literal = e.kind { return e }
            guard let v = try? compiler.constant(e) else { return nil }
            var out = e
            out.kind = .literal(v)
            return out
        }
        var out = e
        switch e.kind {
        case .negate(let x):
            guard let a = closed(x, &compiler) else { return nil }
            out.kind = .negate(a)
        case .not(let x):
            guard let a = closed(x, &compiler) else { return nil }
            out.kind = .not(a)
        case .convert(let x, let u, let s):
            guard let a = closed(x, &compiler) else { return nil }
            out.kind = .convert(a, to: u, targetSpan: s)
        case .binary(let op, let l, let r, let s):
            guard let a = closed(l, &compiler), let b = closed(r, &compiler) else { return nil }
            out.kind = .binary(op: op, lhs: a, rhs: b, opSpan: s)
        case .and(let l, let r):
            guard let a = closed(l, &compiler), let b = closed(r, &compiler) else { return nil }
            out.kind = .and(a, b)
        case .or(let l, let r):
            guard let a = closed(l, &compiler), let b = closed(r, &compiler) else { return nil }
            out.kind = .or(a, b)
        case .index(let l, let r):
            guard let a = closed(l, &compiler), let b = closed(r, &compiler) else { return nil }
            out.kind = .index(a, b)
        case .ifThen(let c, let t, let f):
            guard let a = closed(c, &compiler), let b = closed(t, &compiler), let d = closed(f, &compiler) else { return nil }
            out.kind = .ifThen(cond: a, then: b, else: d)
        case .list(let xs):
            var ys: [Expr] = []
            for x in xs {
                guard let y = closed(x, &compiler) else { return nil }
                ys.append(y)
            }
            out.kind = .list(ys)
        case .call(let name, let s, let args):
            // A user function's body would still read the session.
            guard e.function == nil, Builtins.distributions.contains(name) else { return nil }
            var bs = args
            for k in bs.indices {
                guard let y = closed(bs[k].value, &compiler) else { return nil }
                bs[k].value = y
            }
            out.kind = .call(name: name, nameSpan: s, args: bs)
        default:
            return nil
        }
        return out
    }

    /// Parameter `index` of a sample over `rows`, computed as `compute` does.
    static func parameterBatch(_ plan: Interpreter.ScenarioPlan, index i: Int, rows: Range<Int>, interpreter: Interpreter) throws
        -> RunResult.Column
    {
        var part = plan
        part.range = rows
        var space = Space(sizes: [plan.rows], threads: 1, interrupt: nil)
        space.rows = rows
        var compiler = Compiler(space: space, interp: interpreter)
        let node = try Self.parameterNode(part, index: i, space: space, compiler: &compiler)
        guard let c = Self.parameterColumn(plan.parameters[i].name, node, space: space, sampled: true) else {
            throw Unsupported("a parameter that is not a column")
        }
        return c
    }

    /// Every row of parameter `index` of a batched sample, in the run's
    /// batches, on every core. Total: a batch that failed would give NaN
    /// rows, which cannot happen, since the same batch gave these values
    /// when the run was made (`deferredParameters` checks the first).
    static func parameterValues(_ plan: Interpreter.ScenarioPlan, index: Int, interpreter: Interpreter) -> [Double] {
        let all = plan.range
        let count = (all.count + batchRows - 1) / batchRows
        let buffer = ColumnBuffer(count: all.count)
        ColumnBuffer.withPointers([buffer]) { pointers in
            guard let base = pointers.first else { return }
            let out = UnsafeSendable(base)
            let job = UnsafeSendable((plan: plan, interpreter: interpreter))
            DispatchQueue.concurrentPerform(iterations: count) { b in
                let rows = BatchQueue.rows(b, of: all)
                let at = out.value + (rows.lowerBound - all.lowerBound)
                let c = try? Self.parameterBatch(job.value.plan, index: index, rows: rows, interpreter: job.value.interpreter)
                if let v = c?.values, v.count == rows.count {
                    v.withUnsafeBufferPointer { p in
                        if let src = p.baseAddress { at.update(from: src, count: rows.count) }
                    }
                } else {
                    at.update(repeating: .nan, count: rows.count)
                }
            }
        }
        return buffer.values
    }

    /// Keeps the memory of a batch's columns (2 MB each, freed at the end of
    /// the batch) in the process for the next batch: by default glibc maps
    /// blocks this large afresh and returns freed memory at the top of the
    /// heap to the system, so every batch would fault in and zero its pages
    /// again (160,000 page faults and 0.5 s of system time for 10M samples,
    /// against 19,000 this way). Blocks of 32 MB or more (a result's
    /// columns) are still mapped and returned on their own.
    static let allocatorTuned: Bool = {
        #if os(Linux)
        _ = glibcMallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD
        _ = glibcMallopt(-1, 256 << 20)  // M_TRIM_THRESHOLD
        #endif
        return true
    }()

    /// Copies a batch's columns into the result's at row `offset` (column j
    /// into `out[slots[j]]`, none when nil); false if they are not the
    /// columns of the first batch.
    static func store(_ b: Batch, at offset: Int, template: [RunResult.Column], slots: [Int?],
                      into out: [UnsafeMutablePointer<Double>]) -> Bool
    {
        let cs = b.parameters + b.outputs
        guard cs.count == template.count, slots.count == template.count else { return false }
        for (j, c) in cs.enumerated() {
            guard c.name == template[j].name, c.unit == template[j].unit, c.isDate == template[j].isDate,
                c.stride == 0, c.values.count == b.rows
            else { return false }
            guard let k = slots[j] else { continue }
            guard k < out.count else { return false }
            c.values.withUnsafeBufferPointer { v in
                if let base = v.baseAddress { (out[k] + offset).update(from: base, count: v.count) }
            }
        }
        return true
    }

    /// The reason to give for going row by row, or the error to stop with.
    func fallbackReason(_ error: any Error, interrupt: InterruptFlag, span: Span) throws(Diagnostic) -> String {
        if error is Interrupted || interrupt.isRaised { throw Diagnostic(.runtime, "interrupted", at: span) }
        if let u = error as? Unsupported { return u.reason }
        return "\(error)"
    }

    /// One batch of a sample's rows, computed on the calling thread.
    struct Batch {
        var parameters: [RunResult.Column]
        var outputs: [RunResult.Column]
        var rows: Int
    }

    static func batch(_ plan: Interpreter.ScenarioPlan, rows: Range<Int>, body: Expr, interpreter: Interpreter) throws -> Batch {
        var part = plan
        part.range = rows
        var space = Space(sizes: [plan.rows], threads: 1, interrupt: interpreter.session.interrupt)
        space.rows = rows
        let (parameters, outputs) = try compute(part, body: body, space: space, interpreter: interpreter)
        return Batch(parameters: parameters, outputs: outputs, rows: rows.count)
    }

    /// One batch of a run's rows, `plan.range`, on every core.
    func runBatch(_ plan: Interpreter.ScenarioPlan, body: Expr, scenario: String, interpreter: inout Interpreter, span: Span)
        throws(Diagnostic) -> RunResult?
    {
        let sizes = plan.sampled ? [plan.rows] : plan.axes
        var space = Space(sizes: sizes, threads: threads, interrupt: interpreter.session.interrupt)
        if plan.range != 0..<plan.rows { space.rows = plan.range }
        do {
            let (parameters, outputs) = try Self.compute(plan, body: body, space: space, interpreter: interpreter)
            return RunResult(scenario: scenario, parameters: parameters, outputs: outputs)
        } catch {
            lastFallback = try fallbackReason(error, interrupt: interpreter.session.interrupt, span: span)
            return nil
        }
    }

    /// The parameter and output columns of `plan.range`'s rows over `space`.
    static func compute(_ plan: Interpreter.ScenarioPlan, body: Expr, space: Space, interpreter: Interpreter) throws
        -> ([RunResult.Column], [RunResult.Column])
    {
        var compiler = Compiler(space: space, interp: interpreter)
        var env: [String: VNode] = [:]
        var paramColumns: [RunResult.Column] = []
        for (i, p) in plan.parameters.enumerated() {
            let node = try Self.parameterNode(plan, index: i, space: space, compiler: &compiler)
            env[p.name] = node
            if let c = Self.parameterColumn(p.name, node, space: space, sampled: plan.sampled) { paramColumns.append(c) }
        }
        let out = try compiler.compile(body, env)
        env = [:]
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
        if space.interrupt?.isRaised == true { throw Interrupted() }
        return (paramColumns, outputs)
    }

    /// Parameter `i` of `plan` compiled over `space`: a sample's draws
    /// (counted from 0 under the parameter's own key) or a grid's axis.
    static func parameterNode(_ plan: Interpreter.ScenarioPlan, index i: Int, space: Space, compiler: inout Compiler) throws
        -> VNode
    {
        let p = plan.parameters[i]
        if plan.sampled {
            if let vs = p.values { return VNode.constant(vs[0]) }
            compiler.draw = (plan.seed, CounterRNG.key(p.name), 0)
            defer { compiler.draw = nil }
            return try compiler.compile(p.expr, [:])
        }
        // A one-axis grid's axis is over every axis: in a shard it holds just the shard's rows.
        let values = p.values ?? []
        return try Self.axis(plan.axes.count == 1 && space.rows != nil ? Array(values[plan.range]) : values, axis: i)
    }

    /// The result's column for a parameter's node; nil for one that is not a column.
    static func parameterColumn(_ name: String, _ node: VNode, space: Space, sampled: Bool) -> RunResult.Column? {
        switch node {
        case .num(let c, let u): return Self.column(name, c, unit: u, isDate: false, space: space, sampled: sampled)
        case .date(let c, _): return Self.column(name, c, unit: .none, isDate: true, space: space, sampled: sampled)
        default: return nil
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

/// The first batches of a sample, worked out side by side before the others.
final class EarlyBatches: @unchecked Sendable {
    private let lock = NSLock()
    let count: Int
    private(set) var results: [Result<VectorEngine.Batch, any Error>?]

    init(count: Int) {
        self.count = count
        results = Array(repeating: nil, count: count)
    }

    func set(_ b: Int, _ r: Result<VectorEngine.Batch, any Error>) {
        lock.lock()
        defer { lock.unlock() }
        results[b] = r
    }
}

/// The batches of a sample handed out to the threads in turn, and the
/// first failure: once a batch fails, no new batch starts.
final class BatchQueue: @unchecked Sendable {
    private let lock = NSLock()
    let plan: Interpreter.ScenarioPlan
    let body: Expr
    let interpreter: Interpreter
    let template: [RunResult.Column]
    /// Where each column of `template` goes in `pointers`; nil for one not kept.
    let slots: [Int?]
    private let count: Int
    private var next: Int
    private var first: (batch: Int, error: any Error)?
    /// The result's columns, set while the threads work.
    var pointers: [UnsafeMutablePointer<Double>] = []

    /// Batches next..<count are left to the threads.
    init(plan: Interpreter.ScenarioPlan, body: Expr, interpreter: Interpreter, template: [RunResult.Column], slots: [Int?],
         count: Int, next: Int)
    {
        self.plan = plan
        self.body = body
        self.interpreter = interpreter
        self.template = template
        self.slots = slots
        self.count = count
        self.next = next
    }

    /// Batch b's rows of `all`.
    static func rows(_ b: Int, of all: Range<Int>) -> Range<Int> {
        let lo = all.lowerBound + b * VectorEngine.batchRows
        return lo..<min(all.upperBound, lo + VectorEngine.batchRows)
    }

    /// One thread's share: batches until none is left or one has failed.
    func work() {
        let all = plan.range
        while let b = take() {
            if interpreter.session.interrupt.isRaised { return }
            let rows = Self.rows(b, of: all)
            do {
                let r = try VectorEngine.batch(plan, rows: rows, body: body, interpreter: interpreter)
                if !VectorEngine.store(r, at: rows.lowerBound - all.lowerBound, template: template, slots: slots, into: pointers) {
                    throw Unsupported("batches of different column types")
                }
            } catch {
                fail(b, error)
                return
            }
        }
    }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard first == nil, next < count else { return nil }
        next += 1
        return next - 1
    }

    /// The earliest failing batch names the reason, whatever the threads.
    func fail(_ batch: Int, _ error: any Error) {
        lock.lock()
        defer { lock.unlock() }
        if first.map({ batch < $0.batch }) ?? true { first = (batch, error) }
    }

    var failure: (batch: Int, error: any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }
}
