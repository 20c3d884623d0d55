import Foundation
import LeaseCore
@testable import LeaseLanguage
@testable import LeaseVector
import Testing

/// A sample of more rows than one batch keeps its parameter columns as the
/// way to compute them, not their values: they are computed on first read,
/// bit for bit what the run drew.
@Suite("a batched sample's parameter columns, computed when read")
struct LazyParameterTests {
    static let rows = 300_000

    static let program = Fixtures.colossus + "\n" + """
        let lo = $1.0B
        scenario mc {
          rate: uniform(lo, $1.5B) / month
          notice_on: uniform(2026-06-01, 2029-02-01)
          discount: triangular(0%, 30%, 60%)
          samples: \(rows)
          seed: 42
        }

        """

    /// The parameters as outputs: the run's own eager columns.
    static let identity = program + "let out_ = run mc: {rate: rate, notice_on: notice_on, discount: discount}\n"

    static func result(_ program: String, vector: Bool = true) -> RunResult? {
        let run = DifferentialTests.execute(program, vector: vector, threads: 2)
        guard case .value(let r) = run.outcome else {
            Issue.record("the run failed: \(run.outcome)")
            return nil
        }
        if vector { #expect(run.fallback == nil, "went row by row: \(run.fallback ?? "")") }
        return r
    }

    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test("the run has more rows than a batch")
    func batched() {
        #expect(Self.rows > VectorEngine.batchRows)
    }

    @Test("parameter columns are not computed until read, and then equal the run's own draws bit for bit")
    func deferredEqualsEager() throws {
        let r = try #require(Self.result(Self.identity))
        #expect(r.parameters.map(\.name) == ["rate", "notice_on", "discount"])
        #expect(r.parameters.allSatisfy { !$0.isComputed })
        #expect(r.outputs.allSatisfy { $0.isComputed })
        // Counting rows computes nothing.
        #expect(r.count == Self.rows)
        #expect(r.parameters.allSatisfy { $0.count == Self.rows && !$0.isComputed })
        for (p, o) in zip(r.parameters, r.outputs) {
            #expect(p.name == o.name)
            #expect(p.unit == o.unit)
            #expect(p.isDate == o.isDate)
            #expect(p.stride == 0)
            #expect(Self.same(p.values, o.values), "`\(p.name)` differs from the run's own column")
            #expect(p.isComputed)
        }
        #expect(r.parameters[1].isDate)
        #expect(!r.parameters[0].values.contains { $0.isNaN })
    }

    /// The result `out_` of `program` in a new session evaluating only `rows` of each run.
    static func shard(_ program: String, rows: Range<Int>, vector: Bool) -> RunResult? {
        let session = Session()
        if vector { VectorEngine.install(in: session, threads: 2) }
        session.shardRows = { _ in rows }
        if let d = session.run(SourceFile(name: "shard.lease", text: program)) {
            Issue.record("the run failed: \(d.message)")
            return nil
        }
        guard case .result(let r)? = session.globals["out_"] else {
            Issue.record("no result")
            return nil
        }
        return r
    }

    @Test("parameter columns equal the scalar evaluator's bit for bit, across a batch boundary")
    func deferredEqualsScalar() throws {
        let program = Self.program + "let out_ = run mc: rate * 2\n"
        let v = try #require(Self.result(program))
        // The scalar evaluator's rows around the end of the first batch (draws go by the global row).
        let near = (VectorEngine.batchRows - 1_500)..<(VectorEngine.batchRows + 1_500)
        let s = try #require(Self.shard(program, rows: near, vector: false))
        #expect(s.count == near.count)
        #expect(v.parameters.allSatisfy { !$0.isComputed })
        #expect(s.parameters.map(\.name) == v.parameters.map(\.name))
        for (a, b) in zip(s.parameters, v.parameters) {
            #expect(a.unit == b.unit && a.isDate == b.isDate)
            #expect(Self.same(a.values, Array(b.values[near])), "`\(a.name)` differs from the scalar evaluator's")
        }
        #expect(Self.same(s.outputs[0].values, Array(v.outputs[0].values[near])))
    }

    @Test("a shard of a batched sample computes its own rows' parameters")
    func shardOfBatches() throws {
        let whole = try #require(Self.result(Self.identity))
        let rows = 10_000..<Self.rows
        #expect(rows.count > VectorEngine.batchRows)
        let part = try #require(Self.shard(Self.identity, rows: rows, vector: true))
        #expect(part.count == rows.count)
        #expect(part.parameters.allSatisfy { !$0.isComputed && $0.count == rows.count })
        for (p, w) in zip(part.parameters, whole.parameters) {
            #expect(Self.same(p.values, Array(w.values[rows])), "`\(p.name)` of the shard differs from the whole run's")
        }
        for (p, o) in zip(part.parameters, part.outputs) { #expect(Self.same(p.values, o.values)) }
    }

    @Test("rebinding a name the parameters use, or resetting the session, leaves them as drawn")
    func sessionChangesLater() throws {
        let session = Session()
        VectorEngine.install(in: session, threads: 2)
        #expect(session.run(SourceFile(name: "a.lease", text: Self.identity)) == nil)
        guard case .result(let r)? = session.globals["out_"] else {
            Issue.record("no result")
            return
        }
        #expect(!r.parameters[0].isComputed)
        #expect(session.run(SourceFile(name: "b.lease", text: "let lo = $1.4B\n")) == nil)
        #expect(Self.same(r.parameters[0].values, r.outputs[0].values))
        session.reset()
        #expect(Self.same(r.parameters[2].values, r.outputs[2].values))
    }

    @Test("fields of a batched run read from the language")
    func fieldsFromTheLanguage() throws {
        let session = Session()
        VectorEngine.install(in: session, threads: 2)
        let text = Self.program + """
            let r = run mc: {a: rate * 2, b: discount}
            let n_ = r.n
            let m_ = r.a.mean
            let p_ = r.b.p50
            """
        #expect(session.run(SourceFile(name: "f.lease", text: text)) == nil)
        guard case .result(let r)? = session.globals["r"] else {
            Issue.record("no result")
            return
        }
        if case .quantity(let q)? = session.globals["n_"] {
            #expect(q.value == Double(Self.rows))
        } else {
            Issue.record("r.n is \(String(describing: session.globals["n_"]))")
        }
        guard case .quantity(let m)? = session.globals["m_"], case .quantity(let p)? = session.globals["p_"] else {
            Issue.record("r.a.mean, r.b.p50: \(String(describing: session.globals["m_"])), \(String(describing: session.globals["p_"]))")
            return
        }
        #expect(m.value == RunSummary.stats(r.outputs[0].values).mean)
        #expect(p.value == RunSummary.stats(r.outputs[1].values).p50)
        // Summaries read the outputs only.
        #expect(r.parameters.allSatisfy { !$0.isComputed })
    }

    @Test("an exported run holds its parameter columns")
    func export() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lazy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let session = Session()
        VectorEngine.install(in: session, threads: 2)
        let text = Self.identity + "export(out_, \(Format.quoted(dir + "/r.csv")))\n"
        #expect(session.run(SourceFile(name: "e.lease", text: text)) == nil)
        guard case .result(let r)? = session.globals["out_"] else {
            Issue.record("no result")
            return
        }
        let csv = try String(contentsOfFile: dir + "/r.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == Self.rows + 1)
        let header = lines.first.map { $0.split(separator: ",").map(String.init) } ?? []
        #expect(header.count == 6)
        #expect(header.first?.hasPrefix("rate") == true)
        #expect(header.contains("notice_on"))
        #expect(header.contains { $0.hasPrefix("discount") })
        // The parameters' cells are the outputs' cells, row for row.
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == 6, cells[0] == cells[3], cells[1] == cells[4], cells[2] == cells[5], !cells[0].isEmpty else {
                Issue.record("row `\(line)`")
                break
            }
        }
        let last = lines.last.map { $0.split(separator: ",").map(String.init) } ?? []
        #expect(last.count == 6 && Double(last[2]) == r.parameters[2].value(at: Self.rows - 1))
    }

    @Test("equality and hashing go by values, computed or not")
    func equality() throws {
        let a = try #require(Self.result(Self.identity))
        let b = try #require(Self.result(Self.identity))
        // A column equals itself without computing its values.
        #expect(a.parameters[0] == a.parameters[0])
        #expect(!a.parameters[0].isComputed)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        let eager = RunResult.Column(name: "rate", values: a.outputs[0].values, unit: a.outputs[0].unit)
        #expect(a.parameters[0] == eager)
        #expect(a.parameters[0].hashValue == eager.hashValue)
        #expect(a.parameters[0] != a.parameters[2])
        var changed = a.parameters[0]
        changed.values[0] += 1
        #expect(changed != a.parameters[0])
        #expect(changed.count == Self.rows)
        var c = b.parameters[1]
        c.values = [1, 2, 3]
        #expect(c.isComputed && c.count == 3 && c.values == [1, 2, 3])
    }

    @Test("a deferred column is computed once, whatever the threads reading it")
    func concurrentReads() {
        let calls = Counter()
        let c = RunResult.Column(name: "x", count: 1000, unit: .none) {
            calls.add()
            return (0..<1000).map(Double.init)
        }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            #expect(c.value(at: 10 * i) == Double(10 * i))
        }
        #expect(calls.value == 1)
        // A generator of the wrong length is cut or padded with NaN.
        let short = RunResult.Column(name: "y", count: 3, unit: .none) { [1] }
        #expect(short.values.count == 3 && short.values[0] == 1 && short.values[2].isNaN)
        let long = RunResult.Column(name: "z", count: 2, unit: .none) { [1, 2, 3] }
        #expect(long.values == [1, 2])
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() {
            lock.lock()
            n += 1
            lock.unlock()
        }
        var value: Int {
            lock.lock()
            defer { lock.unlock() }
            return n
        }
    }
}
