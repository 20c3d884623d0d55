import Foundation
import LeaseCore
import LeaseLanguage
import Testing

/// The scalar evaluator: broadcasting, dates, fx, the model queries and
/// errors with spans (LANGUAGE.md sections 2–5).
@Suite("Evaluator")
struct EvaluatorTests {
    static let colossus = Fixtures.colossus

    // MARK: The running example

    @Test("the Colossus example of LANGUAGE.md", arguments: [
        ("months(anthropic)", "37"),
        ("total(anthropic)", "$45B"),
        ("anthropic.rate / anthropic.gpus -> $/gpu/h", "$7.78/gpu/h"),
        ("exposure(anthropic, at: 2026-09-01)", "$3.75B"),
        ("npv(anthropic, 8%)", "$40.058B"),
        ("anthropic.months", "37"),
        ("anthropic.gpus", "220,000 gpus"),
        ("anthropic.power", "300 MW"),
        ("payment(anthropic, 2026-05)", "$625M"),
        ("payment(anthropic, 2026-07)", "$1.25B"),
        ("payment(anthropic, 2029-06)", "$0.00"),
        ("paid(anthropic, 2027)", "$15B"),
        ("paid(anthropic, 2026-05, 2026-07)", "$2.5B"),
        ("remaining(anthropic, at: 2029-01)", "$6.25B"),
        ("terminate(anthropic, notice_on: 2026-09-01).end", "2026-11-30"),
        ("months(terminate(anthropic, notice_on: 2026-09-01))", "7"),
        ("total(terminate(anthropic, notice_on: 2029-04-01))", "$45B"),
        ("contracts(colossus1)", "[anthropic]"),
        ("revenue(\"xAI\", 2027)", "$15B"),
        ("spend(\"Anthropic\", 2026)", "$8.75B"),
        ("capacity(colossus1, at: 2026-07).free_power", "0 MW"),
        ("capacity(colossus1, at: 2030-01).free_gpus", "220,000 gpus"),
        ("total(anthropic with {rate: $1B / month})", "$36B"),
        ("anthropic.rate * 37 months", "$46.25B"),
        ("npv(anthropic, 0%) == total(anthropic)", "true"),
    ])
    func colossus(source: String, expected: String) {
        #expect(EvaluatorTests.show(source, prelude: EvaluatorTests.colossus) == expected)
    }

    @Test("the Colossus script prints exactly its five expression statements")
    func colossusScript() {
        let script = EvaluatorTests.colossus + """

            months(anthropic)                      # 37
            total(anthropic)                       # $45B
            anthropic.rate / anthropic.gpus -> $/gpu/h   # $7.78/gpu/h
            exposure(anthropic, at: 2026-09-01)    # what Anthropic owes if it gives notice that day
            npv(anthropic, 8%)                     # present value at 8 %/year
            """
        let (lines, error) = EvaluatorTests.run(script)
        #expect(error == nil)
        #expect(lines == ["37", "$45B", "$7.78/gpu/h", "$3.75B", "$40.058B"])
    }

    @Test("a terminated last month is billed by day: E.day / days_in_month(E)")
    func partialMonth() {
        // Notice on 2026-09-16 + 90 days = 2026-12-15: December billed 15/31.
        let prelude = EvaluatorTests.colossus
        #expect(EvaluatorTests.show("terminate(anthropic, notice_on: 2026-09-16).end", prelude: prelude) == "2026-12-15")
        let pay = EvaluatorTests.number("payment(terminate(anthropic, notice_on: 2026-09-16), 2026-12)", prelude: prelude)
        // An amount due: 1.25e9 × 15/31 = 604,838,709.677…, rounded to the cent.
        #expect(pay == 604_838_709.68)
        #expect(EvaluatorTests.show("months(terminate(anthropic, notice_on: 2026-09-16))", prelude: prelude) == "8")
    }

    @Test("escalation applies on each anniversary of start")
    func escalation() {
        let prelude = """
            cluster k { power: 300 MW; gpus: 1000 gpu }
            contract c { lessor: "a"; lessee: "b"; cluster: k; start: 2026-07; end: 2029-05; rate: $500M / month; escalation: 3%; discounts: [2026-07: 30%] }
            """
        #expect(EvaluatorTests.show("payment(c, 2026-07)", prelude: prelude) == "$350M")
        #expect(EvaluatorTests.show("payment(c, 2027-06)", prelude: prelude) == "$500M")
        #expect(EvaluatorTests.show("payment(c, 2027-07)", prelude: prelude) == "$515M")
        #expect(abs((EvaluatorTests.number("payment(c, 2028-07)", prelude: prelude) ?? 0) - 500e6 * 1.03 * 1.03) < 1e-3)
    }

