import Foundation
import LeaseCore
@testable import LeaseLanguage
import LeaseVector
import Testing

/// Differential tests: the vectorized scenario evaluator (LeaseVector) against
/// the row-by-row scalar evaluator, which is the reference (LANGUAGE.md §7:
/// "Every row gives exactly what the scalar evaluator gives").
///
/// A seeded generator writes small lease programs (a cluster, a contract, maybe
/// user functions, a grid or sample scenario and a `run` whose body is drawn
/// from a grammar of the forms the vector engine supports); each runs in a
/// fresh scalar session and in a fresh session with the vector engine, and the
/// two results must agree row for row, bit for bit (LANGUAGE.md section 10),
/// or fail with the same message at the same line:col.
@Suite("vectorized vs scalar scenario runs")
struct DifferentialTests {
    // MARK: Running and comparing

    enum Outcome {
        case value(RunResult)
        case failure(Diagnostic)
        case other(String)
    }

    struct Run {
        var outcome: Outcome
        /// `VectorEngine.lastFallback` (nil for the scalar session or a vectorized run).
        var fallback: String?
        var usedEngine: Bool
    }

    /// Runs `program`, whose last statement is `let out_ = run …`.
    static func execute(_ program: String, vector: Bool, threads: Int = 1) -> Run {
        let session = Session()
        if vector { VectorEngine.install(in: session, threads: threads) }
        let d = session.run(SourceFile(name: "diff.lease", text: program))
        let fallback = vector ? (session.engine as? VectorEngine)?.lastFallback : nil
        if let d { return Run(outcome: .failure(d), fallback: fallback, usedEngine: vector) }
        guard case .result(let r)? = session.globals["out_"] else {
            return Run(outcome: .other("out_ is \(String(describing: session.globals["out_"]))"), fallback: fallback, usedEngine: vector)
        }
        return Run(outcome: .value(r), fallback: fallback, usedEngine: vector)
    }

    /// The same double, bit for bit (NaN equals NaN; +0 and -0 differ).
    static func close(_ a: Double, _ b: Double) -> Bool {
        a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
    }

    static func describe(_ x: Double, isDate: Bool) -> String {
        if isDate, x.isFinite, let d = CalendarDate.fromOrdinal(Int(x)) { return "\(d) (\(x))" }
        return "\(x)"
    }

    /// The differences between two columns, at most a few described.
    static func compare(_ what: String, _ s: RunResult.Column, _ v: RunResult.Column, rows: Int, parameters: [RunResult.Column]) -> [String] {
        var out: [String] = []
        if s.name != v.name { out.append("\(what) name: scalar `\(s.name)`, vector `\(v.name)`") }
        if s.isDate != v.isDate { out.append("\(what) `\(s.name)` isDate: scalar \(s.isDate), vector \(v.isDate)") }
        if s.unit != v.unit { out.append("\(what) `\(s.name)` unit: scalar \(s.unit.text()), vector \(v.unit.text())") }
        let sn = s.stride == 0 ? s.values.count : rows
        let vn = v.stride == 0 ? v.values.count : rows
        if sn != rows || vn != rows {
            out.append("\(what) `\(s.name)` rows: scalar \(sn), vector \(vn), run \(rows)")
            return out
        }
        var shown = 0
        var bad = 0
        for i in 0..<rows {
            let a = s.value(at: i), b = v.value(at: i)
            let same = s.isDate || v.isDate ? (a == b || (a.isNaN && b.isNaN)) : close(a, b)
            if !same {
                bad += 1
                if shown < 3 {
                    shown += 1
                    let ps = parameters.map { "\($0.name)=\(describe($0.value(at: i), isDate: $0.isDate))" }.joined(separator: ", ")
                    let rel = abs(a - b) / max(abs(a), abs(b))
                    out.append("\(what) `\(s.name)` row \(i) [\(ps)]: scalar \(describe(a, isDate: s.isDate)), vector \(describe(b, isDate: v.isDate)) (rel \(rel))")
                }
            }
        }
        if bad > shown { out.append("… \(bad) rows differ in `\(s.name)` in all") }
        return out
    }

    /// Differences between a scalar and a vector run of the same program; empty when they agree.
    static func differences(_ scalar: Run, _ vector: Run) -> [String] {
        switch (scalar.outcome, vector.outcome) {
        case (.value(let s), .value(let v)):
            var out: [String] = []
            if s.count != v.count { return ["rows: scalar \(s.count), vector \(v.count)"] }
            if s.outputs.count != v.outputs.count {
                return ["output columns: scalar \(s.outputs.map(\.name)), vector \(v.outputs.map(\.name))"]
            }
            if s.parameters.count != v.parameters.count {
                out.append("parameter columns: scalar \(s.parameters.map(\.name)), vector \(v.parameters.map(\.name))")
            } else {
                for (a, b) in zip(s.parameters, v.parameters) { out += compare("parameter", a, b, rows: s.count, parameters: []) }
            }
            for (a, b) in zip(s.outputs, v.outputs) { out += compare("output", a, b, rows: s.count, parameters: s.parameters) }
            return out
        case (.failure(let a), .failure(let b)):
            let la = a.span?.location, lb = b.span?.location
            if a.message != b.message || la?.line != lb?.line || la?.column != lb?.column || a.phase != b.phase {
                return ["errors differ: scalar \(la.map { "\($0.line):\($0.column)" } ?? "-") \(a.message); vector \(lb.map { "\($0.line):\($0.column)" } ?? "-") \(b.message)"]
            }
            return []
        case (.failure(let a), _):
            return ["scalar fails (\(a.span.map { "\($0.location.line):\($0.location.column)" } ?? "-") \(a.message)) but vector gives \(vector.outcome)"]
        case (_, .failure(let b)):
            return ["vector fails (\(b.span.map { "\($0.location.line):\($0.location.column)" } ?? "-") \(b.message)) but scalar gives \(scalar.outcome)"]
        default:
            return ["unexpected outcomes: scalar \(scalar.outcome), vector \(vector.outcome)"]
        }
    }

