import Foundation
import LeaseCore
import LeaseLanguage
import Testing

/// The finance functions as an analyst calls them, through the language: the
/// committed tables of `scripts/gen_finance_tables.py` (numpy-financial,
/// Excel's algorithm, Python's decimal, scipy's brentq) evaluated as lease
/// source in a `Session`. `FinanceCrossCheckTests` checks LeaseCore's
/// functions against the same rows; this suite checks that the language
/// hands them the right amounts, rates, dates and contracts and gives back
/// the right values, units and errors.
@Suite("finance through the language, cross-checked with numpy-financial, Excel and scipy")
struct LanguageFinanceCrossCheckTests {
    // MARK: Helpers

    /// `x` as a lease literal that reads back as the same double (Swift's
    /// shortest round-trip form, which lease's lexer reads: `1e-05`, `1e+20`).
    static func literal(_ x: Double) -> String {
        let text = "\(abs(x))"
        return x.sign == .minus ? "-" + text : text
    }

    /// `[a USD, b USD, …]`, or plain numbers without a unit.
    static func list(_ xs: [Double], unit: String? = nil) -> String {
        "[" + xs.map { literal($0) + (unit.map { " " + $0 } ?? "") }.joined(separator: ", ") + "]"
    }

    /// The value of `source` in `session`, or its error's message.
    static func evaluate(_ source: String, in session: Session = Session()) -> Result<Value, Diagnostic> {
        session.evaluate(source)
    }

    /// A quantity's number in base units: a percentage as a fraction, money in currency units.
    static func number(_ v: Value) -> Double? {
        guard case .quantity(let q) = v else { return nil }
        return q.baseValue
    }

    /// What lease prints for `v`.
    static func shown(_ v: Value) -> String { OutputFormat.text.render(.value(v)) }

    static func short(_ source: String) -> String { source.count > 120 ? String(source.prefix(117)) + "…" : source }

    // MARK: npv and irr of lists, against numpy-financial

    /// Whether the amounts change sign more than once, so that `irr` finds its
    /// roots as eigenvalues (O(n³), slow in a debug build).
    static func severalSignChanges(_ xs: [Double]) -> Bool {
        let signs = xs.filter { $0 != 0 }.map { $0 < 0 }
        return zip(signs, signs.dropFirst()).filter { $0 != $1 }.count > 1
    }

    /// The irr rows run through the language: all of them but the long
    /// series with several sign changes, of which every fifth (LeaseCore's own
    /// cross-check runs every row; this suite checks the language's part).
    static let irrSample: [FinanceTables.IRRRow] = FinanceTables.irrRows.enumerated().filter { i, row in
        row.values.count <= 60 || !severalSignChanges(row.values) || i % 5 == 0
    }.map(\.element)