    @Test("a whole-dollar monthly rate pays exactly that amount each month")
    func exactPayments() {
        let prelude = """
            cluster k { power: 300 MW; gpus: 1000 gpu }
            contract c { lessor: "a"; lessee: "b"; cluster: k; start: 2026-05; end: 2026-07; rate: $1M / month }
            """
        // payment = rate × 1 month: `$1M/month` for one month is exactly $1M, as `$1M / month * 1 month` is.
        #expect(EvaluatorTests.show("$1M / month * 1 month == $1M") == "true")
        #expect(EvaluatorTests.show("payment(c, 2026-05) == $1M", prelude: prelude) == "true")
        #expect(EvaluatorTests.show("total(c) == $3M", prelude: prelude) == "true")
    }

    // MARK: Broadcasting

    @Test("lists are vectors: elementwise with scalars broadcast", arguments: [
        ("[1, 2, 3] * $1B", "[$1B, $2B, $3B]"),
        ("[1, 2] + [10, 20]", "[11, 22]"),
        ("10 - [1, 2]", "[9, 8]"),
        ("-[1, 2]", "[-1, -2]"),
        ("[1, 2, 3] > 2", "[false, false, true]"),
        ("[1, 2] == [1, 3]", "[true, false]"),
        ("if [true, false] then 1 else 2", "[1, 2]"),
        ("if [1, 2] > 1 then [10, 20] else 0", "[0, 20]"),
        ("not [true, false]", "[false, true]"),
        ("[true, false] and true", "[true, false]"),
        ("round([1.234, 5.678], 1)", "[1.2, 5.7]"),
        ("sqrt([4, 9])", "[2, 3]"),
        ("abs([-1 MW, 2 MW])", "[1 MW, 2 MW]"),
        ("month([2026-05, 2027-01])", "[5, 1]"),
        ("[2026-05, 2026-06] + 1 month", "[2026-06, 2026-07]"),
        ("[1, 2] * [3 MW, 4 MW]", "[3 MW, 8 MW]"),
        ("[1 h, 2 h] -> min", "[60 min, 120 min]"),
        ("2 ^ [1, 2, 3]", "[2, 4, 8]"),
    ])
    func broadcasting(source: String, expected: String) {
        #expect(EvaluatorTests.show(source) == expected)
    }

    @Test("model queries accept lists elementwise", arguments: [
        ("payment(anthropic, 2026-05 .. 2026-08)", "[$625M, $625M, $1.25B, $1.25B]"),
        ("exposure(anthropic, at: [2026-09-01, 2029-05-01])", "[$3.75B, $1.25B]"),
        ("months([anthropic, anthropic with {end: 2026-12}])", "[37, 8]"),
    ])
    func queriesBroadcast(source: String, expected: String) {
        #expect(EvaluatorTests.show(source, prelude: EvaluatorTests.colossus) == expected)
    }

    @Test("lists of different lengths are an error", arguments: ["[1, 2] + [1, 2, 3]", "if [true] then [1, 2] else 0", "round([1, 2], [1, 2, 3])"])
    func differentLengths(source: String) {
        let d = EvaluatorTests.error(source)
        #expect(d?.message.contains("different lengths") == true, "\(String(describing: d))")
    }

    @Test("lists hold elements of one type")
    func homogeneous() {
        #expect(EvaluatorTests.error("[1, \"a\"]") != nil)
        #expect(EvaluatorTests.error("[1 MW, $1]")?.message.contains("dimension") == true)
        #expect(EvaluatorTests.show("[2026-05, 2026-05-20]") == "[2026-05, 2026-05-20]")
    }

    @Test("aggregates", arguments: [
        ("sum([1, 2, 3] * $1B)", "$6B"), ("mean([1, 2, 3])", "2"), ("min([3, 1, 2])", "1"), ("max([3, 1, 2])", "3"),
        ("count([1, 2, 3])", "3"), ("percentile([1, 2, 3, 4], 50%)", "2.5"), ("percentile([1, 2, 3, 4], 100%)", "4"),
        ("percentile([10, 20], 25%)", "12.5"), ("sd([5, 5, 5])", "0"), ("min(1 MW, 500 kW)", "0.5 MW"),
        ("max(2026-05, 2027-01)", "2027-01"), ("sum([1 h, 30 min])", "1.5 h"), ("sum([])", "0"),
    ])
    func aggregates(source: String, expected: String) {
        #expect(EvaluatorTests.show(source) == expected)
    }

