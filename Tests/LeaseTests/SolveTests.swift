import Foundation
import LeaseCore
import LeaseLanguage
import Testing

/// `solve x in a .. b: lhs == rhs` (LANGUAGE.md section 11) and `r.NAME` of
/// a run with several outputs.
@Suite("Solve and run outputs")
struct SolveTests {
    /// A session with the Colossus deal declared.
    static func colossus() throws -> Session {
        let s = Session()
        if let e = s.run(SourceFile(name: "colossus.lease", text: Fixtures.colossus)) { throw e }
        return s
    }

    /// Runs statements (declarations, `let`s) in the session.
    static func declare(_ s: Session, _ text: String) {
        if let e = s.run(SourceFile(name: "decl.lease", text: text)) { Issue.record("\(e)") }
    }

    static func quantity(_ r: Result<Value, Diagnostic>) throws -> Quantity {
        guard case .quantity(let q) = try r.get() else { throw Unexpected(what: "\(r)") }
        return q
    }

    static func failure(_ r: Result<Value, Diagnostic>) -> Diagnostic? {
        if case .failure(let d) = r { return d }
        return nil
    }

    struct Unexpected: Error, CustomStringConvertible {
        var what: String
        var description: String { "unexpected: \(what)" }
    }

    // MARK: Values

    @Test("Brent's method finds √2 to the bracket's tolerance")
    func squareRoot() throws {
        let q = try Self.quantity(Session().evaluate("solve x in 0 .. 10: x * x == 2"))
        #expect(q.unit.isEmpty)
        #expect(abs(q.value - 2.0.squareRoot()) <= 1e-11)
    }

    @Test("a percent bracket answers a percentage, and the answer satisfies the equation")
    func spec() throws {
        let s = try Self.colossus()
        let d = try Self.quantity(s.evaluate("solve d in 0% .. 100%: npv(anthropic with {discounts: [2026-05: d, 2026-06: d]}, 8%) == $40B"))
        #expect(d.unit.isPercent)
        #expect(Format.quantity(d) == "52.3339%")
        let npv = try Self.quantity(s.evaluate("npv(anthropic with {discounts: [2026-05: \(d.value)%, 2026-06: \(d.value)%]}, 8%)"))
        // x to 1e-12 of the bracket (a 100% range) moves this npv by about $0.0025.
        #expect(abs(npv.value - 40e9) < 0.01)
    }

    @Test("the answer is in the bracket's unit: the lower end's")
    func bracketUnit() throws {
        let q = try Self.quantity(Session().evaluate("solve t in 0 h .. 2 days: t * 1 MW == 30 MWh"))
        #expect(Format.quantity(q) == "30 h")
    }

    @Test("a days bracket gives the first day where lhs − rhs reaches the sign of its upper end")
    func days() throws {
        let v = try Session().evaluate("solve d in 2026-01-01 .. 2026-12-31: d - 2026-03-15 == 0.5 days").get()
        #expect(v == .date(CalendarDate(year: 2026, month: 3, day: 16)!))
    }

    @Test("a months bracket gives a month")
    func months() throws {
        let s = try Self.colossus()
        let v = try s.evaluate("solve m in 2026-05 .. 2029-05: paid(anthropic, 2026-05, m) == $20B").get()
        #expect(v == .date(CalendarDate(year: 2027, month: 9)!))
        #expect(Format.value(v) == "2027-09")
    }

    @Test("the unknown hides a global only inside the equation")
    func shadowing() throws {
        let s = Session()
        Self.declare(s, "let x = 5")
        #expect(Format.quantity(try Self.quantity(s.evaluate("solve x in 0 .. 10: x + 1 == 4"))) == "3")
        #expect(Format.quantity(try Self.quantity(s.evaluate("x"))) == "5")
    }

    @Test("in a run's body, the scenario's parameters stay visible inside the equation")
    func insideRun() throws {
        let s = Session()
        Self.declare(s, "scenario g { t: [4, 9] }")
        let q = try Self.quantity(s.evaluate("(run g: solve y in 0 .. 10: y * y == t).mean"))
        #expect(abs(q.value - 2.5) < 1e-9)
    }

    @Test("solve and in stay ordinary names outside the form")
    func contextualKeywords() throws {
        let s = Session()
        Self.declare(s, "let solve = 3\nlet in = 4")
        #expect(Format.quantity(try Self.quantity(s.evaluate("solve + in"))) == "7")
        let call = Self.failure(Session().evaluate("solve(1)"))
        #expect(call?.message == "unknown function `solve`")
    }

    @Test("a side that is a list gives one answer per element")
    func elementwise() throws {
        let s = Session()
        guard case .list(let xs) = try s.evaluate("solve x in 0 .. 10: x * x == [2, 4, 9]").get() else {
            Issue.record("not a list")
            return
        }
        #expect(xs.map(Format.value) == ["1.41421", "2", "3"])
        #expect(try s.typeOf("solve d in 0% .. 100%: d == [5%, 10%]").get() == .list(.percent))
        let e = Self.failure(s.evaluate("solve x in 0 .. 3: x * x == [2, 16]"))
        #expect(e?.message.contains("(element 2) is -16 at 0 and -7 at 3") == true, "\(String(describing: e))")
    }

