import Foundation
import LeaseCore
import LeaseLanguage
import Testing

/// Display rules of LANGUAGE.md section 6.
@Suite("Display")
struct DisplayTests {
    static let colossus = """
        cluster colossus1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
        contract anthropic {
          lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1
          start: 2026-05; end: 2029-05; rate: $1.25B / month
          discounts: [2026-05: 50%, 2026-06: 50%]; notice: 90 days
        }
        """

    @Test("numbers: integers grouped, others to 6 significant digits", arguments: [
        (220_000.0, "220,000"), (1.0, "1"), (0, "0"), (-1234567, "-1,234,567"), (37, "37"), (1.0 / 3, "0.333333"),
        (2.0 / 3, "0.666667"), (123_456.789, "123,457"), (1234.5678, "1,234.57"), (3.14159265, "3.14159"),
        (0.1 + 0.2, "0.3"), (-0.5, "-0.5"), (1.5, "1.5"), (0.001234567, "0.00123457"), (999_999.5, "1,000,000"), (1_234_567.5, "1,234,568"), (123_456_789.4, "123,456,789"), (8_108_383.9, "8,108,384"),
    ] as [(Double, String)])
    func numbers(x: Double, expected: String) {
        #expect(Format.number(x) == expected)
    }

    @Test("money: compact from a million, up to 3 decimals, trailing zeros dropped", arguments: [
        ("$45B", "$45B"), ("$46.25B", "$46.25B"), ("$4.167M", "$4.167M"), ("$50M / 12", "$4.167M"),
        ("$1.25B / month * 37 months", "$46.25B"), ("$1000M", "$1B"), ("$999.9999B", "$1T"), ("$1M", "$1M"),
        ("€3M", "€3M"), ("1.87T KRW", "₩1.87T"), ("$1234567", "$1.235M"),
    ])
    func compactMoney(source: String, expected: String) {
        #expect(DisplayTests.show(source) == expected)
    }

    @Test("money below a million: grouped with 2 decimals", arguments: [
        ("$7.78", "$7.78"), ("$150_000", "$150,000.00"), ("£10", "£10.00"), ("¥500", "¥500.00"), ("$0", "$0.00"),
        ("$999_999.99", "$999,999.99"), ("$0.5", "$0.50"),
    ])
    func smallMoney(source: String, expected: String) {
        #expect(DisplayTests.show(source) == expected)
    }

    @Test("signs and codes", arguments: [
        ("-$1.25B", "-$1.25B"), ("-$7.78", "-$7.78"), ("1.5M CHF", "1.5M CHF"), ("3 EUR", "€3.00"),
        ("-1.5M CHF", "-1.5M CHF"), ("250 CHF", "250.00 CHF"), ("₩67.5T", "₩67.5T"),
    ])
    func signs(source: String, expected: String) {
        #expect(DisplayTests.show(source) == expected)
    }

    @Test("money converted through a declared rate")
    func fxDisplay() {
        #expect(DisplayTests.show("$45B -> KRW", prelude: "fx 1 USD = 1500 KRW") == "₩67.5T")
    }

    @Test("money per unit", arguments: [
        ("$1.25B / month", "$1.25B/month"),
        ("anthropic.rate / anthropic.gpus -> $/gpu/h", "$7.78/gpu/h"),
        ("anthropic.rate / anthropic.power -> $/kW/month", "$4,166.67/kW/month"),
        ("anthropic.rate", "$1.25B/month"),
    ])
    func moneyPerUnit(source: String, expected: String) {
        #expect(DisplayTests.show(source, prelude: DisplayTests.colossus) == expected)
    }

    @Test("other quantities: number, space, unit; long names plural unless 1", arguments: [
        ("300 MW", "300 MW"), ("90 days", "90 days"), ("1 day", "1 day"), ("1.5 days", "1.5 days"),
        ("300 MW * 1 month -> MWh", "219,146 MWh"), ("2 hours", "2 hours"), ("1 hour", "1 hour"), ("2 h", "2 h"),
        ("220_000 gpu", "220,000 gpus"), ("1 gpu", "1 gpu"), ("37 months", "37 months"), ("1 month", "1 month"),
        ("1 GW", "1 GW"), ("0.08 -> %", "8%"), ("8%", "8%"), ("12.5%", "12.5%"),
    ])
    func quantities(source: String, expected: String) {
        #expect(DisplayTests.show(source) == expected)
    }

