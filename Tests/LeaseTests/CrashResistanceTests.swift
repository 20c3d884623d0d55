import Foundation
import LeaseCore
import Testing

@testable import LeaseLanguage

/// Crash resistance: tens of thousands of generated and mutated inputs go
/// through `Session.run` in this process, and each must end in a value or a
/// diagnostic, never a trap.
///
/// Every input depends only on the seed and its index, so a failure
/// reproduces on its own:
///
///     LEASE_FUZZ_SEED=<seed> LEASE_FUZZ_INDEX=<index> swift test --filter CrashResistance
///
/// `LEASE_FUZZ_COUNT` changes how many generated inputs run (default 20,000).
/// If an input traps, a signal handler prints the input in flight, and the
/// same text is left in `$TMPDIR/lease-fuzz-inflight.txt` (for stack
/// overflows, where no handler can run).
@Suite("Crash resistance", .serialized)
struct CrashResistanceTests {
    @Test("fixed extreme inputs end in a value or an error")
    func extremes() {
        var problems: [String] = []
        let base = Fuzz.prelude()
        for (i, input) in Fuzz.extremes.enumerated() {
            let label = "extreme #\(i)"
            Fuzz.announce(label: label, input: input)
            let t0 = ContinuousClock.now
            problems += Fuzz.runOne(input, base: i % 2 == 0 ? base : nil, check: input.utf8.count < 10_000, label: label)
            let took = ContinuousClock.now - t0
            if took > .seconds(5) { problems.append("\(label): took \(took) (possible hang) on \(Fuzz.describe(input))") }
        }
        Fuzz.done()
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(20).joined(separator: "\n"))")
    }

    @Test("20,000 generated and mutated inputs end in a value or an error")
    func generated() {
        let env = ProcessInfo.processInfo.environment
        let seed = env["LEASE_FUZZ_SEED"].flatMap { UInt64($0) } ?? Fuzz.defaultSeed
        let count = env["LEASE_FUZZ_COUNT"].flatMap { Int($0) } ?? 20_000
        var indices = Array(0..<count)
        if let only = env["LEASE_FUZZ_INDEX"].flatMap({ Int($0) }) { indices = [only] }
        let base = Fuzz.prelude()
        var problems: [String] = []
        var kinds: [String: Int] = [:]
        var kindTime: [String: Duration] = [:]
        var outcomes = (values: 0, errors: 0)
        let clock = ContinuousClock()
        let started = clock.now
        for i in indices {
            var gen = Fuzz.Generator(seed: seed, index: i, seeds: Fuzz.seeds)
            let (kind, input, usePrelude) = gen.input()
            kinds[kind, default: 0] += 1
            let label = "seed=\(seed) index=\(i) kind=\(kind)"
            if indices.count == 1 { print("lease fuzz \(label):\n\(input)") }
            Fuzz.announce(label: label, input: input)
            let t0 = clock.now
            let found = Fuzz.runOne(input, base: usePrelude ? base : nil, check: i % 8 == 0, label: label,
                                    outcome: &outcomes)
            let took = clock.now - t0
            kindTime[kind, default: .zero] += took
            if took > .seconds(5) {
                problems.append("\(label): took \(took) (possible hang) on \(Fuzz.describe(input))")
            }
            problems += found
        }
        Fuzz.done()
        let elapsed = clock.now - started
        print("lease fuzz: \(indices.count) inputs in \(elapsed) (seed \(seed)); values/none: \(outcomes.values), errors: \(outcomes.errors); by kind: \(kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) in \(kindTime[$0.key] ?? .zero)" }.joined(separator: ", "))")
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(20).joined(separator: "\n"))")
    }

    /// Long flat chains build a syntax tree as deep as the chain is long, with
    /// no bracket to trip the nesting limit. They crash the process (stack
    /// overflow) rather than ending in an error, so they run in a child
    /// process: `lease` must exit 0 or 1, never die of a signal.
    /// A long flat chain: `head` then `link` repeated, built when the test runs
    /// so the test's name stays short.
    struct Chain: Sendable, CustomTestStringConvertible {
        var head: String
        var link: String
        var count: Int
        var script: String { head + String(repeating: link, count: count) }
        var testDescription: String { "\(head)\(link)… (\(count + 1) terms)" }
    }

    /// Long flat chains build a syntax tree as deep as the chain is long, with
    /// no bracket to trip the nesting limit. Before the limit on operations in
    /// a row they overflowed the stack (60,000 terms in a debug build, about
    /// 1,000,000 in release), so the longest run in a child process: `lease`
    /// must exit 0 or 1, never die of a signal.
    @Test("long flat operator chains end in a value or an error, not a crash", arguments: [
        Chain(head: "1", link: " + 1", count: 249_999),
        Chain(head: "1", link: " -> 1", count: 249_999),
        Chain(head: "true", link: " and true", count: 249_999),
        Chain(head: "2026-05", link: " + 1 day", count: 249_999),
        Chain(head: "1", link: " * 1", count: 249_999),
    ])
    func flatChains(chain: Chain) throws {
        guard let binary = FuzzBinary.find() else {
            Issue.record("no lease binary: run `swift build` first")
            return
        }
        let r = try FuzzBinary.run(binary, stdin: chain.script)
        #expect(r.reason == .exit && (r.status == 0 || r.status == 1),
                "lease was killed by signal \(r.status) on \(chain.testDescription); stderr: \(r.stderr.prefix(300))")
    }
}

