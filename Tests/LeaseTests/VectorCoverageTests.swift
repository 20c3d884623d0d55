import Foundation
import LeaseCore
@testable import LeaseLanguage
import LeaseVector
import Testing

/// The constructs the vector compiler used to hand back to the row-by-row
/// evaluator (conversions through `fx`, `if` over different units, fields of
/// varying values, capacity by month, list literals and their aggregates,
/// recursive functions): each runs with both evaluators, every row must be
/// the same double bit for bit, and the vectorized run must not fall back.
@Suite("vectorized coverage")
struct VectorCoverageTests {
    static let prelude = """
        cluster k { power: 300 MW; gpus: 1000 gpu }
        contract c {
          lessor: "xAI"; lessee: "Anthropic"; cluster: k; share: 70%
          start: 2026-05; end: 2028-08; rate: $1M / month
          discounts: [2026-05: 50%]; notice: 30 days; escalation: 3%
        }
        contract c2 {
          lessor: "xAI"; lessee: "Other"; cluster: k; share: 30%
          start: 2027-01; end: 2027-12; rate: $2M / month
        }
        contract w {
          lessor: "xAI"; lessee: "Other"; cluster: k; share: 0.1%
          start: 2029-01; end: 2030-06; rate: ₩900M / month; notice: 2 months
        }
        fx 1 USD = 1400 KRW
        fx 1 EUR = 1.1 USD
        fn twice(x, n) = x * n
        fn value(x) = npv(x, 8%) + total(x)
        fn fact(n) = if n <= 1 then 1 else n * fact(n - 1)
        fn steps(n) = if n <= 0 then 0 else 1 + steps(n - 1)
        scenario g {
          r: [$1M / month, $1.5M / month, $2.2M / month]
          on: 2026-06-01 .. 2026-09-03 step 7 days
          m: 2026-05 .. 2028-06
        }
        scenario e3 {
          r: [$1M / month, $1.1M / month]
          e: [0%, 3%, 5.5%]
          n: [0, 1, 2, 5, 7]
        }
        scenario mc {
          rate_p: uniform($1.0B, $1.5B) / month
          on: uniform(2026-06-01, 2028-02-01)
          mth: uniform(2026-05, 2028-06)
          x: normal(5, 2)
          samples: 3000
          seed: 7
        }

        """

    struct Case: CustomTestStringConvertible, Sendable {
        var scenario: String
        var body: String
        var testDescription: String { "run \(scenario): \(body)" }
    }

