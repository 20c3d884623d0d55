import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LeaseCore
import LeaseLanguage
import Testing

/// `plot(x)`: terminal charts compared with golden text, and SVG that parses
/// as XML and renders to PNG with a real renderer (LANGUAGE.md section 13).
///
/// `LEASE_UPDATE_GOLDEN=1 swift test --filter ChartTests` rewrites the golden
/// charts in Tests/Golden/charts; `LEASE_CHART_PNGS=DIR` keeps the PNGs there.
@Suite struct ChartTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let golden = root.appendingPathComponent("Golden/charts")

    static let model = Fixtures.colossus + """

        cluster colossus2 { owner: "xAI"; site: "Memphis, TN"; power: 1 GW; gpus: 550_000 gpu }
        contract early { lessor: "xAI"; lessee: "Anthropic"; cluster: colossus2; share: 25%
                         start: 2026-07; end: 2027-06; rate: $500M / month }
        contract late { lessor: "xAI"; lessee: "OpenAI"; cluster: colossus2; share: 50%
                        start: 2027-01; end: 2028-12; rate: $900M / month; escalation: 3% }
        """

    /// Values to plot, built by running lease, by name.
    static let values: [String: Value] = {
        let s = Session()
        _ = s.run(SourceFile(name: "<chart>", text: model))
        func v(_ e: String) -> Value {
            if case .success(let x) = s.evaluate(e) { return x }
            return .string("error evaluating \(e)")
        }
        var out: [String: Value] = [
            "schedule": v("schedule(anthropic)"),
            "cashflows": v("payment(anthropic, 2026-05 .. 2029-05)"),
            "amounts": v("[1, 2.5, 3, 0.5, 4] * $1B"),
            "gpus": v("capacity(colossus2, at: 2026-05 .. 2027-12).free_gpus"),
            "discounts": v("[2026-05: 50%, 2026-06: 25%, 2026-09: 10%, 2027-01: 0%]"),
            "payments": v("{early: payment(early, 2026-07 .. 2027-06), late: payment(late, 2027-01 .. 2027-12)}"),
            "histogram": .result(sampleResult),
            "dates": .result(dateResult),
            "sweep": sweep,
        ]
        // Capacity by month: a table with a month column.
        var capacity: [Value] = []
        var m = CalendarDate(year: 2026, month: 5)
        while let month = m, month.monthIndex <= (CalendarDate(year: 2029, month: 2)?.monthIndex ?? 0) {
            if case .record(let r) = v("capacity(colossus2, at: \(month))") {
                capacity.append(.record(Record([("month", .date(month))] + r.fields)))
            }
            m = month.adding(months: 1)
        }
        out["capacity"] = .list(capacity)
        // A table with a contract column: one series per contract.
        var rows: [Value] = []
        for c in ["early", "late"] {
            if case .list(let xs) = v("schedule(\(c))") {
                for case .record(let r) in xs { rows.append(.record(Record([("contract", v(c))] + r.fields))) }
            }
        }
        out["per_contract"] = .list(rows)
        return out
    }()

    /// 5,000 draws from a fixed integer generator: the same bits everywhere.
    static let sampleResult: RunResult = {
        var x: UInt64 = 42
        func next() -> Double {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return Double(x >> 11) / Double(1 << 53)
        }
        let values = (0..<5000).map { _ in 38e9 + 2.5e9 * (next() + next() + next()) }
        return RunResult(scenario: "mc", parameters: [],
                         outputs: [.init(name: "npv", values: values, unit: UnitExpr(unit: Units.currency("USD") ?? 0))])
    }()

    static let dateResult: RunResult = {
        let start = (CalendarDate(year: 2026, month: 6, day: 1)?.ordinal ?? 0)
        let values = (0..<1000).map { Double(start + ($0 * 7919) % 980) }
        return RunResult(scenario: "grid", parameters: [],
                         outputs: [.init(name: "notice_on", values: values, unit: UnitExpr(unit: Units.day), isDate: true),
                                   .init(name: "gpus", values: (0..<1000).map { Double(($0 * 37) % 101) * 1000 },
                                         unit: UnitExpr(unit: Units.gpuIndex))])
    }()

    /// Rows of a sweep: npv against the discount of the first column.
    static let sweep: Value = .list((0...6).map { i in
        let d = Double(i) * 10
        return .record(Record([("discount", .quantity(Quantity(d, UnitExpr(unit: Units.percent)))),
                               ("npv", .quantity(Quantity(41e9 - 1.3e9 * Double(i) * 0.1 * Double(10 - i) / 10,
                                                          UnitExpr(unit: Units.currency("USD") ?? 0))))]))
    })

    static let names = ["sweep", "schedule", "cashflows", "amounts", "capacity", "gpus", "discounts", "payments", "per_contract",
                        "histogram", "dates"]

    @Test(arguments: names)
    func terminalChartMatchesGolden(_ name: String) throws {
        let value = try #require(Self.values[name])
        let text = try #require(Plot.terminal(value, width: 80), "\(name) does not plot") + "\n"
        let file = Self.golden.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["LEASE_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "\(name): set LEASE_UPDATE_GOLDEN=1 to accept\n\(text)")
    }

    @Test(arguments: names)
    func everyLineFitsTheWidth(_ name: String) throws {
        let value = try #require(Self.values[name])
        for width in [80, 72, 60, 40, 24] {
            let text = try #require(Plot.terminal(value, width: width))
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                #expect(line.count <= width, "\(name) at \(width): \(line)")
            }
        }
    }

    @Test func ticksReadInTheValuesUnits() throws {
        let schedule = try #require(Plot.terminal(Self.values["schedule"] ?? .bool(false)))
        // A payment and the running total differ 36-fold: a chart each, not one flattened line.
        for label in ["payment by month", "cumulative by month", "$0", "$750M", "$1.25B", "$10B", "$40B", "2027-01"] {
            #expect(schedule.contains(label), "\(label) in\n\(schedule)")
        }
        let capacity = try #require(Plot.terminal(Self.values["capacity"] ?? .bool(false)))
        for label in ["1 GW", "0.4 GW", "0 GW", "• power", "× free_power"] { #expect(capacity.contains(label), "\(label) in\n\(capacity)") }
        let histogram = try #require(Plot.terminal(.result(Self.sampleResult)))
        #expect(histogram.contains("$42B") && histogram.contains("mc (n = 5,000)"), "\(histogram)")
        let amounts = try #require(Plot.chart(Self.values["amounts"] ?? .bool(false)))
        #expect(amounts.kind == .bars)
    }

    @Test func valuesWithNothingToDrawDoNotPlot() {
        #expect(Plot.chart(.number(3)) == nil)
        #expect(Plot.chart(.string("xAI")) == nil)
        #expect(Plot.chart(.list([])) == nil)
        #expect(Plot.chart(.list([.number(1), .string("a")])) == nil)
        #expect(Plot.svg(.bool(true)) == nil)
        #expect(Plot.terminal(.bool(true)) == nil)
    }

    /// A run with a record expression plots one histogram per output, stacked.
    @Test func aRunWithSeveralOutputsPlotsEach() throws {
        let s = Session()
        #expect(s.run(SourceFile(name: "<chart>", text: Fixtures.colossus + """

            scenario mc { rate: uniform($1.0B, $1.5B) / month; samples: 400; seed: 42 }
            let r = run mc: {total: total(anthropic with {rate: rate}), npv8: npv(anthropic with {rate: rate}, 8%)}
            """)) == nil)
        let r = try #require(s.globals["r"])
        let charts = Plot.charts(r)
        #expect(charts.map(\.title) == ["mc: total (n = 400)", "mc: npv8 (n = 400)"])
        #expect(charts.allSatisfy { $0.kind == .histogram && $0.series[0].points.map(\.y).reduce(0, +) == 400 })
        let text = try #require(Plot.terminal(r))
        #expect(text.contains("mc: total (n = 400)") && text.contains("mc: npv8 (n = 400)"))
        let svg = try #require(Plot.svg(r))
        #expect(svg.components(separatedBy: "<g transform=").count == 3)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        // What `plot(r)` keeps ([Chart]) draws as the value itself does.
        #expect(Plot.svg(charts) == svg)
        #expect(Plot.terminal(charts) == text)
    }

    /// A long series is thinned to what the columns can show, keeping its peaks.
    @Test func aLongSeriesKeepsItsPeakAndStaysSmall() throws {
        let xs: [Value] = (0..<50_000).map { .quantity(Quantity($0 == 23_457 ? 100 : 1, UnitExpr(unit: Units.index("MW") ?? 0))) }
        let text = try #require(Plot.terminal(.list(xs)))
        let top = try #require(text.split(separator: "\n").first)
        #expect(top.hasPrefix("100 MW ┤"))
        #expect(top.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "the spike reaches the top row: \(top)")
        let svg = try #require(Plot.svg(.list(xs)))
        #expect(svg.utf8.count < 100_000)
        #expect(svg.contains(",\(Self.svgTop)"), "the polyline reaches the top of the plot")
    }

    /// The y of the top grid line of a chart without a title or legend.
    static let svgTop = 16

    /// The picture's 20 bins split each of the text display's 10 in two.
    @Test func histogramBinsRefineTheTextDisplay() throws {
        let chart = try #require(Plot.chart(.result(Self.sampleResult)))
        let counts = chart.series[0].points.map { Int($0.y) }
        #expect(counts.reduce(0, +) == 5000)
        let values = Self.sampleResult.outputs[0].values
        let text = RunSummary.histogram(values, min: values.min() ?? 0, max: values.max() ?? 0, label: { "\($0)" })
        let shown = text.compactMap { $0.split(separator: " ").last.flatMap { Int($0.replacingOccurrences(of: ",", with: "")) } }
        let pairs: [Int] = (0..<10).map { (i: Int) -> Int in counts[2 * i] + counts[2 * i + 1] }
        #expect(shown == pairs)
    }

    // MARK: SVG

    static let svgNames = names + ["escaped"]

    static func svg(_ name: String) -> String? {
        if name == "escaped" {
            let rows: [Value] = (1...3).map { i in
                .record(Record([("party", .string(i == 2 ? "A&B <x> \"q\" 'r'" : "plain")), ("n", .number(Double(i)))]))
            }
            return Plot.svg(.list(rows))
        }
        return Self.values[name].flatMap(Plot.svg)
    }

    final class XMLCheck: NSObject, XMLParserDelegate, @unchecked Sendable {
        var elements: [String: Int] = [:]
        var root: String?
        var text = ""
        func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if root == nil { root = name }
            elements[name, default: 0] += 1
        }
        func parser(_ p: XMLParser, foundCharacters s: String) { text += s }
    }

    @Test(arguments: svgNames)
    func svgIsWellFormedXML(_ name: String) throws {
        let svg = try #require(Self.svg(name), "\(name) does not plot")
        let parser = XMLParser(data: Data(svg.utf8))
        let check = XMLCheck()
        parser.delegate = check
        #expect(parser.parse(), "\(name): \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(check.root == "svg")
        #expect((check.elements["text"] ?? 0) >= 4, "axes carry labels")
        #expect((check.elements["line"] ?? 0) >= 4, "axes and ticks")
        if name == "escaped" { #expect(check.text.contains("A&B <x> \"q\" 'r'")) }
        if name == "schedule" { #expect(check.text.contains("$40B") && check.text.contains("2027-01") && check.text.contains("cumulative")) }
    }

    static let rsvg: String? = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert", "/opt/homebrew/bin/rsvg-convert"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: rsvg != nil, "skipped: rsvg-convert is not installed (Debian: apt-get install librsvg2-bin)"),
          arguments: svgNames)
    func svgRendersToPNG(_ name: String) throws {
        let svg = try #require(Self.svg(name))
        let keep = ProcessInfo.processInfo.environment["LEASE_CHART_PNGS"]
        let dir = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("lease-charts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }
        let input = dir.appendingPathComponent("\(name).svg")
        let output = dir.appendingPathComponent("\(name).png")
        try svg.write(to: input, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(Self.rsvg))
        p.arguments = ["--format", "png", "--output", output.path, input.path]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(name): \(message)")
        let png = try Data(contentsOf: output)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
        // Width and height from the IHDR chunk: the SVG's own size.
        let w = png.count > 24 ? png[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
        #expect(w == 720)
        #expect(png.count > 5_000, "\(name): a picture, not a blank page")
    }
}