    @Test("ranges", arguments: [
        ("2026-05 .. 2026-08", "[2026-05, 2026-06, 2026-07, 2026-08]"),
        ("0% .. 60% step 10%", "[0%, 10%, 20%, 30%, 40%, 50%, 60%]"),
        ("1 .. 4", "[1, 2, 3, 4]"),
        ("count(0% .. 60% step 10%)", "7"),
        ("count(2026-06-01 .. 2029-02-01 step 1 day)", "977"),
        ("2026-05-30 .. 2026-06-02", "[2026-05-30, 2026-05-31, 2026-06-01, 2026-06-02]"),
        ("2026-01 .. 2026-12 step 3 months", "[2026-01, 2026-04, 2026-07, 2026-10]"),
        ("5 .. 1", "[]"),
        ("1 MW .. 3 MW", "[1 MW, 2 MW, 3 MW]"),
        ("$1B .. $2B step $500M", "[$1B, $1.5B, $2B]"),
    ])
    func ranges(source: String, expected: String) {
        #expect(EvaluatorTests.show(source) == expected)
    }

    @Test("date ranges reach the last representable day")
    func rangeAtCalendarEnd() {
        #expect(EvaluatorTests.show("9999-12-30 .. 9999-12-31") == "[9999-12-30, 9999-12-31]")
        #expect(EvaluatorTests.show("9999-11 .. 9999-12") == "[9999-11, 9999-12]")
    }

    // MARK: Dates

    @Test("date arithmetic", arguments: [
        ("2026-05-20 + 90 days", "2026-08-18"),
        ("2026-05 + 3 months", "2026-08"),
        ("2026-01-31 + 1 month", "2026-02-28"),
        ("2024-01-31 + 1 month", "2024-02-29"),
        ("2024-02-29 + 1 year", "2025-02-28"),
        ("2026-05-20 - 20 days", "2026-04-30"),
        ("2026-08-18 - 2026-05-20", "90 days"),
        ("2027-01-01 - 2026-01-01", "365 days"),
        ("2026-05-20 + 1 week", "2026-05-27"),
        ("2026-05-20 + 48 h", "2026-05-22"),
        ("year(2026-05-20) == 2026", "true"), ("month(2026-05-20)", "5"), ("day(2026-05-20)", "20"),
        ("days_in_month(2028-02)", "29"), ("days_in_month(2026-02)", "28"), ("days_in_month(2026-04-10)", "30"),
        ("2026-05 < 2026-06", "true"), ("2026-05-20 >= 2026-05-20", "true"), ("2026 - 05", "2,021"),
        ("90 days + 2026-05-20", "2026-08-18"),
    ])
    func dates(source: String, expected: String) {
        #expect(EvaluatorTests.show(source) == expected)
    }

    @Test("date errors", arguments: [
        ("2026-05 + 1", "days"), ("2026-05-20 + 1.5 days", "whole days"), ("2026-05 + 1.5 months", "whole months"),
        ("9999-12 + 1 month", "9999"), ("0001-01-01 - 1 day", "9999"), ("2026-05 * 2", "month"), ("2026-05 + 1 MW", "duration"),
    ])
    func dateErrors(source: String, text: String) {
        let d = EvaluatorTests.error(source)
        let all = (d?.message ?? "") + " " + (d?.help ?? "")
        #expect(d != nil && all.contains(text), "\(source): \(all)")
    }

    // MARK: fx

    @Test("currencies convert through declared rates")
    func fx() {
        let (lines, error) = EvaluatorTests.run("""
            fx 1 USD = 1500 KRW
            $45B -> KRW
            1.87T KRW -> USD
            fx 1 EUR = 1.1 USD
            €1M -> KRW
            [$1M, $2M] -> KRW
            """)
        #expect(error == nil)
        #expect(lines == ["₩67.5T", "$1.247B", "₩1.65B", "[₩1.5B, ₩3B]"])
    }

    @Test("a redeclared rate replaces the old one")
    func fxRedeclared() {
        let (lines, _) = EvaluatorTests.run("fx 1 USD = 1500 KRW\nfx 1 USD = 1000 KRW\n$1M -> KRW\nfx 1 KRW = 0.002 USD\n$1M -> KRW")
        #expect(lines == ["₩1B", "₩500M"])
    }