    @Test("dates", arguments: [("2026-05", "2026-05"), ("2026-08-18", "2026-08-18"), ("0001-01", "0001-01"), ("2026-05-20 + 90 days", "2026-08-18")])
    func dates(source: String, expected: String) {
        #expect(DisplayTests.show(source) == expected)
    }

    @Test("collections", arguments: [
        ("[1, 2, 3] * $1B", "[$1B, $2B, $3B]"),
        ("[2026-05: 50%, 2026-06: 50%]", "[2026-05: 50%, 2026-06: 50%]"),
        ("{low: $40B, high: $46B}", "{low: $40B, high: $46B}"),
        ("[\"a\", \"b\"]", "[\"a\", \"b\"]"),
        ("[]", "[]"),
        ("true", "true"),
        ("\"Memphis, TN\"", "Memphis, TN"),
    ])
    func collections(source: String, expected: String) {
        #expect(DisplayTests.show(source) == expected)
    }

    @Test("tables: aligned columns under a header")
    func tables() throws {
        let text = try #require(DisplayTests.show("schedule(anthropic)", prelude: DisplayTests.colossus))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 38, "a header and 37 months")
        let header = lines[0].split(separator: " ", omittingEmptySubsequences: true)
        #expect(header == ["month", "payment", "cumulative"])
        #expect(lines[1].hasPrefix("2026-05"))
        #expect(lines[1].contains("$625M"))
        #expect(lines.last?.hasPrefix("2029-05") == true)
        #expect(lines.last?.hasSuffix("$45B") == true)
        // Numbers are right-aligned: every row ends in the same column.
        let widths = Set(lines.dropFirst().map(\.count))
        #expect(widths.count == 1, "rows of different widths: \(widths)")
        // The payment column's right edge is the same on every row.
        let paymentEnds = Set(lines.dropFirst().map { line -> Int in
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            return (line.range(of: String(parts[1]))?.upperBound).map { line.distance(from: line.startIndex, to: $0) } ?? -1
        })
        #expect(paymentEnds.count == 1)
    }

    @Test("JSON: one object per printed value")
    func json() throws {
        let line = OutputFormat.json.render(.value(.quantity(Quantity(45e9, UnitExpr(unit: Units.currency("USD")!)))))
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((object["value"] as? NSNumber)?.doubleValue == 45e9)
        #expect(object["unit"] as? String == "USD")
        #expect(object["text"] as? String == "$45B")
        #expect(line.hasPrefix("{\"value\": 45000000000, \"unit\": \"USD\""))
    }

    @Test("JSON of plain values and text lines is valid JSON", arguments: ["1 + 1", "\"a\\\"b\"", "2026-05", "[1, 2]", "{a: 1 MW}", "true", "1 / 0"])
    func jsonValid(source: String) throws {
        guard case .success(let v) = Session().evaluate(source) else {
            Issue.record("\(source) does not evaluate")
            return
        }
        let line = OutputFormat.json.render(.value(v))
        #expect(throws: Never.self) { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        let text = OutputFormat.json.render(.text("say \"hi\"\n"))
        #expect(throws: Never.self) { _ = try JSONSerialization.jsonObject(with: Data(text.utf8)) }
    }

    @Test("CSV: tables with a header")
    func csv() throws {
        let session = Session()
        try #require(session.run(SourceFile(name: "t", text: DisplayTests.colossus)) == nil)
        guard case .success(let v) = session.evaluate("schedule(anthropic)") else {
            Issue.record("schedule does not evaluate")
            return
        }
        let lines = OutputFormat.csv.render(.value(v)).split(separator: "\n").map(String.init)
        #expect(lines.count == 38)
        #expect(lines[0].hasPrefix("month,payment"))
        #expect(lines[1].hasPrefix("2026-05,"))
        let cells = lines[1].split(separator: ",")
        #expect(cells.count == 3)
        #expect(Double(cells[1]) == 625e6)
    }

    @Test("text format is the display rules")
    func textFormat() {
        #expect(OutputFormat.text.render(.value(.number(220_000))) == "220,000")
        #expect(OutputFormat.text.render(.text("hello")) == "hello")
    }

    // MARK: Private API

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
}
