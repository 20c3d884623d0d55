import Foundation
import LeaseLanguage
import Testing

/// Soundness of the checker, differentially: over generated programs, when
/// `Session().check` finds no error, running the program must not fail with
/// a type or dimension error; only the value errors of LANGUAGE.md section 9
/// (list lengths, an index out of range, a month outside a term, an
/// over-committed cluster, …) may remain.
///
/// `LEASE_SOUNDNESS_PROGRAMS` sets the number of programs (default 4,000),
/// `LEASE_SOUNDNESS_SEED` the seed, `LEASE_SOUNDNESS_SHOW=N` prints program N.
@Suite("Checker soundness", .serialized)
struct CheckerSoundnessTests {
    static let count = Int(ProcessInfo.processInfo.environment["LEASE_SOUNDNESS_PROGRAMS"] ?? "") ?? 4_000
    static let seed = UInt64(ProcessInfo.processInfo.environment["LEASE_SOUNDNESS_SEED"] ?? "") ?? 0x5EED_0009

    /// What a run-time error says about the program.
    enum ErrorKind: Equatable { case value, typeOrDimension }

    /// The one place that decides whether a run-time error is one only values
    /// reveal (allowed after a clean check) or one the checker should have
    /// found. Anything not recognised as a value error counts against the
    /// checker, so a new kind of message is looked at rather than let through.
    static func classify(_ d: Diagnostic) -> ErrorKind {
        // A check or parse error from `run` after `check` passed: the two disagree.
        guard d.phase == .runtime else { return .typeOrDimension }
        let m = d.message.lowercased()
        let valueErrors = [
            "lists of different lengths", "out of range", "outside the term", "outside years",
            "% leased in", "empty list", "interrupted", "too many nested calls", "is before `start`",
            "discounts run from", "the percentile must be between", "no sign change", "no contract has",
            "division by zero", "divided by zero", "not finite", "too large", "overflow",
            "negative", "whole number", "not a number (nan)", "a date moves by whole",
            "the step of a range must be positive", "elements, more than",
        ]
        if valueErrors.contains(where: { m.contains($0) }) { return .value }
        return .typeOrDimension
    }