    @Test("fx errors", arguments: [
        ("fx 1 USD = 0 KRW", "positive"), ("fx 1 USD = 1 USD", "different"), ("fx 1 MW = 1 KRW", "currency"),
        ("fx 1 USD = -5 KRW", "positive"),
    ])
    func fxErrors(source: String, text: String) {
        let d = Session().run(SourceFile(name: "t", text: source))
        #expect(d?.message.contains(text) == true, "\(String(describing: d))")
    }

    @Test("without a rate the error says how to declare one")
    func noRate() {
        let d = EvaluatorTests.error("€3M -> USD")
        let all = (d?.message ?? "") + " " + (d?.help ?? "")
        #expect(all.contains("fx 1 EUR"), "\(all)")
    }

    // MARK: Statements

    @Test("only expression statements print")
    func onlyExpressionsPrint() {
        let (lines, error) = EvaluatorTests.run("""
            let x = 1
            fn f(a, b) = a * b
            fx 1 USD = 1500 KRW
            cluster k { power: 1 MW; gpus: 1 gpu }
            scenario sc { p: 1 .. 3 }
            x
            f(2, b: 3)
            """)
        #expect(error == nil)
        #expect(lines == ["1", "6"])
    }

    @Test("print writes its arguments on one line, and nothing else")
    func printStatement() {
        let (lines, error) = EvaluatorTests.run("print(\"total:\", $45B, 2026-05)")
        #expect(error == nil)
        #expect(lines == ["total: $45B 2026-05"])
    }

    @Test("rebinding a name replaces it")
    func rebinding() {
        let (lines, _) = EvaluatorTests.run("let x = 1\nlet x = x + 1\nx")
        #expect(lines == ["2"])
    }

    @Test("functions: positional and named arguments, recursion")
    func functions() {
        let (lines, error) = EvaluatorTests.run("""
            fn f(a, b) = a - b
            f(10, 3); f(b: 3, a: 10); f(10, b: 3)
            fn fact(n) = if n <= 1 then 1 else n * fact(n - 1)
            fact(10)
            fn rate_per_gpu(r, g) = r / g -> $/gpu/h
            rate_per_gpu($1.25B / month, 220_000 gpu)
            """)
        #expect(error == nil)
        #expect(lines == ["7", "7", "7", "3,628,800", "$7.78/gpu/h"])
    }

    @Test("runaway recursion is an error")
    func runawayRecursion() {
        let d = Session().run(SourceFile(name: "t", text: "fn f(n) = if n < 0 then 0 else f(n + 1)\nf(1)"))
        #expect(d?.message.contains("nested calls") == true, "\(String(describing: d))")
        #expect(d?.phase == .runtime)
    }

    @Test("a declaration is checked whole, and a rejected one leaves the model as it was")
    func rejectedDeclaration() {
        let session = Session()
        #expect(session.run(SourceFile(name: "t", text: EvaluatorTests.colossus)) == nil)
        let before = session.model
        for bad in [
            "contract b { lessor: \"a\"; lessee: \"b\"; cluster: colossus1; share: 10%; start: 2027-01; end: 2027-06; rate: $1M / month }",
            "contract b { lessor: \"a\"; lessee: \"b\"; cluster: colossus1; start: 2030-01; end: 2029-06; rate: $1M / month }",
            "contract b { lessor: \"a\"; lessee: \"b\"; cluster: colossus1; start: 2030-01; end: 2030-06; rate: 300 MW }",
            "contract b { lessor: \"a\"; cluster: colossus1; start: 2030-01; end: 2030-06; rate: $1M / month }",
            "cluster colossus1 { power: -1 MW; gpus: 1 gpu }",
        ] {
            let d = session.run(SourceFile(name: "bad", text: bad))
            #expect(d != nil, "should be refused: \(bad)")
            #expect(session.model == before, "the model changed after: \(bad)")
        }
    }

    @Test("over-commitment names the month and the contracts")
    func overCommitment() {
        let session = Session()
        #expect(session.run(SourceFile(name: "t", text: EvaluatorTests.colossus)) == nil)
        let d = session.run(SourceFile(name: "b", text: """
            contract b { lessor: "a"; lessee: "b"; cluster: colossus1; share: 10%; start: 2027-01; end: 2027-06; rate: $1M / month }
            """))
        #expect(d?.message.contains("2027-01") == true, "\(String(describing: d))")
        #expect(d?.message.contains("anthropic") == true)
    }