    @Test("irr of a list agrees with numpy-financial", arguments: irrSample)
    func irrAgrees(row: FinanceTables.IRRRow) {
        let source = "irr(\(Self.list(row.values)))"
        switch Self.evaluate(source) {
        case .success(let v):
            guard case .quantity(let q) = v else {
                Issue.record("\(Self.short(source)) gave \(v), not a rate")
                return
            }
            #expect(q.unit.isPercent, "\(Self.short(source)) is not shown as a percentage")
            if let expected = row.irr {
                let tol = row.illConditioned == true ? 1e-6 : 1e-9 * max(abs(expected), 1e-3)
                #expect(abs(q.baseValue - expected) <= tol, "\(Self.short(source)) = \(q.baseValue), numpy-financial \(expected)")
            } else {
                Issue.record("\(Self.short(source)) = \(q.baseValue), numpy-financial reports \(row.error ?? "?")")
            }
        case .failure(let d):
            if row.illConditioned == true { return }
            #expect(row.error != nil, "\(Self.short(source)) failed: \(d.message); numpy-financial gives \(row.irr ?? .nan)")
            if row.error == "noSignChange" { #expect(d.message.contains("sign change"), "\(d.message)") }
        }
    }

    @Test("the irr sample keeps every kind of row")
    func irrSampleShape() {
        let sample = Self.irrSample
        #expect(sample.count >= 170)
        #expect(sample.contains { $0.error == "noSignChange" })
        #expect(sample.contains { $0.values.count > 100 && Self.severalSignChanges($0.values) })
        #expect(sample.contains { $0.values.count > 100 && !Self.severalSignChanges($0.values) })
        #expect(sample.contains { ($0.irr ?? 0) < 0 })
    }

    @Test("npv of a list of amounts agrees with numpy-financial", arguments: FinanceTables.irrRows)
    func npvAgrees(row: FinanceTables.IRRRow) {
        let session = Session()
        let amounts = Self.list(row.values, unit: "USD")
        #expect(session.run(SourceFile(name: "<npv>", text: "let xs = \(amounts)")) == nil)
        for point in row.npv {
            let source = "npv(xs, \(Self.literal(point.rate)))"
            guard case .success(let v) = Self.evaluate(source, in: session), case .quantity(let q) = v else {
                Issue.record("npv(\(Self.short(amounts)), \(point.rate)) did not give an amount")
                continue
            }
            #expect(q.dimension == Dimension(.currency("USD")), "\(source): \(q.dimension)")
            var scale = 0.0
            for (i, x) in row.values.enumerated() { scale += abs(x) * pow(1 + point.rate, -Double(i)) }
            #expect(abs(q.baseValue - point.npv) <= 1e-9 * max(scale, 1),
                    "npv(\(Self.short(amounts)), \(point.rate)) = \(q.baseValue), numpy-financial \(point.npv)")
        }
    }

    @Test("the documented npv and irr examples print as LANGUAGE.md says")
    func documentedExamples() throws {
        let s = Session()
        for (source, shown) in [
            ("npv([-$40_000, $5_000, $8_000, $12_000, $30_000], 8%)", "$3,065.22"),
            ("irr([-$100, $39, $59, $55, $20])", "28.0948%"),
            ("xirr([-$10_000, $2_750, $4_250, $3_250, $2_750], [2008-01-01, 2008-03-01, 2008-10-30, 2009-02-15, 2009-04-01])",
             "37.3363%"),
            ("xnpv(9%, [-$10_000, $2_750, $4_250, $3_250, $2_750], [2008-01-01, 2008-03-01, 2008-10-30, 2009-02-15, 2009-04-01])",
             "$2,086.65"),
        ] {
            let v = try Self.evaluate(source, in: s).get()
            #expect(Self.shown(v) == shown, "\(source)")
        }
    }

    // MARK: xnpv and xirr, against a transcription of Excel's algorithm