    /// A message with its numbers blanked, to count errors by kind.
    static func shape(_ m: String) -> String {
        m.replacingOccurrences(of: #"[0-9][0-9,._%-]*"#, with: "#", options: .regularExpression)
    }

    /// Unsound programs of a kind already reported: they are counted and
    /// shown as a known issue, so a new kind still fails the test.
    static func isKnown(_ f: Finding) -> Bool { f.program.contains("contracts(") }

    struct Finding: CustomStringConvertible {
        var index: Int
        var program: String
        var error: Diagnostic
        var description: String { "program #\(index):\n\(program)\n→ \(error.render(color: false))" }
    }

    @Test("when the checker accepts a generated program, running it raises no type or dimension error")
    func soundness() {
        var findings: [Finding] = []
        var accepted = 0, rejected = 0, ran = 0, valueErrors = 0
        var valueMessages: [String: Int] = [:]
        let show = ProcessInfo.processInfo.environment["LEASE_SOUNDNESS_SHOW"].flatMap { Int($0) }
        for i in 0..<Self.count {
            var mix = SplitMix64(seed: Self.seed ^ (UInt64(i) &* 0xD1B5_4A32_D192_ED03))
            var gen = TypedProgramGenerator(seed: mix.next())
            let program = gen.program()
            if show == i { print("program #\(i):\n\(program)") }
            let file = SourceFile(name: "gen\(i).lease", text: program)
            let diagnostics = Session().check([file])
            guard !diagnostics.contains(where: { $0.severity == .error }) else {
                rejected += 1
                continue
            }
            accepted += 1
            let error = Session().run(SourceFile(name: "gen\(i).lease", text: program))
            guard let error else {
                ran += 1
                continue
            }
            if Self.classify(error) == .value {
                valueErrors += 1
                valueMessages[Self.shape(error.message), default: 0] += 1
            } else {
                findings.append(Finding(index: i, program: program, error: error))
            }
        }
        print("lease soundness: \(Self.count) programs (seed \(Self.seed)): \(accepted) accepted (\(ran) ran clean, \(valueErrors) value errors), \(rejected) refused by the check, \(findings.count) unsound")
        for (m, n) in valueMessages.sorted(by: { $0.value > $1.value }) { print("  value error ×\(n): \(m)") }
        #expect(accepted >= Self.count / 4, "too few programs pass the check to test anything: \(accepted)")
        #expect(rejected >= Self.count / 10, "too few ill-typed programs: \(rejected)")
        let known = findings.filter(Self.isKnown)
        let new = findings.filter { !Self.isKnown($0) }
        #expect(new.isEmpty, "\(new.count) programs pass the check but fail with a type or dimension error at run time:\n\(new.prefix(15).map(\.description).joined(separator: "\n\n"))")
        if !known.isEmpty {
            print("lease soundness: \(known.count) unsound programs of known kinds")
            withKnownIssue("the contracts of `contracts(k)` have a rate of unknown type, so what is computed from them is not checked", isIntermittent: true) {
                Issue.record("\(known.count) programs using `contracts(k)[i]`, the first:\n\(known[0])")
            }
        }
    }

    @Test("the classification tells value errors from type errors")
    func classification() {
        func runtime(_ m: String) -> Diagnostic { Diagnostic(.runtime, m, at: nil) }
        #expect(Self.classify(runtime("lists of different lengths: 2 and 3")) == .value)
        #expect(Self.classify(runtime("index 5 is out of range for a list of 2")) == .value)
        #expect(Self.classify(runtime("cluster k would be 120% leased in 2027-01: a (60%), b (60%)")) == .value)
        #expect(Self.classify(runtime("cannot add USD and power")) == .typeOrDimension)
        #expect(Self.classify(runtime("no exchange rate from USD to KRW")) == .typeOrDimension)
        #expect(Self.classify(runtime("a contract has no field `rat`")) == .typeOrDimension)
        #expect(Self.classify(Diagnostic(.check, "lists of different lengths", at: nil)) == .typeOrDimension)
    }

    @Test("the generator is deterministic and writes both kinds of program")
    func generatorDeterministic() {
        var a = TypedProgramGenerator(seed: 42), b = TypedProgramGenerator(seed: 42)
        #expect(a.program() == b.program())
    }

    /// The crash-resistance corpus through the checker alone: every input
    /// ends in a list of diagnostics, never a crash or a hang.
    @Test("the crash-resistance inputs go through the checker")
    func crashCorpusThroughChecker() {
        var slow: [String] = []
        let clock = ContinuousClock()
        let count = Int(ProcessInfo.processInfo.environment["LEASE_FUZZ_CHECK_COUNT"] ?? "") ?? 3_000
        var inputs: [String] = Fuzz.extremes.filter { $0.utf8.count < 100_000 }
        for i in 0..<count {
            var gen = Fuzz.Generator(seed: Fuzz.defaultSeed, index: i, seeds: Fuzz.seeds)
            let (_, input, prelude) = gen.input()
            inputs.append(prelude ? Fuzz.preludeText + input : input)
        }
        var diagnostics = 0
        for (i, input) in inputs.enumerated() {
            let t0 = clock.now
            let ds = Session().check([SourceFile(name: "fuzz\(i).lease", text: input)])
            diagnostics += ds.count
            for d in ds where d.span == nil && d.phase != .parse {
                slow.append("input #\(i): a diagnostic without a place: \(d.message)")
            }
            let took = clock.now - t0
            if took > .seconds(5) { slow.append("input #\(i): check took \(took)") }
        }
        print("lease fuzz through the checker: \(inputs.count) inputs, \(diagnostics) diagnostics")
        #expect(slow.isEmpty, "\(slow.prefix(20).joined(separator: "\n"))")
    }
}

/// Writes small programs mixing dimensions, functions, `if`, lists, records,
/// contracts, conversions, exchange rates and queries. Each expression is
/// written for a type; now and then an operand of another type is slipped in,
/// so a good share of the programs are ill-typed.
struct TypedProgramGenerator {
    enum K: CaseIterable { case num, pct, usd, eur, power, time, date, day, bool, str, listUSD, listNum, record, contract, cluster }

    var rng: SplitMix64
    /// Names bound so far, by kind.
    var bound: [K: [String]] = [:]
    var functions: [(name: String, arity: Int)] = []
    var hasFX = false
    var counter = 0
    /// How often an operand of a wrong kind is slipped in.
    var wrong = 0.06

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func fresh(_ p: String) -> String {
        counter += 1
        return "\(p)\(counter)"
    }