    static let cases: [Case] = [
        // 1. Conversions, through declared rates too.
        Case(scenario: "g", body: "total(c with {rate: r}) -> KRW"),
        Case(scenario: "g", body: "npv(c with {rate: r}, 8%) -> KRW"),
        Case(scenario: "g", body: "r * 1 month -> EUR"),
        Case(scenario: "g", body: "r -> ₩/year"),
        Case(scenario: "g", body: "r -> $/year"),
        Case(scenario: "g", body: "total(w with {rate: r -> KRW/month}) -> $"),
        Case(scenario: "mc", body: "total(c with {rate: rate_p}) -> KRW"),
        // 2. `if` over different units, precisions, records and contracts.
        Case(scenario: "g", body: "if m > 2027-01 then r else (r -> $/year)"),
        Case(scenario: "g", body: "(if m > 2027-01 then r else (r -> $/year)) * 12 months"),
        Case(scenario: "g", body: "(if m > 2027-01 then r else (12 * r -> $/year)) + r"),
        Case(scenario: "e3", body: "if n > 1 then r else r * 2"),
        Case(scenario: "g", body: "if on > 2026-07-01 then terminate(c, notice_on: on).end else c.end"),
        Case(scenario: "g", body: "if on > 2026-07-01 then on else m"),
        Case(scenario: "g", body: "npv(if m > 2027-06 then c2 else terminate(c, notice_on: on), 7%)"),
        Case(scenario: "g", body: "total(if on > 2026-08-01 then terminate(c, notice_on: on) else c)"),
        Case(scenario: "g", body: "(if m > 2027-01 then {a: r, b: 1} else {a: (r -> $/year), b: 2}).a"),
        Case(scenario: "g", body: "{x: if m > 2027-01 then r else (12 * r -> $/year), y: terminate(c, notice_on: on).months}"),
        Case(scenario: "g", body: "npv(c with {rate: if m > 2027-01 then r else (12 * r -> $/year)}, 8%)"),
        Case(scenario: "mc", body: "if mth > 2027-01 then rate_p else (rate_p -> $/year)"),
        // 3. Fields of varying contracts, records and capacity.
        Case(scenario: "g", body: "terminate(c, notice_on: on).end"),
        Case(scenario: "g", body: "terminate(c, notice_on: on).months"),
        Case(scenario: "g", body: "terminate(c with {rate: r}, notice_on: on).rate"),
        Case(scenario: "g", body: "(c with {rate: r}).rate * 2"),
        Case(scenario: "e3", body: "(c with {rate: r, escalation: e}).escalation"),
        Case(scenario: "g", body: "terminate(c, notice_on: on).gpus"),
        Case(scenario: "g", body: "terminate(c, notice_on: on).power"),
        Case(scenario: "g", body: "terminate(c, notice_on: on).start"),
        Case(scenario: "g", body: "if (c with {rate: r}).lessor == \"xAI\" then r else r * 2"),
        Case(scenario: "g", body: "capacity(k, at: m).free_gpus"),
        Case(scenario: "g", body: "capacity(k, at: m).leased"),
        Case(scenario: "g", body: "capacity(k, at: m).free_power + capacity(k, at: on).free_power"),
        Case(scenario: "mc", body: "capacity(k, at: mth).free_gpus"),
        Case(scenario: "mc", body: "terminate(c, notice_on: on).end"),
        Case(scenario: "g", body: "{a: r, b: m}.a"),
        Case(scenario: "g", body: "({a: r, b: 1 month} with {b: r * 2 months}).b"),
        // 4. List literals and aggregates.
        Case(scenario: "g", body: "mean([npv(c, 6%), npv(c with {rate: r}, 8%)])"),
        Case(scenario: "g", body: "sum([total(c with {rate: r}), npv(c, 8%), $1])"),
        Case(scenario: "g", body: "sum([r, r -> $/year])"),
        Case(scenario: "g", body: "sum([r, if m > 2027-01 then r else (r -> $/year)])"),
        Case(scenario: "g", body: "sum([if m > 2027-01 then r else (r -> $/year), r])"),
        Case(scenario: "g", body: "min([r * 1 month, $1.2M, npv(c, 8%) / 20])"),
        Case(scenario: "g", body: "max([r * 1 month, $1.2M, npv(c, 8%) / 20])"),
        Case(scenario: "g", body: "count([r, r, r])"),
        Case(scenario: "g", body: "sd([total(c with {rate: r}), npv(c with {rate: r}, 8%), $1])"),
        Case(scenario: "g", body: "percentile([total(c with {rate: r}), npv(c with {rate: r}, 8%), $1, $5M], 30%)"),
        Case(scenario: "mc", body: "mean([x, x * 2, 3])"),
        Case(scenario: "mc", body: "sd([x, x * x, 1])"),
        Case(scenario: "g", body: "[npv(c, 6%), total(c with {rate: r})][if m > 2027-01 then 0 else 1]"),
        Case(scenario: "e3", body: "[1, 2, 3, 4, 5, 6, 7, 8][n]"),
        Case(scenario: "e3", body: "[r, r * 2, r * 3][-1]"),
        Case(scenario: "g", body: "sum([r, 2 * r] * 3 months)"),
        Case(scenario: "g", body: "npv(c with {rate: r}, [6%, 8%])[1]"),
        Case(scenario: "g", body: "max(m, on)"),
        Case(scenario: "g", body: "min(m, on, 2027-01-15)"),
        // Selections reaching calls, operators and conversions.
        Case(scenario: "g", body: "year(terminate(c, notice_on: on).end)"),
        Case(scenario: "g", body: "(terminate(c, notice_on: on).end - on) / 1 day"),
        Case(scenario: "g", body: "capacity(k, at: terminate(c, notice_on: on).end).free_gpus"),
        Case(scenario: "g", body: "npv(c, if m > 2027-01 then 6% else 0.08)"),
        Case(scenario: "g", body: "if m > 2027-01 and on < 2026-08-01 then r else r * 2"),
        Case(scenario: "g", body: "not (m > 2027-01) or on > 2026-09-01"),
        Case(scenario: "g", body: "(if m > 2027-01 then r else (r -> $/year)) -> KRW/month"),
        Case(scenario: "g", body: "npv(if m > 2027-01 then terminate(c, notice_on: on) else c with {rate: r}, 8%)"),
        Case(scenario: "g", body: "payment(terminate(c with {rate: r}, notice_on: on), m)"),
        Case(scenario: "g", body: "terminate(c with {rate: r}, notice_on: on).rate -> $/year"),
        Case(scenario: "g", body: "value(terminate(c, notice_on: on))"),
        Case(scenario: "g", body: "round(total(c with {rate: r}) -> KRW, -6)"),
        // 5. User functions, recursion.
        Case(scenario: "g", body: "twice(r, 2)"),
        Case(scenario: "g", body: "value(c with {rate: r})"),
        Case(scenario: "g", body: "fact(month(m))"),
        Case(scenario: "e3", body: "steps(n) * r"),
        // 6. solve: Brent's method in lockstep, the steps of each row its own.
        Case(scenario: "g", body: "solve p in $0.1M / month .. $5M / month: total(c with {rate: p}) == total(c with {rate: r}) * 0.9"),
        Case(scenario: "g", body: "solve x in -20% .. 300%: npv(c, x) == npv(c, 8%) * (1 + month(m) / 100)"),
        Case(scenario: "g", body: "solve x in -20% .. 300%: npv(c with {rate: r}, x) == $20M"),
        Case(scenario: "g", body: "solve d in 2026-05 .. 2028-08: remaining(c with {rate: r}, at: d) == total(c with {rate: r}) / 2"),
        Case(scenario: "g", body: "solve d in 2026-06-01 .. 2028-06-01: d - on == 90 days"),
        Case(scenario: "g", body: "solve d in on .. 2028-06-01: remaining(c with {rate: r}, at: d) == remaining(c with {rate: r}, at: on) * 0.4"),
        Case(scenario: "g", body: "{irr: solve x in -20% .. 300%: npv(terminate(c, notice_on: on), x) == npv(terminate(c, notice_on: on), 8%) * 1.001, end: terminate(c, notice_on: on).end}"),
    ]