    // MARK: 1. Generated programs

    /// `LEASE_DIFF_PROGRAMS` and `LEASE_DIFF_SEED` widen the search when run by hand.
    static let programCount = Int(ProcessInfo.processInfo.environment["LEASE_DIFF_PROGRAMS"] ?? "") ?? 320
    static let baseSeed: UInt64 = UInt64(ProcessInfo.processInfo.environment["LEASE_DIFF_SEED"] ?? "") ?? 0x1EA5_E2026

    @Test("generated programs agree row for row, and most run vectorized")
    func generatedPrograms() throws {
        var vectorized = 0
        var meant = 0
        var meantVectorized = 0
        var errors = 0
        var failures = 0
        var reasons: [String: Int] = [:]
        var unexpected: [String] = []
        let started = Date()
        for i in 0..<Self.programCount {
            let seed = Self.baseSeed &+ UInt64(i) &* 0x9E37_79B9
            var gen = ProgramGenerator(seed: seed)
            let p = gen.program()
            let threads = i % 2 == 0 ? 1 : 2
            let s = Self.execute(p.text, vector: false)
            let v = Self.execute(p.text, vector: true, threads: threads)
            let diffs = Self.differences(s, v)
            if !diffs.isEmpty {
                failures += 1
                Issue.record("program \(i) (seed \(seed), threads \(threads), fallback \(v.fallback ?? "none")):\n\(diffs.joined(separator: "\n"))\n--- program ---\n\(p.text)")
            }
            if case .failure = s.outcome { errors += 1; continue }
            if v.fallback == nil { vectorized += 1 } else { reasons[v.fallback ?? "", default: 0] += 1 }
            if p.meantVectorizable {
                meant += 1
                if v.fallback == nil {
                    meantVectorized += 1
                } else if unexpected.count < 12 {
                    unexpected.append("program \(i) (seed \(seed)): \(v.fallback ?? "")\n  run body: \(p.body)")
                }
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        let share = meant == 0 ? 0 : Double(meantVectorized) / Double(meant)
        print("""
            DifferentialTests: \(Self.programCount) programs in \(String(format: "%.1f", elapsed)) s; \(errors) fail in both evaluators; \
            \(failures) disagree; \(vectorized) of \(Self.programCount - errors) successful runs vectorized; \
            \(meantVectorized) of \(meant) meant to be vectorizable did (\(String(format: "%.0f", share * 100))%)
            fallback reasons: \(reasons.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: "; "))
            """)
        if !unexpected.isEmpty { print("fell back although meant to be vectorizable:\n" + unexpected.joined(separator: "\n")) }
        #expect(meant >= Self.programCount / 2, "too few vectorizable programs were generated: \(meant)")
        #expect(share >= 0.7, "only \(meantVectorized) of \(meant) programs meant to be vectorizable ran vectorized; reasons: \(reasons)")
    }

    @Test("the generator is deterministic")
    func generatorIsDeterministic() {
        for i in 0..<20 {
            var a = ProgramGenerator(seed: UInt64(i)), b = ProgramGenerator(seed: UInt64(i))
            #expect(a.program().text == b.program().text)
        }
    }

    // MARK: 2. Reproducibility of samples

    static let sampleProgram = """
        cluster k1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
        contract c1 {
          lessor: "xAI"; lessee: "Anthropic"; cluster: k1
          start: 2026-05; end: 2029-05
          rate: $1.25B / month
          discounts: [2026-05: 50%, 2026-06: 50%]
          escalation: 3%
          notice: 90 days
        }
        scenario mc {
          rate_p: uniform($1.0B, $1.5B) / month
          notice_on: uniform(2026-06-01, 2029-02-01)
          disc: triangular(0%, 30%, 60%)
          esc: pert(0%, 3%, 10%)
          x: normal(5, 2)
          y: lognormal(0, 0.5)
          mth: uniform(2026-05, 2029-05)
          pick: choice([1, 2, 3])
          r_npv: 8%
          samples: 70_000
          seed: 1234
        }
        let out_ = run mc: {
          pv: npv(terminate(c1 with {rate: rate_p, discounts: [2026-05: disc, 2026-06: disc], escalation: esc}, notice_on: notice_on), r_npv),
          x: x, y: y, pick: pick, mth: mth, notice_on: notice_on
        }
        """

    @Test("a sample gives identical rows with 1 or 2 threads and with or without the vector engine")
    func sampleReproducibility() throws {
        // 70,000 rows: enough for the engine to split columns across threads.
        let v1 = Self.execute(Self.sampleProgram, vector: true, threads: 1)
        let v2 = Self.execute(Self.sampleProgram, vector: true, threads: 2)
        #expect(v1.fallback == nil, "the sample ran row by row: \(v1.fallback ?? "")")
        #expect(v2.fallback == nil, "the sample ran row by row: \(v2.fallback ?? "")")
        guard case .value(let a) = v1.outcome, case .value(let b) = v2.outcome else {
            Issue.record("a run failed: \(v1.outcome) / \(v2.outcome)")
            return
        }
        #expect(a.count == 70_000)
        // Threads must not change a single bit.
        #expect(a == b, "threads 1 and 2 differ")
        for (x, y) in zip(a.outputs + a.parameters, b.outputs + b.parameters) where x.values != y.values {
            let i = x.values.indices.first { x.values[$0] != y.values[$0] } ?? -1
            Issue.record("`\(x.name)` differs between 1 and 2 threads at row \(i): \(i >= 0 ? "\(x.values[i]) vs \(y.values[i])" : "")")
        }
        // Row i depends only on the seed, the parameter and i: the first 5,000 rows
        // are those of a 5,000-sample run, and the scalar evaluator draws them alike.
        let smallProgram = Self.sampleProgram.replacingOccurrences(of: "samples: 70_000", with: "samples: 5_000")
        let s = Self.execute(smallProgram, vector: false)
        let v = Self.execute(smallProgram, vector: true, threads: 2)
        let diffs = Self.differences(s, v)
        #expect(diffs.isEmpty, "\(diffs.joined(separator: "\n"))")
        guard case .value(let c) = s.outcome else {
            Issue.record("the scalar run failed: \(s.outcome)")
            return
        }
        #expect(c.count == 5_000)
        for (x, y) in zip(c.parameters + c.outputs, a.parameters + a.outputs) {
            let bad = (0..<c.count).first { !(x.value(at: $0) == y.value(at: $0) || DifferentialTests.close(x.value(at: $0), y.value(at: $0))) }
            #expect(bad == nil, "`\(x.name)` row \(bad ?? -1): scalar (5,000 samples) \(x.value(at: bad ?? 0)), vector (70,000 samples) \(y.value(at: bad ?? 0))")
            if !(x.unit == y.unit) { Issue.record("`\(x.name)` unit: \(x.unit.text()) vs \(y.unit.text())") }
        }
        // The drawn parameters are bit-identical.
        for (x, y) in zip(c.parameters, a.parameters) {
            #expect((0..<c.count).allSatisfy { x.value(at: $0) == y.value(at: $0) }, "parameter `\(x.name)` draws differ")
        }
        // The same seed in a new session repeats the run; another seed changes the draws.
        let again = Self.execute(Self.sampleProgram, vector: true, threads: 2)
        if case .value(let r) = again.outcome { #expect(r == a) } else { Issue.record("the repeat failed") }
        let other = Self.execute(Self.sampleProgram.replacingOccurrences(of: "seed: 1234", with: "seed: 1235"), vector: true)
        if case .value(let r) = other.outcome { #expect(r.outputs[1].values != a.outputs[1].values) }
    }

    // MARK: 3. The spec's section 7 examples

    static let colossus = Fixtures.colossus + "\n" + """
        scenario grid {                                  # a cartesian product
          notice_on: 2026-06-01 .. 2029-02-01 step 1 day
          discount: 0% .. 60% step 10%
        }
        scenario mc {                                    # Monte Carlo
          rate: uniform($1.0B, $1.5B) / month
          notice_on: uniform(2026-06-01, 2029-02-01)
          discount: triangular(0%, 30%, 60%)
          samples: 5_000
          seed: 42
        }

        """

    @Test("section 7: the Monte Carlo run agrees row for row")
    func specMonteCarlo() {
        let program = Self.colossus + """
            let out_ = run mc: npv(terminate(anthropic with {rate: rate,
                        discounts: [2026-05: discount, 2026-06: discount]},
                        notice_on: notice_on), 8%)
            """
        let s = Self.execute(program, vector: false)
        let v = Self.execute(program, vector: true, threads: 2)
        let diffs = Self.differences(s, v)
        #expect(diffs.isEmpty, "\(diffs.joined(separator: "\n"))")
        #expect(v.fallback == nil, "the mc run went row by row: \(v.fallback ?? "")")
        if case .value(let r) = s.outcome { #expect(r.count == 5_000) }
    }

    @Test("section 7: the grid run agrees row for row and runs vectorized")
    func specGrid() {
        let program = Self.colossus + """
            let out_ = run grid: exposure(anthropic with {discounts: [2026-05: discount]}, at: notice_on)
            """
        let s = Self.execute(program, vector: false)
        let v = Self.execute(program, vector: true, threads: 2)
        let diffs = Self.differences(s, v)
        #expect(diffs.isEmpty, "\(diffs.joined(separator: "\n"))")
        #expect(v.fallback == nil, "the grid run went row by row: \(v.fallback ?? "")")
        if case .value(let r) = s.outcome { #expect(r.count == 977 * 7) }
    }

    // MARK: Targeted cases found while writing the generator

    /// Runs one program both ways and records any difference.
    /// `run S: body` after `model` in both engines: they must agree, the
    /// vectorized engine must not fall back, and the run must succeed.
    static func agreeVectorized(_ model: String, _ s: String, _ body: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let v = agree(model + "let out_ = run \(s): \(body)\n", threads: 2, sourceLocation: sourceLocation)
        #expect(v.fallback == nil, "fell back: \(v.fallback ?? "")\n\(body)", sourceLocation: sourceLocation)
        if case .failure(let d) = v.outcome { Issue.record("failed: \(d.message)\n\(body)", sourceLocation: sourceLocation) }
    }

    static func agree(_ program: String, threads: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) -> Run {
        let s = execute(program, vector: false)
        let v = execute(program, vector: true, threads: threads)
        let diffs = differences(s, v)
        #expect(diffs.isEmpty, "\(diffs.joined(separator: "\n"))\n--- program ---\n\(program)", sourceLocation: sourceLocation)
        return v
    }

    static let small = """
        cluster k1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
        contract c1 {
          lessor: "xAI"; lessee: "Anthropic"; cluster: k1
          start: 2026-01; end: 2027-12
          rate: $1B / month
          notice: 30 days
        }

        """

    @Test("a draw inside one branch of `if` uses the same counter in both evaluators")
    func drawsInsideIf() {
        _ = Self.agree(Self.small + """
            scenario mc {
              x: if uniform(0, 1) < 0.5 then uniform(0, 10) else uniform(20, 30)
              samples: 200
              seed: 7
            }
            let out_ = run mc: x
            """)
    }

    @Test("`with` on a contract terminated before it starts fails in both evaluators")
    func withOnContractEndingBeforeStart() {
        _ = Self.agree(Self.small + """
            scenario g { rate_p: [$1B / month, $2B / month] }
            let out_ = run g: total(terminate(c1, notice_on: 2025-01-01) with {rate: rate_p})
            """)
    }

    @Test("a record with a field given twice fails in both evaluators")
    func recordWithDuplicateField() {
        _ = Self.agree(Self.small + """
            scenario g { x: [1, 2] }
            let out_ = run g: {a: x, a: x * 2}
            """)
    }

    @Test("a field given twice in `with`: the last one wins in both evaluators")
    func withDuplicateField() {
        _ = Self.agree(Self.small + """
            scenario g { rate_p: [$1B / month, $2B / month] }
            let out_ = run g: total(c1 with {rate: rate_p, rate: $3B / month})
            """)
    }

    @Test("draws after a short-circuited `or` use the same counters in both evaluators")
    func drawsAfterShortCircuit() {
        _ = Self.agree(Self.small + """
            scenario mc {
              x: (if (uniform(0, 1) < 0.5 or uniform(0, 1) < 0.5) then 100 else 0) + uniform(0, 1)
              samples: 200
              seed: 7
            }
            let out_ = run mc: x
            """)
    }

    @Test("a year given as a percentage-unit number is read the same way by both evaluators")
    func paidYearWithPercentUnit() {
        // `yr * 1%` is the number 20.27 written as 2027 %: not a whole year.
        _ = Self.agree(Self.small + """
            scenario g { yr: [2026, 2027] }
            let out_ = run g: paid(c1, yr * 1%)
            """)
    }

    @Test("a grid axis of bools")
    func boolAxis() {
        let v = Self.agree(Self.small + """
            scenario g { flag: [true, false]; x: 1 .. 3 }
            let out_ = run g: {a: if flag then x else -x, b: flag and x > 1}
            """)
        #expect(v.fallback == nil, "fell back: \(v.fallback ?? "")")
    }

    @Test("`choice` between quantities in different units keeps the scalar column's unit")
    func choiceOfMixedUnits() {
        _ = Self.agree(Self.small + """
            scenario mc {
              rate_p: choice([$12B / year, $1B / month])
              samples: 50
              seed: 3
            }
            let out_ = run mc: rate_p
            """)
    }
}

// MARK: - The program generator

/// SplitMix64: small, seeded and the same everywhere.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1p-53 < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(0...(xs.count - 1))] }
}

struct GeneratedProgram {
    var text: String
    var body: String
    /// False when the generator used a form the vector engine is known to hand back.
    var meantVectorizable: Bool
}

/// Writes a random but valid lease program ending in `let out_ = run S: …`.
struct ProgramGenerator {
    enum Role: CaseIterable { case rate, disc, esc, rnpv, notice, mth, yr, x }
    enum T { case plain, money, rate, days, date, bool, contract }

    var rng: SplitMix64
    var sign = "$"
    var code = "USD"
    /// First and last billed month indices of `c1`.
    var start = 0
    var last = 0
    var params: [Role] = []
    var sampled = false
    var usedFunctions: Set<String> = []
    var meantVectorizable = true

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    static func name(_ r: Role) -> String {
        switch r {
        case .rate: return "rate_p"
        case .disc: return "disc"
        case .esc: return "esc"
        case .rnpv: return "r_npv"
        case .notice: return "notice_on"
        case .mth: return "mth"
        case .yr: return "yr"
        case .x: return "x"
        }
    }

    static func month(_ i: Int) -> String { String(format: "%04d-%02d", i / 12, i % 12 + 1) }
    static func daysIn(_ i: Int) -> Int { CalendarDate.daysIn(year: i / 12, month: i % 12 + 1) }
    func day(_ i: Int, _ d: Int) -> String { String(format: "%04d-%02d-%02d", i / 12, i % 12 + 1, min(d, Self.daysIn(i))) }
    mutating func randomDay(_ lo: Int, _ hi: Int) -> String {
        let m = rng.int(lo...hi)
        return day(m, rng.int(1...Self.daysIn(m)))
    }
    mutating func money(_ lo: Int, _ hi: Int) -> String { "\(sign)\(rng.int(lo...hi))M" }
    mutating func rateLiteral() -> String {
        let m = rng.int(100...400) * 5
        return rng.chance(0.7) ? "\(sign)\(m)M / month" : "\(sign)\(m * 12)M / year"
    }

    // MARK: Declarations

    mutating func program() -> GeneratedProgram {
        if rng.chance(0.2) {
            sign = "€"
            code = "EUR"
        }
        start = rng.int(2026...2028) * 12 + rng.int(0...11)
        last = start + rng.int(1...60) - 1
        var lines: [String] = []
        lines.append("cluster k1 { owner: \"xAI\"; site: \"Memphis, TN\"; power: \(rng.int(1...9) * 100) MW; gpus: \(rng.int(10...300))_000 gpu }")
        var c = ["contract c1 {", "  lessor: \"xAI\"; lessee: \"Anthropic\"; cluster: k1"]
        if rng.chance(0.3) { c.append("  share: \(rng.pick([25, 50, 75, 100]))%") }
        let endText = rng.chance(0.25) ? day(last, rng.int(1...31)) : Self.month(last)
        c.append("  start: \(Self.month(start)); end: \(endText)")
        c.append("  rate: \(rateLiteral())")
        if rng.chance(0.5) {
            var months: [Int] = []
            for _ in 0..<rng.int(1...3) {
                let m = rng.int(start...last)
                if !months.contains(m) { months.append(m) }
            }
            c.append("  discounts: [" + months.map { "\(Self.month($0)): \(rng.pick([10, 25, 50, 100]))%" }.joined(separator: ", ") + "]")
        }
        if rng.chance(0.4) { c.append("  escalation: \(rng.pick(["0%", "2%", "3%", "5%", "7.5%", "10%"]))") }
        if rng.chance(0.8) {
            c.append("  notice: " + (rng.chance(0.6) ? "\(rng.int(0...180)) days" : rng.pick(["1 month", "2 months", "3 months", "6 months", "1 year", "2 weeks"])))
        }
        c.append("}")
        lines += c

        sampled = rng.chance(0.4)
        var roles = Role.allCases
        params = []
        let n = sampled ? rng.int(2...4) : rng.int(2...3)
        for _ in 0..<n {
            let r = rng.pick(roles)
            roles.removeAll { $0 == r }
            params.append(r)
        }
        var scenario = ["scenario sc {"]
        var budget = 2400
        for (i, r) in params.enumerated() {
            let left = params.count - i
            let cap = max(2, Int(pow(Double(budget), 1.0 / Double(left))))
            let (text, size) = sampled ? sampleParam(r) : gridParam(r, cap: cap)
            budget = max(2, budget / max(1, size))
            scenario.append("  \(Self.name(r)): \(text)")
        }
        if sampled {
            scenario.append("  samples: \(rng.int(50...500))")
            if rng.chance(0.8) { scenario.append("  seed: \(rng.int(0...99_999))") }
        }
        scenario.append("}")

        var body = ""
        if rng.chance(0.25) {
            var fields: [String] = []
            let names = ["a", "b", "c", "dd", "e"]
            for k in 0..<rng.int(2...4) {
                let t: T = rng.pick([.money, .money, .plain, .date, .bool, .days])
                fields.append("\(names[k]): \(expr(t, 2))")
            }
            body = "{" + fields.joined(separator: ", ") + "}"
        } else {
            let t: T = rng.pick([.money, .money, .money, .money, .plain, .plain, .date, .bool, .days, .rate])
            body = expr(t, 3)
        }
        lines += functionDeclarations()
        lines += scenario
        lines.append("let out_ = run sc: \(body)")
        return GeneratedProgram(text: lines.joined(separator: "\n") + "\n", body: body, meantVectorizable: meantVectorizable)
    }

    /// A grid parameter: a list or a range, at most about `cap` values.
    mutating func gridParam(_ r: Role, cap: Int) -> (String, Int) {
        let k = max(2, min(cap, rng.int(2...40)))
        switch r {
        case .rate:
            if rng.chance(0.5) {
                let per = rng.chance(0.7) ? "month" : "year"
                let f = per == "month" ? 1 : 12
                let lo = rng.int(100...300) * 5 * f, stepv = rng.pick([25, 50, 100]) * f
                return ("\(sign)\(lo)M / \(per) .. \(sign)\(lo + stepv * (min(k, 12) - 1))M / \(per) step \(sign)\(stepv)M / \(per)", min(k, 12))
            }
            let m = min(k, 4)
            if rng.chance(0.1) {
                // Rates in several units: the vector engine keeps such an axis row by row.
                meantVectorizable = false
                return ("[\(sign)1000M / month, \(sign)13200M / year]", 2)
            }
            let per = rng.chance(0.7) ? "month" : "year"
            let f = per == "month" ? 1 : 12
            return ("[" + (0..<m).map { _ in "\(sign)\(rng.int(100...400) * 5 * f)M / \(per)" }.joined(separator: ", ") + "]", m)
        case .disc:
            let stepv = rng.pick([5, 10, 15, 20, 30])
            if rng.chance(0.7) { return ("0% .. 60% step \(stepv)%", 60 / stepv + 1) }
            return ("[0%, 12.5%, 50%, 100%]", 4)
        case .esc:
            return rng.chance(0.5) ? ("0% .. 10% step 2.5%", 5) : ("[0%, 3%, 7%]", 3)
        case .rnpv:
            return rng.chance(0.5) ? ("[3%, 8%, 12.5%]", 3) : ("2% .. 14% step 4%", 4)
        case .notice:
            let m0 = rng.int((start - 3)...(last + 1))
            let d0 = rng.int(1...31)
            switch rng.int(0...3) {
            case 0:
                return ("\(day(m0, d0)) .. \(day(m0 + 2, d0)) step \(max(1, 60 / k)) days", 60 / max(1, 60 / k) + 1)
            case 1:
                let n = min(k, 40)
                let first = CalendarDate(year: m0 / 12, month: m0 % 12 + 1, day: min(d0, Self.daysIn(m0)))!
                return ("\(first) .. \(first.adding(days: n - 1)!) step 1 day", n)
            case 2:
                let n = min(k, 24)
                return ("\(day(m0, d0)) .. \(day(m0 + n - 1, d0)) step 1 month", n)
            default:
                return ("[\(randomDay(start - 2, last + 2)), \(randomDay(start - 2, last + 2)), \(randomDay(start, last))]", 3)
            }
        case .mth:
            let n = min(k, 24)
            let m0 = rng.int((start - 4)...(last + 1))
            if rng.chance(0.6) { return ("\(Self.month(m0)) .. \(Self.month(m0 + n - 1))", n) }
            return ("\(Self.month(m0)) .. \(Self.month(m0 + n - 1)) step 1 month", n)
        case .yr:
            return rng.chance(0.6) ? ("\(start / 12 - 1) .. \(last / 12 + 1)", last / 12 - start / 12 + 3) : ("[\(start / 12), \(last / 12)]", 2)
        case .x:
            switch rng.int(0...2) {
            case 0: return ("[0.5, 1, 2.5, 7]", 4)
            case 1: return ("1 .. \(min(k, 12))", min(k, 12))
            default: return ("0 .. 3 step 0.5", 7)
            }
        }
    }

    /// A sampled parameter: a distribution or a constant.
    mutating func sampleParam(_ r: Role) -> (String, Int) {
        switch r {
        case .rate:
            switch rng.int(0...4) {
            case 0: return ("uniform(\(sign)1000M, \(sign)1500M) / month", 1)
            case 1: return ("normal(\(sign)1200M, \(sign)100M) / month", 1)
            case 2: return ("triangular(\(sign)600M, \(sign)1000M, \(sign)1800M) / month", 1)
            case 3: return ("pert(\(sign)10B, \(sign)14B, \(sign)20B) / year", 1)
            default: return ("choice([\(sign)900M / month, \(sign)1200M / month, \(sign)1300M / month])", 1)
            }
        case .disc:
            return (rng.pick(["uniform(0%, 60%)", "triangular(0%, 30%, 60%)", "pert(0%, 20%, 60%)", "choice([0%, 25%, 50%])", "40%"]), 1)
        case .esc:
            return (rng.pick(["uniform(0%, 10%)", "triangular(0%, 2%, 10%)", "3%"]), 1)
        case .rnpv:
            return (rng.pick(["uniform(2%, 12%)", "8%", "pert(1%, 6%, 15%)"]), 1)
        case .notice:
            let a = rng.int((start - 3)...last), b = rng.int(a...(last + 3))
            if rng.chance(0.7) { return ("uniform(\(day(a, 1)), \(day(b, 28)))", 1) }
            return ("triangular(\(day(a, 1)), \(day((a + b) / 2, 15)), \(day(b, 28)))", 1)
        case .mth:
            let a = rng.int((start - 3)...last), b = rng.int(a...(last + 3))
            return ("uniform(\(Self.month(a)), \(Self.month(b)))", 1)
        case .yr:
            return (rng.chance(0.7) ? "choice([\(start / 12), \(start / 12 + 1), \(last / 12)])" : "\(last / 12)", 1)
        case .x:
            return (rng.pick(["normal(5, 2)", "lognormal(0, 0.5)", "uniform(0, 10)", "pert(1, 2, 6)", "triangular(-1, 0, 3)", "choice([1, 2, 4])", "2.5"]), 1)
        }
    }

    static let functionBodies: [String: String] = [
        "haircut": "fn haircut(amount, cut) = amount * (1 - cut)",
        "growth": "fn growth(p, n) = (1 + p) ^ n",
        "later": "fn later(when, n) = when + n * 1 day",
        "pv": "fn pv(k, r) = npv(k, r)",
        "capped": "fn capped(v, hi) = min(v, hi)",
        "between": "fn between(v, lo, hi) = v >= lo and v <= hi",
        "repriced": "fn repriced(k, r) = k with {rate: r}",
    ]

    func functionDeclarations() -> [String] {
        Self.functionBodies.keys.sorted().filter { usedFunctions.contains($0) }.compactMap { Self.functionBodies[$0] }
    }

    // MARK: Expressions

    func has(_ r: Role) -> Bool { params.contains(r) }

    mutating func expr(_ t: T, _ depth: Int) -> String {
        switch t {
        case .plain: return plain(depth)
        case .money: return moneyExpr(depth)
        case .rate: return rateExpr(depth)
        case .days: return days(depth)
        case .date: return date(depth)
        case .bool: return bool(depth)
        case .contract: return contract(depth)
        }
    }

    /// A percentage: a discount-like value from 0 to 100% (mostly).
    mutating func pct(_ depth: Int) -> String {
        var options: [String] = ["\(rng.pick([0, 5, 25, 50]))%"]
        if has(.disc) { options += ["disc", "disc", "disc / 2", "min(disc, 100%)"] }
        // Now and then a value that leaves 0…100% in some rows: both evaluators must refuse it alike.
        if has(.disc), rng.chance(0.03) { options.append("disc * 2") }
        if has(.esc) { options += ["esc", "esc * 5"] }
        if has(.x), depth > 0 { options += ["min(abs(x) / 10, 1)"] }
        return rng.pick(options)
    }

    mutating func smallRate() -> String {
        var options: [String] = ["\(rng.pick([0, 2, 5, 8, 12]))%"]
        if has(.rnpv) { options += ["r_npv", "r_npv", "r_npv + 1%"] }
        if has(.esc) { options += ["esc"] }
        if has(.disc) { options += ["disc / 4"] }
        return rng.pick(options)
    }

    mutating func plain(_ depth: Int) -> String {
        var leaves: [String] = ["\(rng.int(1...9))", "0.5", "8%"]
        if has(.x) { leaves += ["x", "x"] }
        if has(.disc) { leaves.append("disc") }
        if has(.esc) { leaves.append("esc") }
        if has(.rnpv) { leaves.append("r_npv") }
        if has(.yr) { leaves.append("yr") }
        if depth <= 0 { return rng.pick(leaves) }
        switch rng.int(0...17) {
        case 0, 1: return rng.pick(leaves)
        case 2: return "\(plain(depth - 1)) \(rng.pick(["+", "-", "*", "/"])) \(plain(depth - 1))"
        case 3: return "(\(plain(depth - 1)) \(rng.pick(["+", "-"])) \(plain(depth - 1)))"
        case 4: return "\(moneyExpr(depth - 1)) / \(moneyExpr(depth - 1))"
        case 5: return "months(\(contract(depth - 1)))"
        case 6: return "\(rng.pick(["year", "month", "day", "days_in_month"]))(\(date(depth - 1)))"
        case 7: return "(\(date(depth - 1)) - \(date(depth - 1))) / 1 day"
        case 8:
            let f = rng.pick(["abs", "floor", "ceil", "round"])
            if f == "round" && rng.chance(0.5) { return "round(\(plain(depth - 1)), \(rng.int(0...3)))" }
            return "\(f)(\(plain(depth - 1)))"
        case 9: return rng.pick(["sqrt(abs(\(plain(depth - 1))))", "exp(\(plain(depth - 1)) / 10)", "ln(abs(\(plain(depth - 1))) + 1)"])
        case 10: return "\(rng.pick(["min", "max"]))(\(plain(depth - 1)), \(plain(depth - 1)))"
        case 11: return "(\(plain(depth - 1))) ^ \(rng.pick(["2", "0.5", "3"]))"
        case 12: return "(if \(bool(depth - 1)) then \(plain(depth - 1)) else \(plain(depth - 1)))"
        case 13:
            usedFunctions.insert("growth")
            return rng.chance(0.5) ? "growth(\(smallRate()), \(rng.int(1...5)))" : "growth(n: \(rng.int(1...5)), p: \(smallRate()))"
        case 14: return "-\(plain(depth - 1))"
        case 15: return "(\(daysExprLeaf()) -> weeks) / 1 week"
        case 16 where rng.chance(0.3):
            // Forms the vector engine hands back to the scalar evaluator.
            meantVectorizable = false
            return rng.pick(["sum([\(plain(depth - 1)), 1])", "(\(contract(depth - 1))).months", "count([\(plain(depth - 1))])"])
        default: return rng.pick(leaves)
        }
    }

    mutating func daysExprLeaf() -> String {
        "(\(date(0)) - \(date(0)))"
    }

    mutating func days(_ depth: Int) -> String {
        if depth <= 0 { return rng.chance(0.5) ? "\(rng.int(1...90)) days" : daysExprLeaf() }
        switch rng.int(0...5) {
        case 0: return "\(date(depth - 1)) - \(date(depth - 1))"
        case 1: return "\(days(depth - 1)) + \(rng.int(1...30)) days"
        case 2: return "(\(days(depth - 1)) -> weeks)"
        case 3: return "\(days(depth - 1)) * \(plain(0))"
        case 4: return "max(\(days(depth - 1)), \(rng.int(1...3)) weeks)"
        default: return daysExprLeaf()
        }
    }

    mutating func dateLeaf() -> String {
        var options: [String] = [randomDay(start - 2, last + 2), Self.month(rng.int((start - 2)...(last + 2)))]
        if has(.notice) { options += ["notice_on", "notice_on", "notice_on"] }
        if has(.mth) { options += ["mth", "mth"] }
        return rng.pick(options)
    }

    mutating func date(_ depth: Int) -> String {
        if depth <= 0 { return dateLeaf() }
        switch rng.int(0...8) {
        case 0, 1: return dateLeaf()
        case 2: return "\(date(depth - 1)) + \(rng.int(1...120)) days"
        case 3: return "\(date(depth - 1)) \(rng.pick(["+", "-"])) \(rng.int(1...14)) \(rng.pick(["months", "month", "weeks"]))"
        case 4: return "\(date(depth - 1)) + 1 year"
        case 5:
            usedFunctions.insert("later")
            return rng.chance(0.5) ? "later(\(date(depth - 1)), \(rng.int(0...60)))" : "later(n: \(rng.int(0...60)), when: \(date(depth - 1)))"
        case 6:
            // Both branches of one precision: notice_on is a day, mth a month.
            if has(.notice) { return "(if \(bool(depth - 1)) then notice_on else notice_on + \(rng.int(1...40)) days)" }
            return dateLeaf()
        case 7 where rng.chance(0.3):
            meantVectorizable = false
            return "min(\(date(depth - 1)), \(date(depth - 1)))"
        default: return dateLeaf()
        }
    }

    mutating func bool(_ depth: Int) -> String {
        if depth <= 0 {
            return rng.pick(["\(plain(0)) < \(plain(0))", "\(date(0)) <= \(date(0))", "true", "\(date(0)) == \(date(0))"])
        }
        switch rng.int(0...8) {
        case 0: return "\(plain(depth - 1)) \(rng.pick(["<", "<=", ">", ">=", "==", "!="])) \(plain(depth - 1))"
        case 1: return "\(moneyExpr(depth - 1)) \(rng.pick(["<", ">", ">="])) \(moneyExpr(depth - 1))"
        case 2: return "\(date(depth - 1)) \(rng.pick(["<", ">", "<=", "==", "!="])) \(date(depth - 1))"
        case 3: return "not (\(bool(depth - 1)))"
        case 4: return "(\(bool(depth - 1)) and \(bool(depth - 1)))"
        case 5: return "(\(bool(depth - 1)) or \(bool(depth - 1)))"
        case 6:
            usedFunctions.insert("between")
            return "between(\(plain(depth - 1)), 1, hi: \(rng.int(2...8)))"
        case 7: return "\(days(depth - 1)) > \(rng.int(10...400)) days"
        default: return "(\(bool(depth - 1))) == (\(bool(0)))"
        }
    }

    mutating func rateExpr(_ depth: Int) -> String {
        var leaves = [rateLiteral()]
        if has(.rate) { leaves += ["rate_p", "rate_p", "rate_p"] }
        if depth <= 0 { return rng.pick(leaves) }
        switch rng.int(0...5) {
        case 0: return "\(rateExpr(depth - 1)) * (1 - \(pct(depth - 1)))"
        case 1: return "\(rateExpr(depth - 1)) + \(sign)\(rng.int(1...50))M / month"
        case 2: return "(\(rateExpr(depth - 1)) -> \(code) / year)"
        case 3: return "max(\(rateExpr(depth - 1)), \(rateLiteral()))"
        default: return rng.pick(leaves)
        }
    }

    /// A contract whose fields vary with the parameters.
    mutating func contract(_ depth: Int) -> String {
        if depth <= 0 || rng.chance(0.15) { return "c1" }
        switch rng.int(0...6) {
        case 0, 1, 2:
            var fields: [String] = []
            if rng.chance(0.6) { fields.append("rate: \(rateExpr(depth - 1))") }
            if rng.chance(0.5) {
                var months: [Int] = []
                for _ in 0..<rng.int(1...2) {
                    let m = rng.int(start...last)
                    if !months.contains(m) { months.append(m) }
                }
                fields.append("discounts: [" + months.map { "\(Self.month($0)): \(pct(depth - 1))" }.joined(separator: ", ") + "]")
            }
            if rng.chance(0.3) { fields.append("escalation: \(has(.esc) ? rng.pick(["esc", "esc / 2"]) : "\(rng.int(0...8))%")") }
            if rng.chance(0.15) {
                let endMonth = rng.int(start...last)
                fields.append(rng.pick(["notice: \(rng.int(0...120)) days", "notice: 2 months", "share: 50%", "end: \(Self.month(endMonth))",
                                        "end: \(day(endMonth, rng.int(1...31)))"]))
            }
            if fields.isEmpty { fields.append("rate: \(rateExpr(0))") }
            return "c1 with {\(fields.joined(separator: ", "))}"
        case 3, 4:
            let inner = contract(depth - 1)
            let d = date(depth - 1)
            return rng.chance(0.7) ? "terminate(\(inner), notice_on: \(d))" : "terminate(notice_on: \(d), c: \(inner))"
        case 5:
            usedFunctions.insert("repriced")
            return "repriced(c1, r: \(rateExpr(depth - 1)))"
        default:
            return "c1"
        }
    }

    mutating func moneyExpr(_ depth: Int) -> String {
        if depth <= 0 {
            return rng.pick(["total(c1)", money(1, 900), has(.rate) ? "rate_p * \(rng.int(1...24)) months" : money(1, 5000)])
        }
        switch rng.int(0...19) {
        case 0, 1: return "total(\(contract(depth - 1)))"
        case 2, 3: return "npv(\(contract(depth - 1)), \(smallRate()))"
        case 4, 5: return "exposure(\(contract(depth - 1)), at: \(date(depth - 1)))"
        case 6: return "paid(\(contract(depth - 1)), \(has(.yr) ? rng.pick(["yr", "\(start / 12 + 1)"]) : "\(start / 12)"))"
        case 7: return "paid(\(contract(depth - 1)), \(date(depth - 1)), \(date(depth - 1)))"
        case 8: return "remaining(\(contract(depth - 1)), at: \(date(depth - 1)))"
        case 9: return "payment(\(contract(depth - 1)), \(date(depth - 1)))"
        case 10: return "\(moneyExpr(depth - 1)) \(rng.pick(["+", "-"])) \(moneyExpr(depth - 1))"
        case 11: return "\(moneyExpr(depth - 1)) * \(plain(depth - 1))"
        case 12: return "\(rateExpr(depth - 1)) * \(rng.int(1...36)) months"
        case 13: return "\(rng.pick(["round", "abs"]))(\(moneyExpr(depth - 1)))"
        case 14: return "\(rng.pick(["min", "max"]))(\(moneyExpr(depth - 1)), \(moneyExpr(depth - 1)))"
        case 15: return "(if \(bool(depth - 1)) then \(moneyExpr(depth - 1)) else \(moneyExpr(depth - 1)))"
        case 16:
            usedFunctions.insert("haircut")
            return rng.chance(0.5) ? "haircut(\(moneyExpr(depth - 1)), \(pct(depth - 1)))" : "haircut(cut: \(pct(depth - 1)), amount: \(moneyExpr(depth - 1)))"
        case 17:
            usedFunctions.insert("pv")
            return "pv(\(contract(depth - 1)), r: \(smallRate()))"
        case 18:
            usedFunctions.insert("capped")
            return "capped(\(moneyExpr(depth - 1)), \(money(100, 20_000)))"
        default:
            // Now and then a conversion with no exchange rate declared: an error in both.
            if rng.chance(0.05) { return "(\(moneyExpr(depth - 1)) -> \(code == "USD" ? "EUR" : "USD"))" }
            return "(\(moneyExpr(depth - 1)) -> \(code))"
        }
    }
}