    @Test("xirr and xnpv agree with Excel's algorithm", arguments: FinanceTables.xirrRows)
    func xirrAndXNPV(row: FinanceTables.XIRRRow) {
        let session = Session()
        let amounts = Self.list(row.amounts, unit: "USD")
        let dates = "[" + row.dates.joined(separator: ", ") + "]"
        let source = "xirr(\(amounts), \(dates))"
        switch Self.evaluate(source, in: session) {
        case .success(let v):
            guard let r = Self.number(v) else {
                Issue.record("\(row.name): \(v) is not a rate")
                break
            }
            if let expected = row.xirr {
                #expect(abs(r - expected) <= 1e-9 * max(abs(expected), 1), "\(row.name): xirr \(r), Excel's algorithm \(expected)")
            } else {
                Issue.record("\(row.name): xirr \(r), Excel's algorithm reports \(row.error ?? "?")")
            }
        case .failure(let d):
            #expect(row.error != nil, "\(row.name): \(d.message); Excel's algorithm gives \(row.xirr ?? .nan)")
            if row.error == "noSignChange" { #expect(d.message.contains("sign change"), "\(row.name): \(d.message)") }
            if row.error == "notConverged" { #expect(d.message.contains("did not converge"), "\(row.name): \(d.message)") }
        }
        let scale = row.amounts.reduce(0) { $0 + abs($1) }
        for point in row.xnpv {
            let source = "xnpv(\(Self.literal(point.rate)), \(amounts), \(dates))"
            guard case .success(let v) = Self.evaluate(source, in: session), case .quantity(let q) = v else {
                Issue.record("\(row.name): \(Self.short(source)) did not give an amount")
                continue
            }
            #expect(q.dimension == Dimension(.currency("USD")))
            #expect(abs(q.baseValue - point.xnpv) <= 1e-9 * max(scale, 1),
                    "\(row.name): xnpv at \(point.rate) = \(q.baseValue), expected \(point.xnpv)")
        }
    }

    // MARK: asc842 and ifrs16 of contracts, against Python's decimal

    /// A contract that bills exactly `contract.payments`: a flat rate (the
    /// largest payment) and a discount on each month that pays less, on a
    /// cluster of its own. The amount literal is written with the currency's
    /// ISO code (`2967741935.48 USD / month`).
    static func declaration(_ contract: FinanceTables.AccountingContract) -> String {
        let top = contract.payments.max() ?? 0
        let rate = top > 0 ? top : 1
        var discounts: [String] = []
        for (month, p) in zip(contract.months, contract.payments) where p != rate {
            discounts.append("\(month): \(literal(1 - p / rate))")
        }
        let map = discounts.isEmpty ? "[:]" : "[" + discounts.joined(separator: ", ") + "]"
        let name = "k_" + contract.name
        return """
            cluster \(name) { power: 1 MW; gpus: 1 gpu }
            contract \(contract.name) {
              lessor: "L"; lessee: "P"; cluster: \(name)
              start: \(contract.months.first ?? ""); end: \(contract.months.last ?? "")
              rate: \(literal(rate)) \(contract.currency) / month
              discounts: \(map)
            }
            """
    }

    /// `asc842(c, r)` or `ifrs16(c, r)` as rows of numbers by column name.
    static func table(_ source: String, in session: Session) throws -> [[String: Double]] {
        let v = try session.evaluate(source).get()
        guard case .list(let rows) = v else { throw Mismatch(text: "\(source) is not a table") }
        return try rows.map { row in
            guard case .record(let r) = row else { throw Mismatch(text: "\(source): a row is not a record") }
            var out: [String: Double] = [:]
            for f in r.fields {
                if case .quantity(let q) = f.value { out[f.name] = q.baseValue }
            }
            return out
        }
    }

    struct Mismatch: Error, CustomStringConvertible {
        var text: String
        var description: String { text }
    }

    @Test("asc842 and ifrs16 of a contract agree to the minor unit", arguments: FinanceTables.accountingContracts)
    func accounting(contract: FinanceTables.AccountingContract) throws {
        let session = Session()
        if let d = session.run(SourceFile(name: "<\(contract.name)>", text: Self.declaration(contract))) {
            Issue.record("\(contract.name): \(d.message)\n\(Self.declaration(contract))")
            return
        }
        // The contract bills exactly the table's payments.
        let flows = try session.evaluate("cashflows(\(contract.name))").get()
        guard case .list(let xs) = flows else { throw Mismatch(text: "cashflows is not a list") }
        #expect(xs.compactMap(Self.number) == contract.payments, "\(contract.name): cashflows")

        let rate = Self.literal(contract.rate)
        let asc = try Self.table("asc842(\(contract.name), \(rate))", in: session)
        let ifrs = try Self.table("ifrs16(\(contract.name), \(rate))", in: session)
        #expect(asc.count == contract.asc842.count && ifrs.count == contract.ifrs16.count, "\(contract.name): row counts")
        // Expected cells: payment, interest, liability, rou_asset, amortization (depreciation), expense.
        for (k, (got, cells)) in zip(asc, contract.asc842).enumerated() {
            let want = cells.map { Double($0) ?? .nan }
            let row = [got["payment"], got["interest"], got["liability"], got["rou_asset"], got["expense"]]
            #expect(row == [want[0], want[1], want[2], want[3], want[5]],
                    "\(contract.name) asc842 month \(k + 1): \(row.map { $0 ?? .nan }) ≠ \(cells)")
            // ROU amortization is expense − interest, in whole minor units.
            let digits = Double(contract.digits)
            let cents = { (x: Double?) in ((x ?? .nan) * pow(10, digits)).rounded() }
            #expect(cents(got["expense"]) - cents(got["interest"]) == cents(want[4]), "\(contract.name) asc842 month \(k + 1): amortization")
        }
        for (k, (got, cells)) in zip(ifrs, contract.ifrs16).enumerated() {
            let want = cells.map { Double($0) ?? .nan }
            let row = [got["payment"], got["interest"], got["liability"], got["rou_asset"], got["depreciation"], got["expense"]]
            #expect(row == want.map { Optional($0) }, "\(contract.name) ifrs16 month \(k + 1): \(row.map { $0 ?? .nan }) ≠ \(cells)")
        }
        #expect(asc.last?["liability"] == 0 && ifrs.last?["liability"] == 0, "\(contract.name): final liability")
    }