// MARK: Private API

/// The generators, the seed corpus and the runner.
enum Fuzz {
    static let defaultSeed: UInt64 = 0x1EA5_E2026

    /// SplitMix64 (Steele, Lea and Flood): tiny, fast and reproducible everywhere.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
        mutating func pick<T>(_ xs: [T]) -> T { xs[int(xs.count)] }
    }

    // MARK: Seed scripts

    static let colossus = "# examples/colossus.lease\n" + Fixtures.colossus + """

        months(anthropic)                      # 37
        total(anthropic)                       # $45B
        anthropic.rate / anthropic.gpus -> $/gpu/h   # $7.78/gpu/h
        exposure(anthropic, at: 2026-09-01)    # what Anthropic owes if it gives notice that day
        npv(anthropic, 8%)                     # present value at 8 %/year

        """

    static let seeds: [String] = [
        colossus,
        """
        cluster colossus2 {
          owner: "xAI"; site: "Memphis, TN"
          power: 1 GW; gpus: 550_000 gpu
          gpu_model: "GB200"            # optional
        }
        contract c {
          lessor: "xAI"; lessee: "Anthropic"; cluster: colossus2
          share: 25%                    # of the cluster's power and gpus; default 100%
          start: 2026-07; end: 2029-05  # first and last billed month
          rate: $500M / month           # base payment per month
          discounts: [2026-07: 30%]     # optional: payment reductions by month
          escalation: 3%                # optional: +3% on each anniversary of start
          notice: 90 days               # termination notice
        }
        c.gpus; c.power; c.months
        payment(c, 2027-07); payment(c, 2026-07 .. 2026-09)
        schedule(c)
        paid(c, 2027); paid(c, 2026-07, 2026-12)
        remaining(c, at: 2028-01)
        capacity(colossus2, at: 2027-01)
        contracts(colossus2)
        revenue("xAI", 2027); spend("Anthropic", 2026-07 .. 2026-12)
        let t = terminate(c, notice_on: 2027-02-10)
        t.end; total(t); months(t)
        c with {rate: $1B / month, share: 50%}

        """,
        """
        fn f(a, b) = a * b + 1
        fn fact(n) = if n <= 1 then 1 else n * fact(n - 1)
        let xs = [1, 2, 3] * $1B
        sum(xs); mean(xs); min(xs); max(xs); count(xs); sd(xs); percentile(xs, 50%)
        f(2, b: 3); fact(10)
        let d = 2026-05-20 + 90 days
        d; year(d); month(d); day(d); days_in_month(2028-02)
        2026-01-31 + 1 month; 2026-08-18 - 2026-05-20
        "total: {sum(xs)} and {{braces}} \\"quoted\\" \\\\ done\\n"
        if xs[0] > $1B then "big" else "small"
        0% .. 60% step 10%
        round(1.23456, 2); floor(-2.5); ceil(2.1); abs(-3 MW); sqrt(16); exp(1); ln(10)
        {low: $40B, high: $46B}
        [2026-05: 50%, 2026-06: 50%]
        xs[-1]; xs[[0, 2]]
        not (1 < 2) or 3 >= 3 and true
        print("a", 1, $2M, 2026-05)

        """,
        """
        fx 1 USD = 1500 KRW
        $45B -> KRW
        fx 1 EUR = 1.1 USD
        €3M -> KRW
        1.87T KRW -> USD
        [$1M, $2M] -> EUR
        ₩1.87T + 1 USD -> KRW

        """,
        """
        300 MW * 1 month -> MWh
        1 month -> h; 1 year -> months; 1 week -> days
        0.08 -> %
        2 ^ 10; 2 ^ 3 ^ 2; -2 ^ 2
        $1.25B / month * 36 months
        $1.25B / month / (220_000 gpu) -> $/gpu/h
        $1.25B / month / (300 MW) -> $/kW/month
        sqrt(4 MW^2); (3 MW) ^ 2
        1.5M CHF; 3 EUR; -$1.25B; $7.78; $150_000
        220_000 gpu * 1 h -> gpu_h
        1 GW to MW

        """,
        """
        cluster k { power: 300 MW; gpus: 1000 gpu }
        contract a { lessor: "L"; lessee: "T"; cluster: k; share: 40%; start: 2026-01; end: 2026-12; rate: $1M / month }
        contract b { lessor: "L"; lessee: "T"; cluster: k; share: 60%; start: 2026-06; end: 2027-06; rate: €2M / year; escalation: 5% }
        scenario grid {
          notice_on: 2026-06-01 .. 2026-06-10 step 1 day
          discount: 0% .. 60% step 10%
        }
        scenario mc {
          rate: uniform($1.0B, $1.5B) / month
          discount: triangular(0%, 30%, 60%)
          samples: 100
          seed: 42
        }
        capacity(k, at: 2026-07); contracts(k)
        exposure(a, at: 2026-03-15); npv(b, 12.5%)
        let r = run grid: exposure(a with {discounts: [2026-05: discount]}, at: notice_on)

        """,
    ]

    /// Declarations most generated expressions refer to.
    static let preludeText = colossus + """
        fn double(x) = x * 2
        fn fact(n) = if n <= 1 then 1 else n * fact(n - 1)
        fn f(n) = f(n + 1)
        let xs = [1, 2, 3] * $1B
        let x = 3
        let site = "Memphis, TN"
        let r = {low: $40B, high: $46B}
        let m = [2026-05: 50%, 2026-06: 50%]
        fx 1 USD = 1500 KRW

        """

    static func prelude() -> Session {
        let s = Session()
        if let d = s.run(SourceFile(name: "prelude.lease", text: preludeText)) {
            Issue.record("the prelude does not run: \(d)")
        }
        return s
    }

    /// A new session holding a copy of `base`'s model, bindings and functions.
    static func copy(of base: Session, output: @escaping @Sendable (OutputEvent) -> Void) -> Session {
        let s = Session(output: output)
        s.model = base.model
        s.globals = base.globals
        s.globalOrder = base.globalOrder
        s.functions = base.functions
        s.functionOrder = base.functionOrder
        s.fxSources = base.fxSources
        return s
    }

    // MARK: Fixed extremes

    static let extremes: [String] = {
        var xs = [
            String(repeating: "(", count: 10_000),
            String(repeating: "[", count: 10_000),
            String(repeating: "{", count: 10_000),
            String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000),
            String(repeating: "[", count: 10_000) + "1" + String(repeating: "]", count: 10_000),
            String(repeating: "-", count: 10_000) + "1",
            String(repeating: "not ", count: 10_000) + "true",
            String(repeating: "2 ^ ", count: 10_000) + "1",
            String(repeating: "if true then ", count: 5_000) + "1" + String(repeating: " else 2", count: 5_000),
            String(repeating: "\"{", count: 2_000) + "1" + String(repeating: "}\"", count: 2_000),
            String(repeating: "f(", count: 10_000) + "1" + String(repeating: ")", count: 10_000),
            String(repeating: "{a: ", count: 5_000) + "1" + String(repeating: "}", count: 5_000),
            "xs" + String(repeating: ".rate", count: 10_001),
            "xs" + String(repeating: "[0]", count: 2_000),
            "r" + String(repeating: " with {a: 1}", count: 3_000),
            "1" + String(repeating: "+1", count: 5_000),
            "1" + String(repeating: "+1", count: 70_000),
            "1" + String(repeating: " -> 1", count: 70_000),
            "[" + Array(repeating: "1", count: 5_000).joined(separator: ",") + "]",
            "sum([" + Array(repeating: "$1.25B", count: 5_000).joined(separator: ", ") + "])",
            "[" + Array(repeating: "2026-05", count: 5_000).joined(separator: ",") + "] + 1 month",
            "\"" + String(repeating: "{{", count: 50_000) + "\"",
            "\"" + String(repeating: "x", count: 200_000) + "\"",
            String(repeating: "\n", count: 20_000) + "1",
            String(repeating: "# comment\n", count: 5_000),
            String(repeating: ";", count: 20_000),
            String(repeating: "1\n", count: 3_000),
            "let a = " + String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150),
            "1e308 * 10", "-1e308 * 10", "1e308 * 10 - 1e308 * 10", "0 / 0", "1 / 0", "$1 / 0", "-$1 / 0",
            "(0 / 0) -> %", "$1e308 * 10", "$1e308 / month * 1e308 months", "1e309", "$1e309", "1.8e308",
            "5e-324 / 2", "1e-320 MW", "1e308 MW * 1e308 MW", "(1e308 MW) ^ 2", "(1e200 $) ^ 12", "$1e300",
            "-$1e300", "₩1e300", "1e300 CHF", "1e15", "123456789012345678", "0.000001", "1e-5 MW",
            "1 .. 1e12", "1 .. 1e308", "0 .. 1e12 step 1e-300", "0 .. 1 step 0", "0 .. 1 step -1",
            "0 .. 1 step (0/0)", "(0/0) .. 1", "1 .. (0/0)", "0 .. 1e308 * 10", "2026-05 .. 9999-12 step 1 month",
            "0001-01 .. 0001-12", "2026-05 .. 2026-04", "2026-05 .. 2026-08 step 0 days", "2026-05 .. 2026-08 step 1e300 days",
            "2026-05-01 .. 2026-06-01 step 1e-300 days", "2026-05 .. 2029-05 step 1 MW",
            "xs[1e300]", "xs[-1e300]", "xs[1e19]", "xs[-1e19]", "xs[9223372036854775807]", "xs[-9223372036854775808]",
            "xs[0/0]", "xs[1.5]", "xs[-4]", "xs[3]", "[][0]", "xs[[0, 1e300]]", "m[2026-07]", "m[1e300]",
            "2 ^ 1e9", "2 ^ -1e9", "(-8) ^ (1/3)", "0 ^ -1", "(1 MW) ^ 1e9", "(1 MW) ^ 13", "(1 MW) ^ -12",
            "(1 MW) ^ 0.5", "1 MW ^ 9", "1e300 ^ 1e300", "2 ^ 3 ^ 4 ^ 5",
            "round(1.5, 1e300)", "round(1.5, -1e300)", "round(1e308, 15)", "round(1.5, 0/0)", "round(0/0)",
            "round(1e-300, 15)", "round($1e308, 2)", "floor(1e308 * 10)", "sqrt(-1)", "ln(0)", "ln(-1)",
            "exp(1e300)", "exp(-1e300)", "sqrt(1 MW)", "sqrt(1e308 MW^2)", "abs(-1e308 * 10)",
            "percentile(xs, 1e300)", "percentile(xs, 0/0)", "percentile([], 50%)", "percentile(xs, [0%, 100%])",
            "sd([1])", "sd([])", "mean([])", "min([])", "max()", "min(1)", "sum([])", "count([])", "min(1 MW, $1)",
            "9999-12 + 1 month", "9999-12-31 + 1 day", "0001-01 - 1 month", "0001-01-01 - 1 day",
            "2026-05 + 1e300 months", "2026-05 + 1e300 days", "2026-05 - 1e300 days", "2026-05 + (0/0) days",
            "2026-05 + 1.5 months", "2026-05 + 0.5 days", "2026-05 + 1 MW", "2026-05 + 1", "9999-12-31 - 0001-01-01",
            "2026-05 + 119999 months", "2026-05 + 120000 months", "2026-05 + 3999999 days", "2026-02-29",
            "2024-02-29 + 1 year", "0000-01", "10000-01", "2026-13", "2026-00", "2026-05-32", "2026-05-00",
            "year(9999-12-31)", "days_in_month(0001-02)", "2026-05 * 2", "2026-05 < 1",
            "npv(anthropic, -100%)", "npv(anthropic, -99.999%)", "npv(anthropic, 1e300)", "npv(anthropic, 0/0)",
            "npv(anthropic, -1e300)", "npv(anthropic, [0%, 8%, 1e300])", "npv(anthropic, 8 MW)",
            "exposure(anthropic, at: 9999-12-31)", "exposure(anthropic, at: 0001-01-01)",
            "terminate(anthropic, notice_on: 9999-12-31)", "terminate(anthropic, notice_on: 2029-05-31)",
            "payment(anthropic, 9999-12)", "payment(anthropic, 0001-01)", "paid(anthropic, 1e300)", "paid(anthropic, 0)",
            "paid(anthropic, 2027-01, 2026-01)", "paid(anthropic, 9999)", "remaining(anthropic, at: 0001-01)",
            "anthropic with {rate: $1e308 / month}", "anthropic with {rate: $1e308 / s}",
            "total(anthropic with {rate: $1e308 / month})", "npv(anthropic with {rate: $1e308 / s}, 8%)",
            "anthropic with {escalation: 1e300%}", "total(anthropic with {escalation: 1e300%})",
            "npv(anthropic with {escalation: 1e300%}, 8%)", "anthropic with {escalation: -100%}",
            "anthropic with {notice: 1e300 days}", "anthropic with {notice: 9999 years}",
            "exposure(anthropic with {notice: 9990 years}, at: 2026-06-01)",
            "exposure(anthropic with {notice: 119000 months}, at: 2026-06-01)",
            "exposure(anthropic with {notice: 1e-300 s}, at: 2026-06-01)",
            "anthropic with {end: 9999-12}", "total(anthropic with {start: 0001-01, end: 9999-12})",
            "schedule(anthropic with {start: 0001-01, end: 9999-12})[-1]",
            "anthropic with {start: 2026-05-20}", "anthropic with {end: 2026-04}", "anthropic with {share: 0%}",
            "anthropic with {share: 1e-300%}", "anthropic with {discounts: [9999-12: 50%]}",
            "anthropic with {discounts: [2026-05: 1e300%]}", "anthropic with {discounts: []}",
            "anthropic with {discounts: [:]}", "anthropic with {rate: 300 MW}", "anthropic with {cluster: 1}",
            "colossus1 with {power: -1 MW}", "colossus1 with {gpus: 1e308 gpu}", "capacity(colossus1, at: 9999-12)",
            "revenue(\"xAI\", 1e300)", "revenue(\"xAI\", 2026-05 .. 2029-05)", "spend(\"nobody\", 2027)",
            "fn g(n) = g(n + 1)\ng(1)", "f(1)", "fact(1e300)", "fact(-1e300)", "fact([1, 2, 3])", "fact(0/0)",
            "fn h(a) = a\nh()", "fn h(a) = a\nh(1, 2)", "fn h(a) = a\nh(b: 1)", "fn h(a, a) = a",
            "fn h() = h()\nh()", "let h = 3", "let MW = 1", "fn sum(x) = x", "let anthropic = 1\nanthropic",
            "fx 1 USD = 0 KRW", "fx 1 USD = -1 KRW", "fx 1 USD = 1e308 KRW", "fx 1 USD = 1e-320 KRW",
            "fx 1 USD = 1 USD", "fx 1 MW = 1 KRW", "fx 0 USD = 1 KRW", "fx 1 USD = (0/0) KRW",
            "fx 1 USD = 1e300 EUR\nfx 1 EUR = 1e300 GBP\n$1e300 -> GBP", "€1 -> CHF", "$1 + €1", "$1 < €1",
            "1 MW -> h", "1 MW -> MW^9", "1 -> %", "1 -> 1", "$1 -> $/month", "1 MW -> 1/h", "1 h -> month^-1",
            "use \"\"", "use \"/\"", "use \"/dev/null\"", "use \"no such file.lease\"", "use \"{1}\"",
            "scenario sc { x: uniform(0, 1); samples: 1e300 }\nrun sc: x", "scenario sc { x: uniform(0, 1); samples: -1 }\nrun sc: x", "scenario sc { x: uniform(0, 1); samples: 0/0 }\nrun sc: x", "scenario sc { x: uniform(0, 1); samples: 10; seed: 1e300 }\nrun sc: x", "scenario sc { x: normal(0, 0/0); samples: 10 }\nrun sc: x", "scenario sc { x: choice([]); samples: 10 }\nrun sc: x", "scenario sc { x: uniform(2026-05-01, 9999-12-31); samples: 10 }\nrun sc: x + 1 day", "run nosuch: 1", "scenario sc { x: 1 .. 3 }\nrun sc: x * 2", "scenario sc { x: 1 .. 3; y: [] }\nrun sc: x",
            "print()", "print(" + Array(repeating: "xs", count: 200).joined(separator: ", ") + ")",
            "\u{0}", "\u{FFFD}", "\u{FEFF}1", "1\u{0}2", "\"\u{0}\"", "\u{1F600}", "$\u{1F600}", "€", "₩",
            "\\", "\\\n1", "1 \\\n+ 2", "\"\\q\"", "\"{\"", "\"}\"", "\"{}\"", "\"{{}\"", "\"{1\n}\"",
            "\"a", "#", "1 #", "\t1\t+\t2", "\r\n1\r\n", "1.", ".5", "1..2", "1...2", "1e", "1e+", "1_", "_1",
            "1__000", "1.5e9B", "1kk", "1%%", "$%", "$1%", "8 %", "2026-05-20-01", "2026-05x", "2026 - 05",
            "2026-5", "20260-05", "1T * 1T * 1T", "1B MW", "$1.25B/month/gpu/h/MW/day",
        ]
        // Every built-in with no arguments, with nonsense, and with extreme values.
        for spec in Builtins.list where spec.name != "export" {
            xs.append("\(spec.name)()")
            xs.append("\(spec.name)(\"a\", 2026-05, 1e308, [], {})")
            xs.append("\(spec.name)(anthropic, 9999-12-31)")
            xs.append("\(spec.name)(xs, 1e300)")
            xs.append("\(spec.name)(colossus1, at: 0001-01)")
        }
        return xs
    }()

    // MARK: Generation

    /// Tokens of the language, for soup and for token-level mutation.
    static let keywords = Keyword.allCases.map(\.rawValue)
    static let symbols = ["(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "..", "->", "+", "-", "*", "/", "^", "%",
                          "=", "==", "!=", "<", "<=", ">", ">="]
    static let unitNames = ["s", "min", "h", "hour", "day", "days", "week", "month", "months", "year", "W", "kW",
                            "MW", "GW", "kWh", "MWh", "GWh", "gpu", "gpus", "gpu_h", "USD", "EUR", "KRW", "CHF", "JPY"]
    static let numbers = ["0", "1", "2", "3.5", "-1", "0.1", "12", "37", "1_000", "1.5e9", "1.25B", "300k", "1e12",
                          "1e300", "1e308", "1e-300", "5e-324", "8%", "50%", "100%", "12.5%", "1T", "0.5"]
    static let money = ["$1.25B", "€3M", "£10", "¥500", "₩1.87T", "$7.78", "$150_000", "$0", "$1e300", "$45B"]
    /// Dates for generated expressions. The calendar's ends (0001-01, 9999-12-31)
    /// are left to the fixed extremes and templates: a generated day range
    /// between them has millions of elements, which is legal but slow.
    static let dates = ["2026-05", "2026-05-20", "2029-05", "2024-02-29", "2031-12-31", "2026-09-01", "2027-01",
                        "2029-05-31"]
    static let strings = ["\"Memphis, TN\"", "\"xAI\"", "\"a{1 + 1}b\"", "\"{{x}}\"", "\"\\\"q\\\" \\\\ \\n\"",
                          "\"{xs}\"", "\"\"", "\"Anthropic\""]
    static let names = ["anthropic", "colossus1", "xs", "x", "site", "r", "m", "_", "double", "fact", "f", "nosuch"]
    static let fieldNames = ["rate", "gpus", "power", "months", "start", "end", "discounts", "notice", "escalation",
                             "share", "lessor", "cluster", "name", "low", "high", "owner", "nosuch"]
    static let unitTargets = ["MW", "kW", "GW", "h", "days", "month", "year", "%", "$/gpu/h", "$/kW/month", "KRW",
                              "USD", "EUR", "MWh", "gpu_h", "1/month", "month^-1", "$^2", "gpu", "1", "$/month"]
    static let binaryOps = ["+", "-", "*", "/", "^", "==", "!=", "<", "<=", ">", ">=", "and", "or"]
    static let junk = ["!", "&", "|", "'", "×", "·", "@", "\\", "\t", "\u{0}", "\u{FFFD}", "é", "→", "#", "\n",
                       "\r", "`", "~", "?"]

    static let soupVocabulary: [String] = {
        keywords + symbols + unitNames + numbers + money + dates + strings + names + fieldNames
            + Builtins.names.filter { $0 != "export" } + ["\n", "\n", ";", "# c\n"]
    }()

    struct Generator {
        var rng: SplitMix64
        let seeds: [String]
        let vocabulary = Fuzz.soupVocabulary

        init(seed: UInt64, index: Int, seeds: [String]) {
            var mix = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
            rng = SplitMix64(seed: mix.next())
            self.seeds = seeds
        }

        /// The kind of input, its text, and whether it runs after the prelude.
        mutating func input() -> (String, String, Bool) {
            let (kind, text, prelude) = rawInput()
            return (kind, Generator.tameSamples(text), prelude)
        }

        /// `samples:` may legally ask for up to 1e12 rows; a mutation that
        /// makes a seed's `samples: 100` huge would only measure patience.
        static func tameSamples(_ text: String) -> String {
            guard text.contains("samples") else { return text }
            let pattern = #"samples\s*:[^;\n}]*"#
            return text.replacingOccurrences(of: pattern, with: "samples: 100", options: .regularExpression)
        }

        mutating func rawInput() -> (String, String, Bool) {
            let k = rng.int(100)
            switch k {
            case 0..<18: return ("soup", soup(), rng.chance(0.6))
            case 18..<48: return ("grammar", statements(), true)
            case 48..<58: return ("truncate", truncate(), false)
            case 58..<68: return ("splice", splice(), rng.chance(0.3))
            case 68..<83: return ("bytes", mutateBytes(), rng.chance(0.3))
            case 83..<95: return ("tokens", mutateTokens(), rng.chance(0.5))
            default: return ("extreme", extremeTemplate(), true)
            }
        }

        mutating func soup() -> String {
            var out = ""
            for _ in 0..<(1 + rng.int(40)) {
                out += rng.chance(0.03) ? rng.pick(Fuzz.junk) : rng.pick(vocabulary)
                out += rng.chance(0.8) ? " " : ""
            }
            return out
        }

        mutating func leaf() -> String {
            switch rng.int(9) {
            case 0, 1: return rng.pick(Fuzz.numbers)
            case 2: return rng.pick(Fuzz.money)
            case 3: return rng.pick(Fuzz.numbers).replacingOccurrences(of: "%", with: "") + " " + rng.pick(Fuzz.unitNames)
            case 4: return rng.pick(Fuzz.dates)
            case 5: return rng.pick(Fuzz.strings)
            case 6: return rng.pick(["true", "false"])
            default: return rng.pick(Fuzz.names)
            }
        }

        mutating func call(_ depth: Int) -> String {
            let spec = rng.pick(Builtins.list.filter { $0.name != "export" })
            var n = spec.variadic ? rng.int(4) : max(0, spec.params.count - rng.int(2) + (rng.chance(0.1) ? 1 : 0))
            if rng.chance(0.05) { n = rng.int(6) }
            var args: [String] = []
            for i in 0..<n {
                let label = !spec.variadic && i < spec.params.count && i > 0 && rng.chance(0.4) ? spec.params[i] + ": " : ""
                args.append(label + expr(depth - 1))
            }
            if ["npv", "exposure", "terminate", "payment", "total", "schedule", "months", "paid", "remaining"].contains(spec.name),
                !args.isEmpty, rng.chance(0.7)
            {
                args[0] = rng.pick(["anthropic", "anthropic with {rate: \(expr(depth - 1))}",
                                    "terminate(anthropic, notice_on: \(rng.pick(Fuzz.dates)))"])
            }
            if ["capacity", "contracts"].contains(spec.name), !args.isEmpty, rng.chance(0.7) { args[0] = "colossus1" }
            return "\(spec.name)(\(args.joined(separator: ", ")))"
        }

        mutating func expr(_ depth: Int) -> String {
            if depth <= 0 || rng.chance(0.25) { return leaf() }
            let d = depth - 1
            switch rng.int(17) {
            case 0, 1: return "\(expr(d)) \(rng.pick(Fuzz.binaryOps)) \(expr(d))"
            case 2: return "(\(expr(d)))"
            case 3: return "-\(expr(d))"
            case 4: return "not \(expr(d))"
            case 5: return "if \(expr(d)) then \(expr(d)) else \(expr(d))"
            case 6: return "\(expr(d)) .. \(expr(d))" + (rng.chance(0.5) ? " step \(expr(d))" : "")
            case 7: return "\(expr(d)) \(rng.pick(["->", "to"])) \(rng.pick(Fuzz.unitTargets))"
            case 8: return "[" + (0..<rng.int(5)).map { _ in expr(d) }.joined(separator: ", ") + "]"
            case 9: return "[" + (0..<(1 + rng.int(3))).map { _ in "\(expr(d)): \(expr(d))" }.joined(separator: ", ") + "]"
            case 10: return "{" + (0..<rng.int(3)).map { _ in "\(rng.pick(Fuzz.fieldNames)): \(expr(d))" }.joined(separator: ", ") + "}"
            case 11, 12: return call(depth)
            case 13: return "\(expr(d)).\(rng.pick(Fuzz.fieldNames))"
            case 14: return "\(expr(d))[\(expr(d))]"
            case 15:
                let target = rng.pick(["anthropic", "colossus1", "r", expr(d)])
                return "\(target) with {\(rng.pick(Fuzz.fieldNames)): \(expr(d))}"
            default: return "\"s {\(expr(d))} t\""
            }
        }

        mutating func statements() -> String {
            var lines: [String] = []
            for i in 0..<(1 + rng.int(4)) {
                let depth = 1 + rng.int(4)
                switch rng.int(10) {
                case 0: lines.append("let v\(i) = \(expr(depth))")
                case 1:
                    lines.append("fn g\(i)(a, b) = \(expr(depth).replacingOccurrences(of: "x", with: "a"))")
                    lines.append("g\(i)(\(expr(depth)), b: \(expr(depth)))")
                case 2:
                    var fields = ["lessor: \"L\"", "lessee: \"T\"", "cluster: colossus1", "start: \(rng.pick(Fuzz.dates))",
                                  "end: \(rng.pick(Fuzz.dates))", "rate: \(rng.pick(Fuzz.money)) / \(rng.pick(["month", "year", "day", "h"]))",
                                  "share: \(rng.pick(["1%", "10%", "50%", "100%", "0%", "101%"]))"]
                    if rng.chance(0.5) { fields.append("discounts: [\(rng.pick(Fuzz.dates)): \(rng.pick(Fuzz.numbers))]") }
                    if rng.chance(0.5) { fields.append("escalation: \(rng.pick(Fuzz.numbers))") }
                    if rng.chance(0.5) { fields.append("notice: \(expr(1))") }
                    if rng.chance(0.3) { fields[rng.int(fields.count)] = "\(rng.pick(Fuzz.fieldNames)): \(expr(depth))" }
                    if rng.chance(0.2) { fields.remove(at: rng.int(fields.count)) }
                    lines.append("contract q\(i) { \(fields.joined(separator: "; ")) }")
                    lines.append("\(rng.pick(["total", "npv", "schedule", "months"]))(q\(i)\(rng.chance(0.5) ? ", 8%" : ""))")
                case 3:
                    lines.append("cluster k\(i) { power: \(expr(1)); gpus: \(expr(1)) }")
                case 4:
                    lines.append("fx \(rng.pick(Fuzz.money)) = \(rng.pick(Fuzz.numbers)) \(rng.pick(["KRW", "EUR", "CHF", "USD"]))")
                    lines.append("\(expr(depth)) -> \(rng.pick(Fuzz.unitTargets))")
                case 5:
                    lines.append("scenario sc\(i) { p: \(expr(depth)); samples: \(rng.pick(["10", "0", "-1", "1e300", "0.5"])) }")
                    lines.append("run sc\(i): \(expr(depth))")
                case 6: lines.append("print(\(expr(depth)), \(expr(depth)))")
                default: lines.append(expr(depth))
                }
            }
            return lines.joined(separator: rng.chance(0.2) ? "; " : "\n")
        }

        mutating func truncate() -> String {
            let bytes = Array(rng.pick(seeds).utf8)
            let cut = rng.int(bytes.count + 1)
            return String(decoding: bytes[..<cut], as: UTF8.self)
        }

        mutating func splice() -> String {
            let a = Array(rng.pick(seeds).utf8), b = Array(rng.pick(seeds).utf8)
            let i = rng.int(a.count + 1), j = rng.int(b.count + 1)
            return String(decoding: a[..<i] + b[j...], as: UTF8.self)
        }

        mutating func mutateBytes() -> String {
            var bytes = Array(rng.pick(seeds).utf8)
            for _ in 0..<(1 + rng.int(8)) {
                let at = rng.int(bytes.count + 1)
                switch rng.int(6) {
                case 0 where at < bytes.count: bytes[at] ^= UInt8(1 << rng.int(8))
                case 1 where at < bytes.count: bytes.remove(at: at)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                case 3: bytes.insert(rng.pick([0x80, 0xC2, 0xE2, 0xF0, 0xFF, 0xFE, 0xC0, 0xED]), at: at)
                case 4 where at < bytes.count:
                    let len = min(bytes.count - at, 1 + rng.int(40))
                    bytes.insert(contentsOf: bytes[at..<(at + len)], at: at)
                default:
                    bytes.insert(contentsOf: Array(rng.pick(Fuzz.symbols + Fuzz.junk).utf8), at: at)
                }
            }
            // A source file is text: invalid UTF-8 becomes U+FFFD, as a file read would make it.
            return String(decoding: bytes, as: UTF8.self)
        }

        mutating func mutateTokens() -> String {
            let text = rng.pick(seeds)
            let file = SourceFile(name: "seed", text: text)
            var lexer = Lexer(file: file)
            guard let tokens = try? lexer.tokenize() else { return text }
            var pieces = tokens.map { file.slice($0.span) }
            for _ in 0..<(1 + rng.int(5)) where !pieces.isEmpty {
                let at = rng.int(pieces.count)
                switch rng.int(5) {
                case 0: pieces[at] = rng.pick(vocabulary)
                case 1: pieces.remove(at: at)
                case 2: pieces.insert(rng.pick(vocabulary), at: at)
                case 3: pieces.insert(pieces[rng.int(pieces.count)], at: at)
                default: pieces.swapAt(at, rng.int(pieces.count))
                }
            }
            return pieces.joined(separator: " ")
        }

        mutating func extremeTemplate() -> String {
            let big = rng.pick(["1e300", "1e308", "-1e308", "1e12", "1e19", "9223372036854775807", "1e-300", "5e-324",
                                "(0/0)", "(1/0)", "(-1/0)", "0", "-0", "2147483648", "4294967296"])
            let t = rng.pick([
                "2 ^ B", "B * 10", "round(3.14159, B)", "xs[B]", "1 .. B", "0 .. 10 step B", "2026-05 + B days",
                "2026-05 + B months", "9999-12 + B months", "npv(anthropic, B)", "B MW -> kW", "$B / month * 1 year",
                "anthropic with {rate: $B / month}", "anthropic with {notice: B days}", "anthropic with {escalation: B}",
                "anthropic with {share: B}", "percentile(xs, B)", "paid(anthropic, B)", "fact(B)", "sqrt(B)",
                "exp(B)", "ln(B)", "floor(B)", "(1 MW) ^ B", "[1, 2, 3][B]", "\"{B}\"", "B -> %", "$B", "₩B",
                "B CHF", "B gpu * 1 h", "fx 1 USD = B KRW\n$1 -> KRW", "exposure(anthropic with {notice: B months}, at: 2026-06-01)",
                "npv(anthropic with {rate: $B / month}, B)", "min(B, 1)", "max([B, 1])", "sd([B, 1])", "mean([B, B])",
                "sum([$B, $B])", "abs(B) -> %", "print(B)", "double(B)", "2026-05-20 + (B) * 1 day",
            ])
            return t.replacingOccurrences(of: "B", with: big)
        }
    }

    // MARK: Running

    /// Runs one input in a fresh session; returns contract violations found
    /// (a trap ends the process instead).
    static func runOne(_ input: String, base: Session?, check: Bool, label: String) -> [String] {
        var o = (values: 0, errors: 0)
        return runOne(input, base: base, check: check, label: label, outcome: &o)
    }

    static func runOne(
        _ input: String, base: Session?, check: Bool, label: String, outcome: inout (values: Int, errors: Int)
    ) -> [String] {
        let render: @Sendable (OutputEvent) -> Void = { event in
            for f in OutputFormat.allCases { _ = f.render(event) }
        }
        let session = base.map { copy(of: $0, output: render) } ?? Session(output: render)
        let file = SourceFile(name: "fuzz.lease", text: input)
        var problems: [String] = []
        // A watchdog stops an evaluation that runs away (a huge scenario run, say),
        // as Ctrl-C would; such an input is reported by its time.
        let watchdog = DispatchWorkItem { [session] in session.interrupt.raise() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 10, execute: watchdog)
        defer { watchdog.cancel() }
        func inspect(_ d: Diagnostic, _ what: String) {
            _ = d.render(color: false)
            _ = d.render(color: true)
            if d.message.isEmpty { problems.append("\(label): \(what) gave an error with an empty message") }
            if let s = d.span, s.start < 0 || s.end > s.file.bytes.count {
                problems.append("\(label): \(what) gave a span \(s.start)..<\(s.end) outside its file of \(s.file.bytes.count) bytes: \(describe(input))")
            }
        }
        if let d = session.run(file) {
            outcome.errors += 1
            inspect(d, "run")
        } else {
            outcome.values += 1
        }
        if check {
            let checker = base.map { copy(of: $0, output: render) } ?? Session(output: render)
            for d in checker.check(file) { inspect(d, "check") }
            _ = checker.evaluate(input)
        }
        return problems
    }

    /// A short, escaped rendering of an input for messages.
    static func describe(_ s: String) -> String {
        let head = s.count > 300 ? String(s.prefix(300)) + "… (\(s.utf8.count) bytes)" : s
        return head.debugDescription
    }

    // MARK: Crash reporting

    nonisolated(unsafe) static var inflight: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: inflightCapacity)
        p.initialize(repeating: 0, count: inflightCapacity)
        return p
    }()
    nonisolated(unsafe) static var inflightLength = 0
    static let inflightCapacity = 4096
    static let inflightPath = FileManager.default.temporaryDirectory.appendingPathComponent("lease-fuzz-inflight.txt").path
    nonisolated(unsafe) static var handlersInstalled = false

    /// Records the input about to run, where a signal handler can print it.
    static func announce(label: String, input: String) {
        if !handlersInstalled {
            handlersInstalled = true
            for sig in [SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV] {
                signal(sig) { sig in
                    _ = write(2, Fuzz.inflight, Fuzz.inflightLength)
                    signal(sig, SIG_DFL)
                    raise(sig)
                }
            }
        }
        let message = "\n*** lease crash-resistance: the process died while running \(label)\n"
            + "*** rerun: LEASE_FUZZ_SEED=… LEASE_FUZZ_INDEX=… swift test --filter CrashResistance (values above)\n"
            + "*** input: \(describe(input))\n"
        let bytes = Array(message.utf8.prefix(inflightCapacity - 1))
        inflightLength = 0
        for (i, b) in bytes.enumerated() { inflight[i] = CChar(bitPattern: b) }
        inflightLength = bytes.count
        // Two system calls per input: cheap enough for tens of thousands.
        if inflightFile < 0 { inflightFile = open(inflightPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        if inflightFile >= 0 {
            let full = Array((message + "\nfull input:\n" + input).utf8)
            _ = ftruncate(inflightFile, 0)
            _ = full.withUnsafeBytes { pwrite(inflightFile, $0.baseAddress, $0.count, 0) }
        }
    }

    nonisolated(unsafe) static var inflightFile: Int32 = -1

    static func done() {
        inflightLength = 0
        if inflightFile >= 0 {
            close(inflightFile)
            inflightFile = -1
        }
        unlink(inflightPath)
    }
}

/// Finds and runs the built `lease` binary for inputs that would take this process down.
enum FuzzBinary {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func find() -> URL? {
        for p in [".build/release/lease", ".build/debug/lease", ".build-helper/debug/lease"] {
            let u = root.appendingPathComponent(p)
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return nil
    }

    struct Result {
        var status: Int32
        var reason: Process.TerminationReason
        var stderr: String
    }

    static func run(_ binary: URL, stdin text: String) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = ["-"]
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Drain both pipes while writing, so a full pipe cannot block either side.
        let group = DispatchGroup()
        let box = FuzzBox()
        DispatchQueue.global().async(group: group) { _ = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { box.data = err.fileHandleForReading.readDataToEndOfFile() }
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        p.waitUntilExit()
        group.wait()
        return Result(status: p.terminationStatus, reason: p.terminationReason, stderr: String(decoding: box.data, as: UTF8.self))
    }
}

final class FuzzBox: @unchecked Sendable {
    var data = Data()
}