    // MARK: Types

    @Test("the checker types the answer as the bracket")
    func types() throws {
        let s = Session()
        #expect(try s.typeOf("solve d in 0% .. 100%: d == 50%").get() == .percent)
        #expect(try s.typeOf("solve d in 2026-05 .. 2027-05: d == 2026-08").get() == .date(.month))
        #expect(try s.typeOf("solve d in 2026-05-01 .. 2027-05: d == 2026-08-01").get() == .date(.day))
        #expect(try s.typeOf("solve t in 0 h .. 2 days: t == 30 h").get() == .quantity(UnitExpr(unit: Units.index("h")!)))
    }

    @Test("sides of different dimensions are a check error at the equation")
    func sidesDimension() {
        guard case .failure(let e) = Session().typeOf("solve r in 0% .. 100%: r * $1B == 300 MW") else {
            Issue.record("accepted")
            return
        }
        #expect(e.phase == .check)
        #expect(e.message == "cannot equate USD and power")
        #expect(e.span?.location.column == 24)
    }

    @Test("a body that is not an equation is a parse error with the fix")
    func notAnEquation() {
        guard case .failure(let e) = Session().typeOf("solve x in 0 .. 10: x * x - 2") else {
            Issue.record("accepted")
            return
        }
        #expect(e.phase == .parse)
        #expect(e.help?.contains("`x * x - 2 == 0`") == true)
    }

    // MARK: Run-time errors

    @Test("no sign change gives lhs − rhs at both ends, in their unit, at the bracket")
    func noSignChange() throws {
        let s = try Self.colossus()
        let e = Self.failure(s.evaluate("solve d in 0% .. 100%: npv(anthropic with {discounts: [2026-05: d, 2026-06: d]}, 8%) == $45B"))
        #expect(e?.phase == .runtime)
        #expect(e?.message.contains("`npv(…) − $45B` is -$3.696B at 0% and -$6.188B at 100%") == true, "\(String(describing: e))")
        #expect(e?.help?.contains("wider bracket") == true)
        #expect(e?.span?.location.column == 12)
    }

    @Test("an error in the equation is reported at its own span, with the x it was tried at")
    func bodyError() {
        let e = Self.failure(Session().evaluate("solve i in 0 .. 1: [1, 2, 3][i * 4] == 2"))
        #expect(e?.message == "index 4 is out of range for a list of 3")
        #expect(e?.span?.location.column == 30)
        #expect(e?.notes == ["while `solve` tried i = 1"])
    }

    // MARK: r.NAME

    static func twoOutputs() -> Session {
        let s = Session()
        declare(s, "scenario g { x: 1 .. 4 }\nlet r = run g: {twice: x * 2, square: x ^ 2}")
        return s
    }

    @Test("r.NAME is that output's own result, with the run's parameters")
    func outputResult() throws {
        let s = Self.twoOutputs()
        guard case .result(let one) = try s.evaluate("r.square").get() else {
            Issue.record("not a result")
            return
        }
        #expect(one.outputs.map(\.name) == ["square"])
        #expect(one.parameters.map(\.name) == ["x"])
        #expect(one.outputs[0].values == [1, 4, 9, 16])
        #expect(Format.quantity(try Self.quantity(s.evaluate("r.square.p95"))) == "14.95")
        #expect(Format.quantity(try Self.quantity(s.evaluate("percentile(r.square, 50%)"))) == "6.5")
        guard case .result(let cols) = try s.typeOf("r.twice").get() else {
            Issue.record("typed as something else")
            return
        }
        #expect(cols.map(\.name) == ["twice"])
    }

    @Test("a field that is neither a summary field nor an output lists both")
    func unknownOutput() {
        let s = Self.twoOutputs()
        guard case .failure(let e) = s.typeOf("r.variance") else {
            Issue.record("accepted")
            return
        }
        #expect(e.message == "a run result has no field `variance`")
        #expect(e.help == "summary fields: n, mean, sd, min, max, p5, p50, p95; outputs: twice, square")
        guard case .failure(let typo) = s.typeOf("r.sqare") else {
            Issue.record("accepted")
            return
        }
        #expect(typo.help == "did you mean `square`?")
    }

    @Test("an output named like a summary field: the summary wins, with a warning at the output")
    func outputNamedLikeStat() throws {
        let file = SourceFile(name: "p.lease", text: "scenario g { x: 1 .. 4 }\nlet q = run g: {p95: x * 2, square: x ^ 2}\n")
        let ds = Session().check([file])
        #expect(ds.count == 1)
        #expect(ds.first?.severity == .warning)
        #expect(ds.first?.span?.location.line == 2)
        #expect(ds.first?.span?.location.column == 17)
        let s = Session()
        _ = s.run(file)
        guard case .record(let rec) = try s.evaluate("q.p95").get() else {
            Issue.record("the summary field did not win")
            return
        }
        #expect(rec.fields.map(\.name) == ["p95", "square"])
    }
}