    @Test("the Colossus deal's ASC 842 table: 37 rows, the last liability $0.00")
    func colossusTable() throws {
        let s = Session()
        #expect(s.run(SourceFile(name: "colossus.lease", text: Fixtures.colossus)) == nil)
        #expect(Self.shown(try s.evaluate("count(asc842(anthropic, 5%))").get()) == "37")
        #expect(Self.shown(try s.evaluate("asc842(anthropic, 5%)[-1].liability").get()) == "$0.00")
        #expect(Self.shown(try s.evaluate("ifrs16(anthropic, 5%)[-1].liability").get()) == "$0.00")
        // Expenses add up to the fixed payments exactly.
        #expect(try s.evaluate("sum(asc842(anthropic, 5%).expense) == total(anthropic)").get() == .bool(true))
    }

    // MARK: solve, against scipy's brentq

    /// The row's equation as lease source in the unknown `x`, or nil for a
    /// function the language has no built-in for (`cos`). Polynomials are
    /// written in Horner's form, the order the generator evaluated them in.
    static func equation(_ row: FinanceTables.SolveRow) -> String? {
        switch row.kind {
        case "poly":
            let c = row.c ?? []
            guard var text = c.last.map({ "(\(literal($0)))" }) else { return nil }
            for coefficient in c.dropLast().reversed() { text = "(\(text) * x + (\(literal(coefficient))))" }
            return "\(text) == 0"
        case "exp":
            return "exp(x) == \(literal(row.k ?? 0))"
        case "npv_target":
            return "npv(\(list(row.amounts ?? [])), x) == \(literal(row.target ?? 0))"
        default:
            return nil
        }
    }

    static let solveRows = FinanceTables.solveRows.filter { equation($0) != nil }

    @Test("solve agrees with scipy's brentq", arguments: solveRows)
    func solveAgrees(row: FinanceTables.SolveRow) throws {
        let equation = try #require(Self.equation(row))
        let source = "solve x in \(Self.literal(row.a)) .. \(Self.literal(row.b)): \(equation)"
        switch Self.evaluate(source) {
        case .success(let v):
            guard let x = Self.number(v) else {
                Issue.record("\(Self.short(source)) gave \(v)")
                return
            }
            if let root = row.root {
                #expect(abs(x - root) <= 1e-10, "\(Self.short(source)) = \(x), brentq \(root)")
            } else {
                Issue.record("\(Self.short(source)) = \(x), brentq reports \(row.error ?? "?")")
            }
        case .failure(let d):
            #expect(row.error != nil, "\(Self.short(source)) failed: \(d.message); brentq gives \(row.root ?? .nan)")
            #expect(d.message.contains("no sign change"), "\(d.message)")
        }
    }

    @Test("the solve table's rows the language can write are most of it")
    func solveCoverage() {
        #expect(Self.solveRows.count >= 45)
        #expect(Self.solveRows.contains { $0.error != nil })
        #expect(Set(Self.solveRows.map(\.kind)) == ["poly", "exp", "npv_target"])
    }
}