    mutating func program() -> String {
        wrong = rng.pick([0.0, 0.02, 0.05, 0.1])
        var lines: [String] = []
        lines.append("cluster k1 { owner: \"xAI\"; site: \"Memphis, TN\"; power: \(rng.int(1...9) * 100) MW; gpus: \(rng.int(1...300))_000 gpu }")
        let sy = rng.int(2026...2028), sm = rng.int(1...12), n = rng.int(3...40)
        let start = sy * 12 + sm - 1, last = start + n - 1
        let month = { (i: Int) in String(format: "%04d-%02d", i / 12, i % 12 + 1) }
        var c = "contract c1 { lessor: \"xAI\"; lessee: \"Anthropic\"; cluster: k1; start: \(month(start)); end: \(month(last)); rate: \(rateText())"
        if rng.chance(0.4) { c += "; discounts: [\(month(start)): \(rng.pick([10, 50, 100]))%]" }
        if rng.chance(0.4) { c += "; escalation: \(rng.pick(["3%", "5%", "0%"]))" }
        if rng.chance(0.6) { c += "; notice: \(rng.int(0...180)) days" }
        c += " }"
        lines.append(c)
        bound[.contract] = ["c1"]
        bound[.cluster] = ["k1"]
        if rng.chance(0.3) {
            lines.append("fx 1 USD = \(rng.pick(["0.9", "0.92", "1.1"])) EUR")
            hasFX = true
        }
        for _ in 0..<rng.int(3...9) {
            switch rng.int(0...9) {
            case 0, 1, 2:
                let k = rng.pick(Self.bindable)
                let name = fresh("v")
                lines.append("let \(name) = \(expr(k, 3))")
                bound[k, default: []].append(name)
            case 3:
                lines.append(function())
            case 4:
                if !hasFX, rng.chance(0.5) {
                    lines.append("fx 1 USD = 0.9 EUR")
                    hasFX = true
                } else {
                    lines.append(expr(rng.pick(K.allCases), 3))
                }
            case 5:
                if rng.chance(0.3) {
                    let name = fresh("g")
                    let hi = rng.int(2...5)
                    let axis = rng.pick(["0% .. 50% step 10%", "[1, 2, 3]", "1 .. \(hi)"])
                    lines.append("scenario \(name) { p: \(axis) }")
                    let body = rng.chance(0.5) ? "p * \(expr(.usd, 1))" : "{a: p * \(expr(.power, 1)), b: p}"
                    let r = fresh("r")
                    lines.append("let \(r) = run \(name): \(body)")
                    lines.append("\(r).\(rng.pick(["mean", "p95", "n", "max", "min", "sd", "p50", "median"]))\(rng.chance(0.3) ? "" : "")")
                } else {
                    lines.append(expr(rng.pick(K.allCases), 4))
                }
            default:
                lines.append(expr(rng.pick(K.allCases), 4))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let bindable: [K] = [.num, .pct, .usd, .eur, .power, .time, .date, .day, .bool, .str, .listUSD, .listNum, .record]

    mutating func rateText() -> String {
        rng.pick(["$\(rng.int(1...20) * 100)M / month", "$\(rng.int(1...20))B / year", "€\(rng.int(1...9) * 100)M / month"])
    }

    /// A function declaration; calls to it appear in later expressions.
    mutating func function() -> String {
        let name = fresh("f")
        let body: String
        let arity: Int
        switch rng.int(0...5) {
        case 0:
            body = "fn \(name)(x) = x * 2"; arity = 1
        case 1:
            body = "fn \(name)(x) = x + \(rng.pick(["300 MW", "$1B", "90 days", "1"]))"; arity = 1
        case 2:
            body = "fn \(name)(a, b) = if a > b then a else b"; arity = 2
        case 3:
            body = "fn \(name)(n) = if n <= 0 then \(rng.pick(["0", "$0", "0 MW"])) else \(rng.pick(["1", "$1B", "100 MW"])) + \(name)(n - 1)"; arity = 1
        case 4:
            body = "fn \(name)(x) = x -> \(rng.pick(["MW", "USD", "EUR", "days", "%"]))"; arity = 1
        default:
            body = "fn \(name)(k, r) = npv(k, r)"; arity = 2
        }
        functions.append((name, arity))
        return body
    }

    mutating func kind(_ k: K) -> K { rng.chance(wrong) ? rng.pick(K.allCases) : k }

    mutating func leaf(_ k: K) -> String {
        if let names = bound[k], !names.isEmpty, rng.chance(0.4) { return rng.pick(names) }
        switch k {
        case .num: return rng.pick(["1", "2", "3.5", "12", "0.5", "1_000"])
        case .pct: return rng.pick(["8%", "50%", "3%", "0%", "100%"])
        case .usd: return rng.pick(["$1B", "$1.25B", "$300M", "$7.78", "$0"])
        case .eur: return rng.pick(["€3M", "€1B", "3 EUR"])
        case .power: return rng.pick(["300 MW", "1 GW", "50 kW"])
        case .time: return rng.pick(["90 days", "1 month", "2 years", "3 h", "1 week"])
        case .date: return rng.pick(["2026-05", "2027-01", "2028-12", "2026-09"])
        case .day: return rng.pick(["2026-05-20", "2026-09-01", "2027-02-28"])
        case .bool: return rng.pick(["true", "false"])
        case .str: return rng.pick(["\"xAI\"", "\"Memphis, TN\"", "\"a{1 + 1}b\""])
        case .listUSD: return rng.pick(["[$1B, $2B, $3B]", "[1, 2, 3] * $1B", "[$1M]"])
        case .listNum: return rng.pick(["[1, 2, 3]", "1 .. 4", "[0.5, 2]"])
        case .record: return rng.pick(["{low: $40B, high: $46B}", "{p: 300 MW, n: 3}"])
        case .contract: return "c1"
        case .cluster: return "k1"
        }
    }

    mutating func expr(_ k0: K, _ depth: Int) -> String {
        let k = kind(k0)
        if depth <= 0 || rng.chance(0.25) { return leaf(k) }
        let d = depth - 1
        switch k {
        case .num:
            switch rng.int(0...9) {
            case 0: return "\(expr(.num, d)) \(rng.pick(["+", "-", "*"])) \(expr(.num, d))"
            case 1: return "\(expr(.usd, d)) / \(expr(.usd, d))"
            case 2: return "months(\(expr(.contract, d)))"
            case 3: return "count(\(expr(.listUSD, d)))"
            case 4: return "\(expr(.listNum, d))[\(rng.int(0...3))]"
            case 5: return "\(expr(.time, d)) / 1 day"
            case 6: return "if \(expr(.bool, d)) then \(expr(.num, d)) else \(expr(.num, d))"
            case 7: return "year(\(expr(.date, d)))"
            case 8: return callFunction(.num, d)
            default: return "round(\(expr(.num, d)), 2)"
            }
        case .pct:
            switch rng.int(0...3) {
            case 0: return "\(expr(.pct, d)) / 2"
            case 1: return "\(expr(.pct, d)) + \(expr(.pct, d))"
            default: return leaf(.pct)
            }
        case .usd:
            switch rng.int(0...16) {
            case 0: return "\(expr(.usd, d)) \(rng.pick(["+", "-"])) \(expr(.usd, d))"
            case 1: return "\(expr(.usd, d)) * \(expr(.num, d))"
            case 2: return "total(\(expr(.contract, d)))"
            case 3: return "payment(\(expr(.contract, d)), \(expr(.date, d)))"
            case 4: return "npv(\(expr(.contract, d)), \(expr(.pct, d)))"
            case 5: return "exposure(\(expr(.contract, d)), at: \(expr(.day, d)))"
            case 6: return "paid(\(expr(.contract, d)), \(rng.int(2026...2030)))"
            case 7: return "sum(\(expr(.listUSD, d)))"
            case 8: return "\(expr(.listUSD, d))[\(rng.int(-1...3))]"
            case 9: return "\(expr(.contract, d)).rate * \(expr(.time, d))"
            case 10: return "if \(expr(.bool, d)) then \(expr(.usd, d)) else \(expr(.usd, d))"
            case 11: return "(\(expr(.eur, d))) -> USD"
            case 12: return "{low: \(expr(.usd, d)), high: \(expr(.usd, d))}.\(rng.pick(["low", "high", "high", "mid"]))"
            case 13: return callFunction(.usd, d)
            case 14: return "max(\(expr(.usd, d)), \(expr(.usd, d)))"
            case 15: return "schedule(\(expr(.contract, d)))[\(rng.int(0...2))].\(rng.pick(["payment", "cumulative", "month"]))"
            default: return "remaining(\(expr(.contract, d)), at: \(expr(.date, d)))"
            }
        case .eur:
            switch rng.int(0...3) {
            case 0: return "\(expr(.usd, d)) -> EUR"
            case 1: return "\(expr(.eur, d)) * \(expr(.num, d))"
            default: return leaf(.eur)
            }
        case .power:
            switch rng.int(0...6) {
            case 0: return "\(expr(.power, d)) + \(expr(.power, d))"
            case 1: return "\(expr(.cluster, d)).power"
            case 2: return "\(expr(.contract, d)).power"
            case 3: return "capacity(\(expr(.cluster, d)), at: \(expr(.date, d))).free_power"
            case 4: return "(\(expr(.power, d))) -> \(rng.pick(["MW", "GW", "kW", "h"]))"
            case 5: return callFunction(.power, d)
            default: return "\(expr(.power, d)) * \(expr(.num, d))"
            }
        case .time:
            switch rng.int(0...4) {
            case 0: return "\(expr(.time, d)) + \(expr(.time, d))"
            case 1: return "\(expr(.contract, d)).notice"
            case 2: return "(\(expr(.time, d))) -> \(rng.pick(["days", "h", "months", "MW"]))"
            default: return "\(expr(.time, d)) * \(expr(.num, d))"
            }
        case .date:
            switch rng.int(0...3) {
            case 0: return "\(expr(.date, d)) + \(rng.int(1...12)) months"
            case 1: return "\(expr(.contract, d)).\(rng.pick(["start", "end"]))"
            default: return leaf(.date)
            }
        case .day:
            return rng.chance(0.5) ? "\(expr(.day, d)) + \(expr(.time, d))" : leaf(.day)
        case .bool:
            switch rng.int(0...3) {
            case 0:
                let t = rng.pick([K.usd, .power, .num, .date])
                return "\(expr(t, d)) \(rng.pick(["<", ">", "==", "!=", "<="])) \(expr(t, d))"
            case 1: return "\(expr(.bool, d)) \(rng.pick(["and", "or"])) \(expr(.bool, d))"
            case 2: return "not \(expr(.bool, d))"
            default: return leaf(.bool)
            }
        case .str:
            return rng.chance(0.5) ? "\"v: {\(expr(rng.pick([K.usd, .power, .num]), d))}\"" : leaf(.str)
        case .listUSD:
            switch rng.int(0...3) {
            case 0: return "[\(expr(.usd, d)), \(expr(.usd, d))]"
            case 1: return "\(expr(.listNum, d)) * \(expr(.usd, d))"
            case 2: return "\(expr(.listUSD, d)) + \(expr(.listUSD, d))"
            default: return leaf(.listUSD)
            }
        case .listNum:
            switch rng.int(0...2) {
            case 0: return "[\(expr(.num, d)), \(expr(.num, d)), \(expr(.num, d))]"
            case 1: return "\(expr(.listNum, d)) * \(expr(.num, d))"
            default: return leaf(.listNum)
            }
        case .record:
            return "{a: \(expr(.usd, d)), b: \(expr(.power, d))}"
        case .contract:
            switch rng.int(0...3) {
            case 0: return "\(expr(.contract, d)) with {rate: \(rng.chance(0.8) ? rateText() : expr(.usd, d))}"
            case 1: return "terminate(\(expr(.contract, d)), notice_on: \(expr(.day, d)))"
            case 2: return rng.chance(0.5) ? "contracts(\(expr(.cluster, d)))[0]" : "c1"
            default: return "c1"
            }
        case .cluster:
            return "k1"
        }
    }

    /// A call to a declared function with arguments of the kind wanted (or not).
    mutating func callFunction(_ k: K, _ d: Int) -> String {
        guard !functions.isEmpty else { return leaf(k) }
        let f = rng.pick(functions)
        if f.arity == 1 { return "\(f.name)(\(expr(k, d)))" }
        if rng.chance(0.5) { return "\(f.name)(\(expr(.contract, d)), \(expr(.pct, d)))" }
        return "\(f.name)(\(expr(k, d)), \(expr(k, d)))"
    }
}