    static func program(_ c: Case) -> String { prelude + "let out_ = run \(c.scenario): \(c.body)\n" }

    @Test(arguments: cases)
    func sameRowsAndVectorized(_ c: Case) {
        let text = Self.program(c)
        let s = DifferentialTests.execute(text, vector: false)
        if case .failure(let d) = s.outcome { Issue.record("the row-by-row run fails: \(d)") }
        for threads in [1, 2] {
            let v = DifferentialTests.execute(text, vector: true, threads: threads)
            #expect(v.fallback == nil, "went row by row (threads \(threads)): \(v.fallback ?? "")")
            let diffs = DifferentialTests.differences(s, v)
            #expect(diffs.isEmpty, "threads \(threads):\n\(diffs.joined(separator: "\n"))")
        }
    }

    /// A grid of dates in both precisions through `if`, a shard of a
    /// several-axis grid: its first row picks the unit.
    @Test func firstRowChoosesTheUnit() {
        let text = Self.prelude + """
            scenario u { q: [2, 0, 1]; r: [$1M / month, $2M / month] }
            let out_ = run u: if q > 0 then r else (r -> $/year)

            """
        let s = DifferentialTests.execute(text, vector: false)
        let v = DifferentialTests.execute(text, vector: true)
        #expect(v.fallback == nil, "\(v.fallback ?? "")")
        #expect(DifferentialTests.differences(s, v).isEmpty, "\(DifferentialTests.differences(s, v))")
        if case .value(let r) = v.outcome { #expect(r.outputs.first?.unit.text() == "USD/month") }
        let t = text.replacingOccurrences(of: "q: [2, 0, 1]", with: "q: [0, 2, 1]")
        let s2 = DifferentialTests.execute(t, vector: false)
        let v2 = DifferentialTests.execute(t, vector: true)
        #expect(DifferentialTests.differences(s2, v2).isEmpty, "\(DifferentialTests.differences(s2, v2))")
        if case .value(let r) = v2.outcome { #expect(r.outputs.first?.unit.text() == "USD/year") }
    }

    // MARK: Realistic runs through the release binary

    /// Realistic scenario expressions an analyst writes; none may go row by row.
    static let realistic: [String] = [
        "npv(c with {discounts: [:], start: 2026-05 + sh * 10 months}, 8%)",
        "exposure(c with {notice: n}, at: on)",
        "total(c with {end: m})",
        "(c with {share: sh}).gpus",
        "(c with {share: sh}).share",
        "(c with {share: sh}).power",
        "(c with {notice: n}).notice",
        "terminate(c with {notice: n}, notice_on: on).end",
        "total(c with {rate: r}) -> KRW",
        "npv(c with {rate: r}, 8%) -> KRW",
        "if m > 2027-01 then r else (r * 12 months / 1 year -> $/year)",
        "(if m > 2027-01 then r else (12 * r -> $/year)) * 1 month",
        "terminate(c, notice_on: on).end",
        "terminate(c, notice_on: on).months",
        "(c with {rate: r}).rate",
        "capacity(k, at: m).free_gpus",
        "capacity(k, at: m).leased",
        "mean([npv(c, 6%), npv(c, 8%)])",
        "mean([npv(c with {rate: r}, 6%), npv(c with {rate: r}, 8%)])",
        "sum([total(c with {rate: r}), total(c2)])",
        "max([npv(c with {rate: r}, 6%), total(c2)])",
        "exposure(c, at: on)",
        "remaining(c with {rate: r}, at: m)",
        "payment(c with {rate: r}, m)",
        "paid(c with {rate: r}, 2027)",
        "npv(terminate(c with {rate: r}, notice_on: on), 8%)",
        "value(c with {rate: r})",
        "twice(npv(c, 8%), 2)",
        "{npv: npv(c with {rate: r}, 8%), end: terminate(c, notice_on: on).end}",
        "npv(if m > 2027-06 then c2 else terminate(c, notice_on: on), 7%)",
        "exposure(c with {rate: r, escalation: 5%}, at: on) -> KRW",
        "total(c with {rate: r, discounts: [2026-05: 25%]})",
        "(npv(c with {rate: r}, 8%) - total(c)) / total(c)",
        "round(npv(c with {rate: r}, 8%) / $1M)",
        "solve x in -20% .. 300%: npv(c with {rate: r}, x) == $20M",
    ]

    /// Varying deal terms in `with` (`notice`, `share`, `end`, `start`) are
    /// vectorized in the contract queries' compiler, separately: for now
    /// these may still go row by row, and only their rows are compared.
    static let pendingElsewhere: [String] = []

    /// The release binary: `LEASE_BINARY`, else `.build/release/lease` (what
    /// `scripts/test` builds), else whichever binary the CLI tests use.
    static let binary: URL? = {
        if let p = ProcessInfo.processInfo.environment["LEASE_BINARY"] { return URL(fileURLWithPath: p) }
        let u = CLI.root.appendingPathComponent(".build/release/lease")
        return FileManager.default.isExecutableFile(atPath: u.path) ? u : CLI.binary
    }()

    static let realisticPrelude = prelude + """
        scenario rg {
          r: [$1M / month, $1.25M / month, $1.5M / month, $2M / month]
          on: 2026-06-01 .. 2027-06-01 step 15 days
          m: 2026-05 .. 2028-06
          n: [30 days, 60 days, 90 days]
          sh: [20%, 50%]
        }

        """

    @Test func realisticRunsStayVectorized() throws {
        guard let binary = Self.binary else {
            Issue.record("no release binary: build with `swift build -c release` or set LEASE_BINARY")
            return
        }
        var script = Self.realisticPrelude
        for (i, body) in Self.realistic.enumerated() {
            script += "let v\(i) = run rg: \(body)\nprint(v\(i).mean)\n"
        }
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("realistic.lease")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.spawn(binary, [file.path], stdin: "", environment: ["LEASE_ENGINE_TRACE": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let fallbacks = r.stderr.split(separator: "\n").filter { $0.contains("row by row") }
        #expect(fallbacks.isEmpty, "realistic runs went row by row:\n\(fallbacks.joined(separator: "\n"))")
        #expect(r.stdout.split(separator: "\n").count == Self.realistic.count, "\(r.stdout)")
        // The same numbers row by row.
        let s = try CLI.spawn(binary, [file.path], stdin: "", environment: ["LEASE_ENGINE": "scalar"])
        #expect(s.stdout == r.stdout)
    }

    @Test func pendingTermsAgree() throws {
        for body in Self.pendingElsewhere {
            let text = Self.realisticPrelude + "let out_ = run rg: \(body)\n"
            let s = DifferentialTests.execute(text, vector: false)
            let v = DifferentialTests.execute(text, vector: true)
            #expect(DifferentialTests.differences(s, v).isEmpty, "\(body): \(DifferentialTests.differences(s, v))")
        }
    }
}
