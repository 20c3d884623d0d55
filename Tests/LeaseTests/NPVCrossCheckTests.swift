import Foundation
import LeaseCore
import LeaseLanguage
import Testing

/// An independent check of `npv`: `scripts/gen_npv_table.py` declares ~40
/// contracts (monthly and yearly rates, 1–60 months, discounts, escalation,
/// terminated partial last months) and computes their present values with
/// numpy_financial.npv, payments in advance. lease must agree to 1e-9 relative.
@Suite("npv cross-checked with numpy_financial")
struct NPVCrossCheckTests {
    @Test("the table covers the cases it is meant to")
    func tableShape() throws {
        let table = try NPVTable.load()
        let contracts = Set(table.rows.map(\.contract))
        #expect(contracts.count >= 40)
        #expect(Set(table.rows.map(\.r)) == ["0%", "3%", "8%", "12.5%", "25%"])
        let declarations = Dictionary(table.rows.map { ($0.contract, $0.declaration) }, uniquingKeysWith: { a, _ in a })
        #expect(declarations.values.contains { $0.contains("discounts:") })
        #expect(declarations.values.contains { $0.contains("escalation:") })
        #expect(declarations.values.contains { $0.contains("/ year") })
        // A day-precision `end`: a terminated, partly billed last month.
        #expect(declarations.values.contains { $0.range(of: #"end: \d{4}-\d{2}-\d{2}"#, options: .regularExpression) != nil })
    }

    @Test("npv(c, r) agrees with numpy_financial.npv", arguments: NPVTable.rowsOrEmpty)
    func npvAgrees(row: NPVTable.Row) throws {
        let table = try NPVTable.load()
        let session = Session()
        if let d = session.run(SourceFile(name: "\(row.contract).lease", text: table.cluster + "\n" + row.declaration)) {
            Issue.record("the declaration does not run: \(d)")
            return
        }
        let result = session.evaluate("npv(\(row.contract), \(row.r))")
        guard case .success(.quantity(let q)) = result else {
            Issue.record("npv(\(row.contract), \(row.r)) gave \(result)")
            return
        }
        #expect(q.unit.moneyCurrency != nil, "npv should be money, not \(q.unit.text())")
        let tolerance = 1e-9 * max(abs(row.pv), 1)
        #expect(abs(q.value - row.pv) <= tolerance,
                "npv(\(row.contract), \(row.r)) = \(q.value), numpy_financial says \(row.pv) (relative error \(abs(q.value - row.pv) / max(abs(row.pv), 1)))\n\(row.declaration)")
    }

    @Test("npv at 0% is the total, and npv falls as the rate rises")
    func npvAtZeroIsTotal() throws {
        let table = try NPVTable.load()
        let byContract = Dictionary(grouping: table.rows, by: \.contract)
        for (name, rows) in byContract.sorted(by: { $0.key < $1.key }) {
            let session = Session()
            guard session.run(SourceFile(name: "t.lease", text: table.cluster + "\n" + rows[0].declaration)) == nil else {
                Issue.record("\(name) does not declare")
                continue
            }
            guard case .success(.quantity(let total)) = session.evaluate("total(\(name))"),
                case .success(.quantity(let pv0)) = session.evaluate("npv(\(name), 0%)")
            else {
                Issue.record("\(name): total or npv failed")
                continue
            }
            #expect(abs(total.value - pv0.value) <= 1e-9 * max(abs(total.value), 1), "\(name): total \(total.value), npv at 0% \(pv0.value)")
            let sorted = rows.sorted { $0.rValue < $1.rValue }
            var last = Double.infinity
            for r in sorted {
                guard case .success(.quantity(let q)) = session.evaluate("npv(\(name), \(r.r))") else { continue }
                #expect(q.value <= last * (1 + 1e-12), "\(name): npv rose from \(last) to \(q.value) at \(r.r)")
                last = q.value
            }
        }
    }

    @Test("npv accepts a list of rates elementwise")
    func npvOfRateList() throws {
        let table = try NPVTable.load()
        let rows = table.rows.filter { $0.contract == table.rows[0].contract }.sorted { $0.rValue < $1.rValue }
        let session = Session()
        try #require(session.run(SourceFile(name: "t.lease", text: table.cluster + "\n" + rows[0].declaration)) == nil)
        let list = rows.map(\.r).joined(separator: ", ")
        guard case .success(.list(let values)) = session.evaluate("npv(\(rows[0].contract), [\(list)])") else {
            Issue.record("npv over a list of rates is not a list")
            return
        }
        #expect(values.count == rows.count)
        for (v, row) in zip(values, rows) {
            guard case .quantity(let q) = v else {
                Issue.record("element is \(v)")
                continue
            }
            #expect(abs(q.value - row.pv) <= 1e-9 * max(abs(row.pv), 1))
        }
    }
}

/// `Tests/Fixtures/npv_table.json`, written by `scripts/gen_npv_table.py`.
struct NPVTable: Decodable, Sendable {
    struct Row: Decodable, Sendable, CustomTestStringConvertible {
        var contract: String
        var declaration: String
        var r: String
        var rValue: Double
        var pv: Double

        enum CodingKeys: String, CodingKey {
            case contract, declaration, r, pv
            case rValue = "r_value"
        }

        var testDescription: String { "npv(\(contract), \(r))" }
    }

    var cluster: String
    var seed: Int
    var rows: [Row]

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/npv_table.json")

    static func load() throws -> NPVTable {
        try JSONDecoder().decode(NPVTable.self, from: Data(contentsOf: url))
    }

    /// The rows for `@Test(arguments:)`; a missing table fails `tableShape` instead.
    static let rowsOrEmpty: [Row] = (try? load().rows) ?? []
}
