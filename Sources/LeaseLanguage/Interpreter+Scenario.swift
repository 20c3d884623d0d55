import Foundation
import LeaseCore

/// Scenario runs, row by row. This is the reference semantics every other
/// way of running a scenario must reproduce exactly.
extension Interpreter {
    package struct ScenarioPlan {
        package var parameters: [(name: String, expr: Expr, values: [Value]?)]
        package var rows: Int
        package var sampled: Bool
        package var seed: UInt64
        /// Axis lengths of a grid, first parameter slowest.
        package var axes: [Int]
        /// The rows evaluated: all of them, or one shard's block (draws and
        /// grid coordinates still follow the global row index).
        package var range: Range<Int> = 0..<0
    }

    /// Beyond any machine: the memory check refuses long before this.
    static let maxRows = 1_000_000_000_000

    package static func containsDistribution(_ e: Expr) -> Bool {
        switch e.kind {
        case .call(let name, _, let args):
            return Builtins.distributions.contains(name) || args.contains { containsDistribution($0.value) }
        case .negate(let x), .not(let x), .convert(let x, _, _), .field(let x, _, _): return containsDistribution(x)
        case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r), .index(let l, let r):
            return containsDistribution(l) || containsDistribution(r)
        case .ifThen(let c, let a, let b): return containsDistribution(c) || containsDistribution(a) || containsDistribution(b)
        case .list(let xs): return xs.contains(where: containsDistribution)
        default: return false
        }
    }

    /// Works out a scenario's rows: a grid's axes or a sample's size and seed.
    mutating func plan(_ decl: ScenarioDecl, _ span: Span) throws(Diagnostic) -> ScenarioPlan {
        var samples: Int?
        var seed: UInt64 = 0
        var params: [(name: String, expr: Expr, values: [Value]?)] = []
        var sampledSpan: Span?
        var gridSpan: Span?
        for f in decl.fields {
            switch f.name {
            case "samples":
                let n = try Builtins.plain(try eval(f.value), f.value.span, "`samples`")
                guard n == n.rounded(), n >= 1, n <= Double(Self.maxRows) else {
                    throw fail("`samples` must be a whole number from 1 to \(Format.number(Double(Self.maxRows)))", f.value.span)
                }
                samples = Int(n)
            case "seed":
                let n = try Builtins.plain(try eval(f.value), f.value.span, "`seed`")
                guard n == n.rounded(), n >= 0, n < 9e15 else { throw fail("`seed` must be a whole number ≥ 0", f.value.span) }
                seed = UInt64(n)
            default:
                if Self.containsDistribution(f.value) {
                    sampledSpan = sampledSpan ?? f.value.span
                    params.append((f.name, f.value, nil))
                } else {
                    let v = try eval(f.value)
                    if case .list(let xs) = v {
                        gridSpan = gridSpan ?? f.value.span
                        guard !xs.isEmpty else { throw fail("the parameter `\(f.name)` is an empty list", f.value.span) }
                        params.append((f.name, f.value, xs))
                    } else {
                        params.append((f.name, f.value, [v]))
                    }
                }
            }
        }
        if let s = sampledSpan, gridSpan != nil {
            throw fail("scenario `\(decl.name)` mixes a grid (lists) and a sample (distributions)", s,
                       help: "make it all lists and ranges (a grid) or all distributions and constants with `samples:` (a sample)")
        }
        if sampledSpan != nil {
            guard let n = samples else {
                throw fail("scenario `\(decl.name)` draws samples but does not say how many", span, help: "add `samples: 100_000`")
            }
            return ScenarioPlan(parameters: params, rows: n, sampled: true, seed: seed, axes: [])
        }
        if samples != nil {
            throw fail("`samples:` is for scenarios that draw from distributions; `\(decl.name)` is a grid", span)
        }
        var rows = 1
        var axes: [Int] = []
        for p in params {
            let n = p.values?.count ?? 1
            axes.append(n)
            let (r, overflow) = rows.multipliedReportingOverflow(by: n)
            guard !overflow, r <= Self.maxRows else {
                throw fail("scenario `\(decl.name)` has more than \(Format.number(Double(Self.maxRows))) rows", span,
                           help: "use coarser steps")
            }
            rows = r
        }
        return ScenarioPlan(parameters: params, rows: rows, sampled: false, seed: seed, axes: axes)
    }

    /// Columns a vectorized run holds at its peak, counted from what it
    /// computes: each parameter, each output and its sorted copy for the
    /// summary, and an intermediate column for each step of the body and of
    /// each sampled parameter (an upper bound: many are freed early).
    package static func columnsHeld(_ plan: ScenarioPlan, body: Expr) -> Int {
        var steps = 0
        func count(_ e: Expr) {
            steps += 1
            switch e.kind {
            case .literal, .unit, .name, .run: break
            case .string(let ps): for p in ps { if case .expr(let x) = p { count(x) } }
            case .negate(let x), .not(let x), .convert(let x, _, _), .field(let x, _, _): count(x)
            case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r), .index(let l, let r):
                count(l)
                count(r)
            case .ifThen(let c, let a, let b):
                count(c)
                count(a)
                count(b)
            case .range(let a, let b, let st):
                count(a)
                count(b)
                if let st { count(st) }
            case .call(_, _, let args): for a in args { count(a.value) }
            case .with(let x, let fs):
                count(x)
                for f in fs { count(f.value) }
            case .list(let xs): for x in xs { count(x) }
            case .map(let ps): for p in ps { count(p.key); count(p.value) }
            case .record(let fs): for f in fs { count(f.value) }
            case .solve(_, _, let a, let b, let l, let r): for x in [a, b, l, r] { count(x) }
            }
        }
        count(body)
        for p in plan.parameters where p.values == nil { count(p.expr) }
        var outputs = 1
        if case .record(let fs) = body.kind { outputs = max(1, fs.count) }
        return plan.parameters.count + 2 * outputs + steps
    }

    /// What a vectorized run needs at its peak: bytes for each row, and bytes
    /// whatever the number of rows.
    package struct MemoryNeed: Equatable {
        package var perRow: Int
        package var fixed: Int
        package func bytes(rows: Int) -> Double { Double(rows) * Double(perRow) + Double(fixed) }
    }

    /// The memory a vectorized run of `plan` needs at its peak.
    ///
    /// A grid may hold each of its intermediate columns at full length
    /// (`columnsHeld`). A sample computes its rows in batches of `batchRows`,
    /// one batch per thread, so its intermediate columns are those of a batch;
    /// what grows with the rows is the result: a column for each parameter
    /// and each output, 8 bytes a row each, and one more column for a
    /// summary's working copy (a sorted list for several percentiles at once).
    package static func memoryNeed(_ plan: ScenarioPlan, body: Expr, batchRows: Int, threads: Int) -> MemoryNeed {
        let held = columnsHeld(plan, body: body)
        guard plan.sampled else { return MemoryNeed(perRow: 8 * held, fixed: 0) }
        var outputs = 1
        if case .record(let fs) = body.kind { outputs = max(1, fs.count) }
        let batches = Double(max(1, threads)) * Double(min(plan.range.count, batchRows))
        return MemoryNeed(perRow: 8 * (plan.parameters.count + outputs + 1), fixed: Int(batches * Double(held) * 8))
    }

    /// Bytes a vectorized run of `plan` needs at its peak (`memoryNeed`).
    package static func bytesNeeded(_ plan: ScenarioPlan, body: Expr, batchRows: Int, threads: Int) -> Double {
        memoryNeed(plan, body: body, batchRows: batchRows, threads: threads).bytes(rows: plan.range.count)
    }

    /// The memory a run may use: 60% of the machine's.
    package static var memoryAvailable: Double { Double(ProcessInfo.processInfo.physicalMemory) * 0.6 }

    /// Refuses a run whose columns would not fit in memory, saying how many rows would.
    package func checkMemory(rows: Int, columns: Int, bytesPerCell: Int, _ span: Span) throws(Diagnostic) {
        try checkMemory(bytes: Double(rows) * Double(max(1, columns)) * Double(bytesPerCell), rows: rows, span)
    }

    /// Refuses a run that needs more than `memoryAvailable` bytes, saying how many rows would fit.
    package func checkMemory(bytes need: Double, rows: Int, _ span: Span) throws(Diagnostic) {
        let available = Self.memoryAvailable
        if need > available {
            let fit = Int(Double(rows) * available / need)
            throw fail("this run needs about \(Format.number((need / 1e9 * 10).rounded() / 10)) GB for \(Format.number(Double(rows))) rows, more than this machine has",
                       span, help: "about \(Format.number(Double(fit))) rows fit; use coarser steps or fewer samples")
        }
    }

    /// The parameter values of one row.
    mutating func rowFrame(_ plan: ScenarioPlan, _ row: Int) throws(Diagnostic) -> [String: Value] {
        var frame: [String: Value] = [:]
        if plan.sampled {
            for p in plan.parameters {
                if let vs = p.values {
                    frame[p.name] = vs[0]
                } else {
                    draw = DrawContext(seed: plan.seed, key: CounterRNG.key(p.name), row: UInt64(row), counter: 0)
                    defer { draw = nil }
                    frame[p.name] = try eval(p.expr)
                }
            }
        } else {
            var rest = row
            for (i, p) in plan.parameters.enumerated().reversed() {
                let n = plan.axes[i]
                frame[p.name] = p.values?[rest % n]
                rest /= n
            }
        }
        return frame
    }

    mutating func runScenario(_ name: String, _ nameSpan: Span, _ body: Expr, _ span: Span) throws(Diagnostic) -> Value {
        guard let decl = session.scenarios[name] else {
            throw fail("unknown scenario `\(name)`", nameSpan, help: Suggest.didYouMean(name, session.scenarioOrder))
        }
        var plan = try plan(decl, span)
        plan.range = session.shardRows?(plan.rows) ?? 0..<plan.rows
        // The last run's cached summaries do not hold its columns in memory during this one.
        RunSummary.releaseCache()
        let result = try runRows(plan, name, body, span)
        // A large run's summary is worked out as part of the run (on every core), so
        // `r.mean`, `r.p95` or printing the run afterwards cost nothing.
        if session.shardRows == nil {
            for c in result.outputs where c.count >= 100_000 { _ = RunSummary.stats(c.values) }
        }
        if let done = session.runCompleted {
            let info = RunInfo(scenario: name, scenarioSource: decl.source, body: span.file.slice(body.span), script: span.file.text,
                               totalRows: plan.rows, rows: plan.range)
            do { try done(result, info) } catch { throw fail("\(error)", span) }
        }
        return .result(result)
    }

    private mutating func runRows(_ plan: ScenarioPlan, _ name: String, _ body: Expr, _ span: Span) throws(Diagnostic) -> RunResult {
        if let engine = session.engine,
            let result = try engine.run(plan, body: body, scenario: name, interpreter: &self, span: span)
        {
            return result
        }
        try checkMemory(rows: plan.range.count, columns: plan.parameters.count + 1, bytesPerCell: 48, span)
        var builder = ColumnBuilder()
        var params: [ColumnBuilder] = plan.parameters.map { _ in ColumnBuilder() }
        let progress = Progress(label: name, rows: plan.range.count)
        defer { progress.finish() }
        for row in plan.range {
            if row & 1023 == 1023 {
                if session.interrupt.isRaised { throw fail("interrupted", span) }
                progress.update(row - plan.range.lowerBound)
            }
            let frame = try rowFrame(plan, row)
            for (i, p) in plan.parameters.enumerated() {
                switch frame[p.name] {
                case .quantity?, .date?: if let v = frame[p.name] { try params[i].add(v, p.expr.span) }
                default: break
                }
            }
            frames.append(frame)
            let v = try eval(body)
            frames.removeLast()
            try builder.add(v, body.span)
        }
        var paramColumns: [RunResult.Column] = []
        for (i, p) in plan.parameters.enumerated() {
            if let c = params[i].columns(defaultName: p.name).first { paramColumns.append(c) }
        }
        return RunResult(scenario: name, parameters: paramColumns, outputs: builder.columns(defaultName: "value"))
    }

    /// `export` of a chart (SVG) or a table (CSV with units in the header).
    private func exportText(_ text: String, _ a: [Value?], _ s: [Span], what: String) throws(Diagnostic) -> Value {
        guard case .string(let path)? = a[1] else { throw fail("`export` needs a file name in quotes", s[1]) }
        do throws(FileError) {
            let writer = try SafeFileWriter(path: path)
            try writer.write(text)
            try writer.commit()
        } catch {
            throw fail(error.description, s[1])
        }
        return .string("exported \(what) to \(path)")
    }

    func resultField(_ r: RunResult, _ name: String, _ span: Span) throws(Diagnostic) -> Value {
        let names = ["n", "mean", "sd", "min", "max", "p5", "p50", "p95"]
        guard names.contains(name) else {
            throw fail("a run result has no field `\(name)`", span,
                       help: Suggest.didYouMean(name, names) ?? "fields: " + names.joined(separator: ", "))
        }
        if name == "n" { return .number(Double(r.count)) }
        func stat(_ c: RunResult.Column) -> Value {
            let s = RunSummary.stats(c.values)
            let x: Double
            switch name {
            case "mean": x = s.mean
            case "sd": x = s.sd
            case "min": x = s.min
            case "max": x = s.max
            case "p5": x = s.p5
            case "p50": x = s.p50
            default: x = s.p95
            }
            if c.isDate, name != "sd", x.isFinite, abs(x) < 1e9, let d = CalendarDate.fromOrdinal(Int(x.rounded(.down))) {
                return .date(d)
            }
            return .quantity(Quantity(x, c.isDate ? UnitExpr(unit: Units.day) : c.unit))
        }
        if r.outputs.count == 1, let c = r.outputs.first { return stat(c) }
        return .record(Record(r.outputs.map { ($0.name, stat($0)) }))
    }

    func export(_ a: [Value?], _ s: [Span], _ span: Span) throws(Diagnostic) -> Value {
        if case .chart(let cs)? = a[0] { return try exportText(Plot.svg(cs) + "\n", a, s, what: "a chart") }
        if let v = a[0], v.isTable, case .list(let rows) = v {
            return try exportText(CSV.render(v) + "\n", a, s, what: "\(Format.number(Double(rows.count))) rows")
        }
        guard case .result(let r)? = a[0] else {
            throw fail("`export` writes a run result, a table or a chart, not a \(a[0]?.typeName ?? "value")", s[0])
        }
        guard case .string(let path)? = a[1] else { throw fail("`export` needs a file name in quotes", s[1]) }
        let columns = r.parameters + r.outputs
        // Rows go to the file in chunks, through a temporary file renamed
        // over the target at the end: a symbolic link stays a link, and a
        // device, a directory or an interruption leaves everything as it was.
        let writer: SafeFileWriter
        do throws(FileError) { writer = try SafeFileWriter(path: path) } catch { throw fail(error.description, s[1]) }
        let header = columns.map { c -> String in
            let unit = c.isDate || c.unit.isEmpty ? "" : " (\(c.unit.text()))"
            return CSV.cell(c.name + unit)
        }
        var text = header.joined(separator: ",") + "\n"
        text.reserveCapacity(1 << 20 + 4096)
        var interrupted = false
        do throws(FileError) {
            for i in 0..<r.count {
                for (k, c) in columns.enumerated() {
                    if k > 0 { text += "," }
                    let x = c.value(at: i)
                    if c.isDate {
                        text += x.isFinite && abs(x) < 1e9 ? CalendarDate.fromOrdinal(Int(x))?.description ?? "" : ""
                    } else if x == x.rounded(), abs(x) < 1e15, !(x == 0 && x.sign == .minus) {
                        text += String(Int64(x))  // what JSON.number writes, without String(format:)
                    } else {
                        text += JSON.number(x)
                    }
                }
                text += "\n"
                if text.utf8.count >= 1 << 20 {
                    if session.interrupt.isRaised {
                        interrupted = true
                        break
                    }
                    try writer.write(text)
                    text.removeAll(keepingCapacity: true)
                }
            }
            if !interrupted {
                try writer.write(text)
                try writer.commit()
            }
        } catch {
            throw fail(error.description, s[1])
        }
        if interrupted {
            writer.abort()
            throw fail("interrupted", span)
        }
        return .string("exported \(Format.number(Double(r.count))) rows to \(path)")
    }
}

