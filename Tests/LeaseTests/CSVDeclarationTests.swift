import Foundation
import LeaseCore
@testable import LeaseLanguage
import Testing

/// Deal sheets: `use "deals.csv"` declares one object per row (LANGUAGE.md section 13).
@Suite struct CSVDeclarationTests {
    static let header = "contract,lessor,lessee,cluster,share,start,end,rate,discounts,notice"

    /// A sheet of `rows` contracts on `colossus1`, a quarter percent each.
    static func sheet(rows: Int) -> String {
        var lines = [header]
        for i in 1...rows {
            let name = "deal_" + String(repeating: "0", count: 3 - String(i).count) + String(i)
            let start = 2026 + i % 3
            lines.append(
                "\(name),\"\"\"xAI\"\"\",\"\"\"Lab \(i % 7)\"\"\",colossus1,0.25%,\(start)-05,\(start + 2)-04,"
                    + "$\(i)M / month,\"[\(start)-05: 50%, \(start)-06: 25%]\",90 days")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A session that knows the Colossus 1 cluster, and nothing else.
    static func session() -> Session {
        let s = Session()
        let cluster = String(Fixtures.colossus.prefix(while: { $0 != "}" })) + "}"
        #expect(s.run(SourceFile(name: "<test>", text: cluster)) == nil)
        return s
    }

    static func value(_ s: Session, _ expr: String) -> String {
        switch s.evaluate(expr) {
        case .success(let v): return Format.value(v)
        case .failure(let d): return "error: \(d.message)"
        }
    }

    static func error(_ text: String, name: String = "deals.csv", in session: Session = Session()) -> Diagnostic? {
        do throws(Diagnostic) {
            try CSVDeclarations.declare(SourceFile(name: name, text: text), in: session)
            return nil
        } catch {
            return error
        }
    }

    @Test func twoHundredRowsDeclareTwoHundredContracts() throws {
        let file = SourceFile(name: "deals.csv", text: Self.sheet(rows: 200))
        let statements = try CSVDeclarations.statements(for: file)
        #expect(statements.count == 200)
        let names = statements.compactMap { s -> String? in
            if case .contract(let name, _, let fields) = s.kind, fields.count == 9 { return name }
            return nil
        }
        #expect(names.count == 200)
        #expect(names.first == "deal_001" && names.last == "deal_200")

        let s = Self.session()
        try CSVDeclarations.declare(file, in: s)
        #expect(s.model.contracts.count == 200)
        #expect(s.model.contracts(on: "colossus1").count == 200)
        #expect(Self.value(s, "deal_007.lessor") == "xAI")
        #expect(Self.value(s, "deal_007.lessee") == "Lab 0")
        #expect(Self.value(s, "deal_007.rate") == "$7M/month")
        #expect(Self.value(s, "deal_007.discounts") == "[2027-05: 50%, 2027-06: 25%]")
        #expect(Self.value(s, "months(deal_200)") == "24")
        // 24 months of $200M, less half of one and a quarter of the next.
        #expect(Self.value(s, "total(deal_200)") == "$4.65B")
        // Active in 2028-06: the 134 deals that start in 2027 or 2028.
        #expect(Self.value(s, "capacity(colossus1, at: 2028-06).leased") == "33.5%")
    }

    @Test func quotedCellsHoldCommasQuotesAndLines() throws {
        let text = "\u{FEFF}contract,lessor,lessee,cluster,start,end,rate,discounts,notice\r\n"
            + "anthropic,\"\"\"xAI\"\"\",\"\"\"Anthropic, PBC\"\"\",colossus1,2026-05,2029-05,$1.25B / month,"
            + "\"[2026-05: 50%,\n 2026-06: 50%]\",  90 days  \r\n"
            + ",,,,,,,,\r\n"
        let s = Self.session()
        try CSVDeclarations.declare(SourceFile(name: "deals.csv", text: text), in: s)
        #expect(s.model.contracts.count == 1)
        #expect(Self.value(s, "anthropic.lessee") == "Anthropic, PBC")
        #expect(Self.value(s, "total(anthropic)") == "$45B")
        #expect(Self.value(s, "anthropic.notice") == "90 days")
    }

    @Test func readerKeepsTheBytesOfEveryCell() throws {
        let file = SourceFile(name: "x.csv", text: "a, \"b,c\" ,\"d\"\"e\"\n\"\",f\r\nlast")
        let sheet = try CSVReader.read(file)
        #expect(sheet.rows.map { $0.cells.map(\.text) } == [["a", "b,c", "d\"e"], ["", "f"], ["last"]])
        let b = sheet.rows[0].cells[1]
        #expect(sheet.file.slice(Span(sheet.file, b.start, b.end)) == "b,c")
        let d = sheet.rows[0].cells[2]
        // An escaped cell knows where each of its bytes stands in the sheet.
        #expect(sheet.file.slice(Span(sheet.file, d.start, d.end)) == "d\"\"e")
        #expect(d.offsets == [11, 12, 14, 15])
        #expect(sheet.file === file)
    }

    @Test func aBadCellNamesItsLineAndColumn() {
        var rows = Self.sheet(rows: 5).split(separator: "\n").map(String.init)
        rows[3] = rows[3].replacingOccurrences(of: "$3M / month", with: "$3M / mnth")
        let err = Self.error(rows.joined(separator: "\n"), in: Self.session())
        let col = rows[3].distance(from: rows[3].startIndex, to: rows[3].range(of: "mnth")!.lowerBound) + 1
        #expect(err?.span?.location.line == 4)
        #expect(err?.span?.location.column == col)
        #expect(err?.span?.file.name == "deals.csv")
        #expect(err?.description.hasPrefix("deals.csv:4:\(col): error:") == true)
        #expect(err?.description.contains("4 | " + rows[3]) == true, "the diagnostic quotes the sheet's own line")
    }

    @Test func aBadDateIsRefusedAtItsCell() {
        let row = "d1,\"\"\"xAI\"\"\",\"\"\"A\"\"\",colossus1,10%,2026-13,2027-01,$1M/month,,90 days"
        let err = Self.error(Self.header + "\n" + row + "\n", in: Self.session())
        let col = row.distance(from: row.startIndex, to: row.range(of: "2026-13")!.lowerBound) + 1
        #expect(err?.span?.location.line == 2)
        #expect(err?.span?.location.column == col)
        #expect(err?.message.contains("2026-13") == true || err?.message.contains("month") == true)
    }

    @Test func anEscapedCellPointsInsideIt() {
        // `"xAI" +` then the end of the cell: the error is at the `+`, in the sheet's own columns.
        let text = "contract,lessor\nd1,\"\"\"xAI\"\" +\"\n"
        let err = Self.error(text, in: Self.session())
        #expect(err?.span?.location.line == 2)
        #expect(err?.span?.location.column == 14 || err?.span?.location.column == 15)
        #expect(err?.description.contains("2 | d1,\"\"\"xAI\"\" +\"") == true)
        // An interpolation inside an escaped string is lexed where it stands.
        let s = Self.session()
        let ok = "contract,lessor,lessee,cluster,start,end,rate,notice\n"
            + "d1,\"\"\"x{1 + 1}\"\"\",\"\"\"A\"\"\",colossus1,2026-05,2026-06,$1M / month,90 days\n"
        #expect(Self.error(ok, in: s) == nil)
        #expect(Self.value(s, "d1.lessor") == "x2")
    }

    @Test func aBadCellLeavesTheModelUnchanged() {
        let s = Self.session()
        #expect(s.run(SourceFile(name: "<test>", text: "cluster k { power: 100 MW; gpus: 1000 gpu }")) == nil)
        let before = s.model
        let names = Set(s.globals.keys)
        // Checked whole first: a wrong dimension in the last row declares nothing.
        let wrongDimension = #"""
            contract,lessor,lessee,cluster,share,start,end,rate,notice
            a,"""L""","""A""",k,30%,2026-01,2026-12,$1M / month,90 days
            b,"""L""","""B""",k,30%,2026-01,2026-12,300 MW,90 days
            """#
        let e1 = Self.error(wrongDimension, in: s)
        #expect(e1 != nil)
        #expect(e1?.span?.location.line == 3)
        #expect(s.model == before)
        #expect(Set(s.globals.keys) == names)
        // Over-commitment only shows when the rows run: the first two are undone.
        let overCommitted = #"""
            contract,lessor,lessee,cluster,share,start,end,rate,notice
            a,"""L""","""A""",k,60%,2026-01,2026-12,$1M / month,90 days
            b,"""L""","""B""",k,30%,2026-01,2026-12,$1M / month,90 days
            c,"""L""","""C""",k,30%,2026-06,2027-03,$1M / month,90 days
            """#
        let e2 = Self.error(overCommitted, in: s)
        #expect(e2 != nil)
        #expect(e2?.span?.location.line == 4)
        #expect(s.model == before)
        #expect(Set(s.globals.keys) == names)
        #expect(s.model.contracts.isEmpty)
    }

    @Test func anUnquotedCommaSaysToQuote() {
        let text = "contract,lessor,lessee,cluster,start,end,rate,discounts\n"
            + "a,\"\"\"L\"\"\",\"\"\"A\"\"\",colossus1,2026-05,2029-05,$1B/month,[2026-05: 50%, 2026-06: 50%]\n"
        let err = Self.error(text, in: Self.session())
        #expect(err?.span?.location.line == 2)
        #expect(err?.help?.contains("double quotes") == true)
    }

    @Test(arguments: [
        ("name,lessor\na,1\n", "first column must be `contract` or `cluster`", 1, 1),
        ("Contract,lessor\na,1\n", "first column must be `contract` or `cluster`", 1, 1),
        ("contract,lessor,,end\na,1\n", "this column has no name", 1, 17),
        ("contract,rate,rate\na,1,2\n", "appears twice", 1, 15),
        ("contract,rate (mnth)\na,1\n", "is not a unit", 1, 10),
        ("contract,rate\n,1\n", "has no contract name", 2, 1),
        ("contract,rate\n7up,1\n", "is not a name", 2, 1),
        ("contract,rate\nlet,1\n", "is a keyword", 2, 1),
        ("contract,rate\na,1\na,2\n", "declared twice", 3, 1),
        ("contract,rate\na,1,2\n", "3 cells", 2, 5),
        ("contract,rate\na,\"1\n", "never closed", 2, 3),
        ("contract,rate\na,\"1\"x\n", "after the closing quote", 2, 6),
        ("contract,rate\na,1 2\n", "end of the cell", 2, 5),
    ])
    func malformedSheetsAreRefusedWhereTheyGoWrong(_ text: String, _ message: String, _ line: Int, _ column: Int) {
        let err = Self.error(text)
        #expect(err?.message.contains(message) == true, "\(err?.message ?? "no error")")
        #expect(err?.span?.location.line == line)
        #expect(err?.span?.location.column == column)
    }

    @Test func clustersFromASheet() throws {
        let text = """
            cluster,owner,site,power,gpus,gpu_model
            colossus1,\"\"\"xAI\"\"\",\"\"\"Memphis, TN\"\"\",300 MW,220_000 gpu,
            colossus2,\"\"\"xAI\"\"\",\"\"\"Memphis, TN\"\"\",1 GW,550_000 gpu,\"\"\"GB200\"\"\"
            """
        let s = Session()
        try CSVDeclarations.declare(SourceFile(name: "clusters.csv", text: text), in: s)
        #expect(s.model.clusters.map(\.name) == ["colossus1", "colossus2"])
        #expect(Self.value(s, "colossus2.power") == "1 GW")
        #expect(Self.value(s, "colossus2.gpu_model") == "GB200")
        #expect(Self.value(s, "colossus1.site") == "Memphis, TN")
    }

    @Test func aUnitInTheHeaderAppliesToPlainNumbers() throws {
        let text = """
            contract,lessor,lessee,cluster,start,end,rate (USD/month),notice (days)
            a,\"\"\"xAI\"\"\",\"\"\"A\"\"\",colossus1,2026-05,2026-06,1250000000,90
            b,\"\"\"xAI\"\"\",\"\"\"B\"\"\",colossus1,2026-07,2026-08,$2B / month,3 months
            """
        let s = Self.session()
        try CSVDeclarations.declare(SourceFile(name: "deals.csv", text: text), in: s)
        #expect(Self.value(s, "a.rate") == "$1.25B/month")
        #expect(Self.value(s, "a.notice") == "90 days")
        #expect(Self.value(s, "b.rate") == "$2B/month")
        #expect(Self.value(s, "total(b)") == "$4B")
        #expect(CSVDeclarations.parseUnit("$/gpu/h") == UnitExpr(terms: [
            .init(unit: Units.currency("USD") ?? -1, exponent: 1), .init(unit: Units.gpuIndex, exponent: -1),
            .init(unit: Units.index("h") ?? -1, exponent: -1),
        ]))
        #expect(CSVDeclarations.parseUnit("furlong") == nil)
    }

    /// `export(schedule(c), "s.csv")` writes what a spreadsheet reads back:
    /// one header line with the units, plain numbers, months as `2026-05`.
    @Test func aScheduleWrittenAsCSVReadsBack() throws {
        let s = Self.session()
        #expect(s.run(SourceFile(name: "<test>", text: String(Fixtures.colossus.drop(while: { $0 != "}" }).dropFirst()))) == nil)
        guard case .success(let schedule) = s.evaluate("schedule(anthropic)") else {
            Issue.record("schedule failed")
            return
        }
        let text = CSV.render(schedule)
        let sheet = try CSVReader.read(SourceFile(name: "s.csv", text: text))
        #expect(sheet.rows.first?.cells.map(\.text) == ["month", "payment (USD)", "cumulative (USD)"])
        #expect(sheet.rows.count == 38)
        #expect(sheet.rows[1].cells.map(\.text) == ["2026-05", "625000000", "625000000"])
        let last = try #require(sheet.rows.last?.cells.map(\.text))
        #expect(last == ["2029-05", "1250000000", "45000000000"])
        let sum = sheet.rows.dropFirst().compactMap { Double($0.cells[1].text) }.reduce(0, +)
        #expect(sum == 45e9)
        #expect(CSVDeclarations.parseUnit("USD") == UnitExpr(unit: Units.currency("USD") ?? -1))
    }
}