    // MARK: Errors carry spans

    @Test("errors carry spans", arguments: [
        ("let x = 1\nx + foo", 2, 5, "foo"),
        ("$1B + 300 MW", 1, 1, "$1B + 300 MW"),
        ("[1, 2][5]", 1, 8, "5"),
        ("1\n2\n  sqrt(1 MW)", 3, 8, "1 MW"),
        ("totl(1)", 1, 1, "totl"),
        ("\"a {1 + $1}\"", 1, 5, "1 + $1"),
        ("let a = 2026-05\na + 1", 2, 5, "1"),
    ])
    func spans(source: String, line: Int, column: Int, slice: String) throws {
        let d = try #require(Session().run(SourceFile(name: "t.lease", text: source)))
        let span = try #require(d.span)
        #expect(span.location.line == line && span.location.column == column, "\(d)")
        #expect(span.file.slice(span).hasPrefix(slice) || span.file.slice(span) == slice, "\(span.file.slice(span))")
        #expect(d.render(color: false).hasPrefix("t.lease:\(line):\(column): error:"))
    }

    @Test("a field error points at the field's value")
    func fieldSpan() throws {
        let source = "cluster k { power: 1 MW; gpus: 1 gpu }\ncontract c { lessor: \"a\"; lessee: \"b\"; cluster: k; start: 2026-05; end: 2026-06; rate: 300 MW }"
        let d = try #require(Session().run(SourceFile(name: "t", text: source)))
        let span = try #require(d.span)
        #expect(span.file.slice(span) == "300 MW", "\(d)")
        #expect(d.message.contains("rate"))
    }

    @Test("did-you-mean hints", arguments: [
        ("totl(1)", "total"), ("anthropic.rat", "rate"), ("antropic", "anthropic"), ("colosus1", "colossus1"),
    ])
    func suggestions(source: String, suggestion: String) {
        let session = Session()
        _ = session.run(SourceFile(name: "p", text: EvaluatorTests.colossus))
        let d = session.run(SourceFile(name: "t", text: source))
        #expect(d?.help?.contains("`\(suggestion)`") == true, "\(String(describing: d))")
    }

    @Test("a script stops at its first error, with everything before it done")
    func stopsAtFirstError() {
        let (lines, error) = EvaluatorTests.run("1\nlet y = 2\n[1, 2][5]\n3")
        #expect(lines == ["1"])
        #expect(error?.span?.location.line == 3)
        let session = Session()
        _ = session.run(SourceFile(name: "t", text: "let y = 2\n[1, 2][5]\nlet z = 3"))
        #expect(session.globals["y"] != nil)
        #expect(session.globals["z"] == nil)
    }

    @Test("errors have phases: parse, check, runtime", arguments: [
        ("1 +", Diagnostic.Phase.parse), ("nosuch + 1", .check), ("$1 + 1 MW", .check), ("[1, 2][5]", .runtime),
    ])
    func phases(source: String, phase: Diagnostic.Phase) {
        #expect(Session().run(SourceFile(name: "t", text: source))?.phase == phase)
    }

    // MARK: Private API

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ s: String) {
            lock.lock()
            items.append(s)
            lock.unlock()
        }
        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }
    }

    static func run(_ script: String) -> ([String], Diagnostic?) {
        let lines = Lines()
        let session = Session { event in lines.append(OutputFormat.text.render(event)) }
        let d = session.run(SourceFile(name: "t.lease", text: script))
        return (lines.all, d)
    }

    static func show(_ source: String, prelude: String? = nil) -> String? {
        let session = Session()
        if let prelude, let d = session.run(SourceFile(name: "prelude", text: prelude)) {
            return "prelude error: \(d.message)"
        }
        switch session.evaluate(source) {
        case .success(let v): return Format.value(v)
        case .failure(let d): return "error: \(d.message)"
        }
    }

    static func number(_ source: String, prelude: String? = nil) -> Double? {
        let session = Session()
        if let prelude, session.run(SourceFile(name: "prelude", text: prelude)) != nil { return nil }
        guard case .success(.quantity(let q)) = session.evaluate(source) else { return nil }
        return q.value
    }

    static func error(_ source: String) -> Diagnostic? {
        if case .failure(let d) = Session().evaluate(source) { return d }
        return nil
    }
}