/// Where the draws of a sampled parameter come from while it is evaluated.
struct DrawContext {
    var seed: UInt64
    var key: UInt64
    var row: UInt64
    var counter: UInt64

    mutating func next() -> UInt64 {
        defer { counter += 1 }
        return counter
    }
}

/// Collects a run's values into typed columns; a record gives one column per field.
struct ColumnBuilder {
    private var names: [String] = []
    private var units: [UnitExpr] = []
    private var isDate: [Bool] = []
    private var values: [[Double]] = []
    private var started = false

    mutating func add(_ v: Value, _ span: Span) throws(Diagnostic) {
        var cells: [(String?, Value)] = []
        if case .record(let r) = v { cells = r.fields.map { ($0.name, $0.value) } } else { cells = [(nil, v)] }
        if !started {
            started = true
            for (n, x) in cells {
                names.append(n ?? "value")
                switch x {
                case .quantity(let q):
                    units.append(q.unit)
                    isDate.append(false)
                case .date:
                    units.append(.none)
                    isDate.append(true)
                case .bool:
                    units.append(.none)
                    isDate.append(false)
                default:
                    throw Diagnostic(.runtime, "a run gives numbers, quantities, dates or bools per row, not a \(x.typeName)", at: span,
                                     help: "ask for a number, such as `total(c)`, or a record of numbers")
                }
                values.append([])
            }
        }
        guard cells.count == names.count else {
            throw Diagnostic(.runtime, "every row of a run must give the same fields", at: span)
        }
        for (i, (_, x)) in cells.enumerated() {
            switch x {
            case .quantity(let q) where !isDate[i]:
                guard q.dimension == units[i].dimension else {
                    throw Diagnostic(.runtime, "rows of `\(names[i])` differ in dimension: \(units[i].dimension) and \(q.dimension)", at: span)
                }
                values[i].append(q.unit == units[i] ? q.value : q.converted(to: units[i]).value)
            case .date(let d) where isDate[i]:
                values[i].append(Double(d.ordinal))
            case .bool(let b) where !isDate[i]:
                values[i].append(b ? 1 : 0)
            default:
                throw Diagnostic(.runtime, "rows of `\(names[i])` differ in type", at: span)
            }
        }
    }

    func columns(defaultName: String) -> [RunResult.Column] {
        names.indices.map {
            RunResult.Column(name: names.count == 1 && names[$0] == "value" ? defaultName : names[$0], values: values[$0],
                             unit: units[$0], isDate: isDate[$0])
        }
    }
}

/// A progress line on stderr for runs longer than half a second, only when
/// stderr is a terminal, erased when the run ends.
final class Progress {
    let label: String
    let rows: Int
    let start = DispatchTime.now().uptimeNanoseconds
    let enabled = isatty(2) == 1
    var shown = false
    var lastDraw: UInt64 = 0

    init(label: String, rows: Int) {
        self.label = label
        self.rows = rows
    }

    func update(_ row: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start > 500_000_000, now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        shown = true
        let pct = Int(Double(row) / Double(max(1, rows)) * 100)
        let text = "\r  run \(label): \(pct)% (\(Format.number(Double(row))) of \(Format.number(Double(rows))) rows)"
        FileHandle.standardError.write(Data(text.utf8))
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
