import Foundation
import LeaseCore
import Testing

@testable import LeaseLanguage
@testable import LeaseREPL

/// Unit tests of the REPL's pieces that need no terminal: Tab completion,
/// the `:save` writer (a saved session reloads to the same bindings and
/// model), and the history file.
enum REPLUnitFixtures {
    static let deal = """
        cluster colossus1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu; gpu_model: "GB200" }
        contract anthropic { lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1; start: 2026-05; end: 2029-05; rate: $1.25B / month; discounts: [2026-05: 50%, 2026-06: 50%]; notice: 90 days }
        """

    /// A session that has run `source`; fails the test on an error.
    static func session(_ source: String, name: String = "<setup>") throws -> Session {
        let s = Session()
        if let d = s.run(SourceFile(name: name, text: source)) {
            Issue.record("setup failed: \(d.render(color: false))")
            throw d
        }
        return s
    }

    /// A fresh temporary directory, removed by the caller.
    static func tempDir() throws -> String {
        let path = NSTemporaryDirectory() + "lease-repl-unit-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// The REPL unit tests; run them with `swift test --filter REPLUnitTests`.
@Suite("REPL unit tests")
struct REPLUnitTests {}

// MARK: - Completion

extension REPLUnitTests {
    @Suite("completion")
    struct Completion {
        let completer: Completer

        init() throws {
            let session = try REPLUnitFixtures.session(
                REPLUnitFixtures.deal + """

                    let principal_amount = 5
                    let rec = {alpha: 1, beta: "b"}
                    fn f_alpha(x) = x * 2
                    scenario sweep_grid { discount: 0% .. 60% step 10% }
                    cluster k { power: 300 MW; gpus: 10 gpu }
                    """)
            completer = Completer(session: session)
        }

        @Test("a bound name completes from its prefix")
        func names() {
            let (word, candidates) = completer.complete("princ")
            #expect(word == "princ")
            #expect(candidates == ["principal_amount"])
        }

        @Test("a name after an operator or inside a call completes")
        func nameInExpression() {
            #expect(completer.complete("1 + princ") == ("princ", ["principal_amount"]))
            let (w, c) = completer.complete("total(anthr")
            #expect(w == "anthr")
            #expect(c == ["anthropic"])
        }

        @Test("functions, scenarios, clusters and contracts are names")
        func declaredNames() {
            #expect(completer.complete("f_al").1 == ["f_alpha"])
            #expect(completer.complete("sweep").1 == ["sweep_grid"])
            #expect(completer.complete("coloss").1 == ["colossus1"])
        }

        @Test("built-in functions and keywords complete")
        func builtins() {
            #expect(completer.complete("np").1.contains("npv"))
            #expect(completer.complete("termin").1.contains("terminate"))
            #expect(completer.complete("sched").1.contains("schedule"))
            let contr = completer.complete("contr").1
            #expect(contr.contains("contract"), "the keyword")
            #expect(contr.contains("contracts"), "the built-in")
            #expect(completer.complete("clus").1.contains("cluster"))
        }

        @Test("candidates are sorted and all start with the word")
        func sortedAndPrefixed() {
            for prefix in ["c", "p", "t", "s", "m"] {
                let (w, c) = completer.complete(prefix)
                #expect(w == prefix)
                #expect(!c.isEmpty)
                #expect(c == c.sorted(), "for \(prefix)")
                #expect(c.allSatisfy { $0.hasPrefix(prefix) }, "for \(prefix): \(c)")
                #expect(Set(c).count == c.count, "no duplicates for \(prefix)")
            }
        }

        @Test("no candidates for an unknown prefix, an empty word or a number")
        func nothing() {
            #expect(completer.complete("zzqx").1.isEmpty)
            #expect(completer.complete("").1.isEmpty)
            #expect(completer.complete("1 + ").1.isEmpty)
            #expect(completer.complete("12").1.isEmpty)
        }

        @Test("fields of a contract after a dot")
        func contractFields() {
            let (w, c) = completer.complete("anthropic.")
            #expect(w == "")
            for f in ["rate", "cluster", "start", "end", "discounts", "notice", "lessor", "lessee", "gpus", "power", "months"] {
                #expect(c.contains(f), "anthropic. offers \(f): \(c)")
            }
            #expect(completer.complete("anthropic.ra") == ("ra", ["rate"]))
            #expect(completer.complete("anthropic.le").1.sorted() == ["lessee", "lessor"])
        }

        @Test("fields of a cluster, and through a contract's cluster")
        func clusterFields() {
            #expect(completer.complete("k.po") == ("po", ["power"]))
            #expect(completer.complete("k.g").1.sorted() == ["gpu_model", "gpus"])
            #expect(completer.complete("anthropic.cluster.si") == ("si", ["site"]))
            #expect(completer.complete("total(anthropic.cluster.po") == ("po", ["power"]))
        }

        @Test("fields of a record")
        func recordFields() {
            #expect(completer.complete("rec.") == ("", ["alpha", "beta"]))
            #expect(completer.complete("rec.al") == ("al", ["alpha"]))
        }

        @Test("no fields after an unknown name or a number")
        func noFields() {
            #expect(completer.complete("nosuch.").1.isEmpty)
            #expect(completer.complete("principal_amount.").1.isEmpty)
            #expect(completer.complete("1.").1.isEmpty)
        }

        @Test("completing a field does not print, bind `_` or change the session")
        func noSideEffects() throws {
            let lines = ListBox()
            let s = Session { e in lines.add(OutputFormat.text.render(e)) }
            #expect(s.run(SourceFile(name: "x", text: REPLUnitFixtures.deal)) == nil)
            let before = s.globalOrder
            _ = Completer(session: s).complete("anthropic.ra")
            #expect(lines.items.isEmpty)
            #expect(s.globalOrder == before)
            #expect(s.globals["_"] == nil)
        }

        @Test("units after a number")
        func units() {
            let (w, c) = completer.complete("300 M")
            #expect(w == "M")
            #expect(c.contains("MW"))
            #expect(c.contains("MWh"))
            #expect(c.allSatisfy { $0.hasPrefix("M") })
            #expect(completer.complete("90 da").1.contains("day"))
            #expect(completer.complete("220_000 gp").1.contains("gpu"))
            #expect(completer.complete("1.87T KR").1 == ["KRW"])
            #expect(completer.complete("$1.25B / 12 mon").1.contains("month"))
        }

        @Test("after a number and a space every unit is offered")
        func unitsEmptyWord() {
            let (w, c) = completer.complete("300 ")
            #expect(w == "")
            #expect(c.contains("MW"))
            #expect(c.contains("month"))
            #expect(c.allSatisfy { $0.first?.isLetter == true })
        }

        @Test("a name ending in digits is not a number")
        func nameWithDigits() {
            // `colossus1 ` is not `1 `: after a name and a space nothing is offered.
            #expect(completer.complete("colossus1 ").1.isEmpty)
            #expect(completer.complete("x2 ").1.isEmpty)
        }

        @Test("commands after a colon")
        func commands() {
            #expect(completer.complete(":") == (":", Completer.commands))
            #expect(completer.complete(":sa") == (":sa", [":save"]))
            #expect(Set(completer.complete(":t").1) == [":type", ":time", ":tutorial"])
            #expect(completer.complete(":q") == (":q", [":quit"]))
            #expect(completer.complete("  :he").1 == [":help"])
            for c in [":help", ":load", ":save", ":ls", ":type", ":time", ":reset", ":tutorial", ":quit"] {
                #expect(Completer.commands.contains(c))
            }
        }

        @Test("help topics after :help")
        func helpTopics() {
            #expect(completer.complete(":help u") == ("u", ["units"]))
            #expect(completer.complete(":help c").1.sorted() == ["clusters", "contracts"])
        }

        @Test("names and fields after :type and :time")
        func typeArgument() {
            #expect(completer.complete(":type k.po") == ("po", ["power"]))
            #expect(completer.complete(":time princ") == ("princ", ["principal_amount"]))
        }

        @Test("file paths after :load and :save")
        func paths() throws {
            let dir = try REPLUnitFixtures.tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let fm = FileManager.default
            #expect(fm.createFile(atPath: dir + "/alpha.lease", contents: Data()))
            #expect(fm.createFile(atPath: dir + "/beta.lease", contents: Data()))
            #expect(fm.createFile(atPath: dir + "/.hidden.lease", contents: Data()))
            try fm.createDirectory(atPath: dir + "/alps", withIntermediateDirectories: false)
            #expect(fm.createFile(atPath: dir + "/alps/inner.lease", contents: Data()))

            let (w, c) = completer.complete(":load \(dir)/al")
            #expect(w == "\(dir)/al")
            #expect(c == ["\(dir)/alpha.lease", "\(dir)/alps/"])
            #expect(completer.complete(":save \(dir)/b").1 == ["\(dir)/beta.lease"])
            #expect(completer.complete(":load \(dir)/alps/").1 == ["\(dir)/alps/inner.lease"])
            // Hidden files only when asked for.
            #expect(!completer.complete(":load \(dir)/").1.contains("\(dir)/.hidden.lease"))
            #expect(completer.complete(":load \(dir)/.h").1 == ["\(dir)/.hidden.lease"])
            #expect(completer.complete(":load \(dir)/nothing").1.isEmpty)
            #expect(completer.complete(":load /no/such/dir/x").1.isEmpty)
        }
    }
}

final class ListBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func add(_ s: String) {
        lock.lock()
        values.append(s)
        lock.unlock()
    }
    var items: [String] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}

// MARK: - :save round trip

extension REPLUnitTests {
    @Suite(":save writer round trip")
    struct SaveRoundTrip {
        /// Runs `source`, writes the session with `script()`, runs that text in
        /// a fresh session and compares every binding and model object.
        static func roundTrip(_ source: String, queries: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let a = try REPLUnitFixtures.session(source)
            let text = a.script()
            let b = Session()
            if let d = b.run(SourceFile(name: "<saved>", text: text)) {
                Issue.record("the saved script does not run:\n\(d.render(color: false))\n--- script ---\n\(text)", sourceLocation: sourceLocation)
                return
            }
            let namesA = a.globalOrder.filter { $0 != "_" }
            let namesB = b.globalOrder.filter { $0 != "_" }
            #expect(namesA == namesB, "bindings, in order\n--- script ---\n\(text)", sourceLocation: sourceLocation)
            for name in namesA {
                guard let va = a.globals[name] else { continue }
                guard let vb = b.globals[name] else {
                    Issue.record("`\(name)` is missing after reload\n--- script ---\n\(text)", sourceLocation: sourceLocation)
                    continue
                }
                #expect(Format.value(va) == Format.value(vb), "`\(name)` displays the same", sourceLocation: sourceLocation)
                #expect(va == vb, "`\(name)` is the same value (full precision): \(va) vs \(vb)", sourceLocation: sourceLocation)
                #expect(va.typeName == vb.typeName, "`\(name)` has the same type", sourceLocation: sourceLocation)
            }
            #expect(a.model.clusters.map(\.name) == b.model.clusters.map(\.name), sourceLocation: sourceLocation)
            for (ka, kb) in zip(a.model.clusters, b.model.clusters) {
                #expect(Format.value(.cluster(ka)) == Format.value(.cluster(kb)), "cluster \(ka.name)", sourceLocation: sourceLocation)
                #expect(ka == kb, "cluster \(ka.name) at full precision", sourceLocation: sourceLocation)
            }
            #expect(a.model.contracts.map(\.name) == b.model.contracts.map(\.name), sourceLocation: sourceLocation)
            for (ca, cb) in zip(a.model.contracts, b.model.contracts) {
                #expect(Format.value(.contract(ca)) == Format.value(.contract(cb)), "contract \(ca.name)", sourceLocation: sourceLocation)
                #expect(ca == cb, "contract \(ca.name) at full precision", sourceLocation: sourceLocation)
            }
            #expect(a.model.rates == b.model.rates, "fx rates", sourceLocation: sourceLocation)
            #expect(a.fxSources == b.fxSources, sourceLocation: sourceLocation)
            #expect(a.functionOrder == b.functionOrder, sourceLocation: sourceLocation)
            #expect(a.scenarioOrder == b.scenarioOrder, sourceLocation: sourceLocation)
            #expect(a.scenarioOrder.map { a.scenarios[$0]?.source } == b.scenarioOrder.map { b.scenarios[$0]?.source }, sourceLocation: sourceLocation)
            #expect(a.listing() == b.listing(), ":ls is the same", sourceLocation: sourceLocation)
            for q in queries {
                let ra = a.evaluate(q), rb = b.evaluate(q)
                switch (ra, rb) {
                case (.success(let x), .success(let y)):
                    #expect(Format.value(x) == Format.value(y), "query \(q)", sourceLocation: sourceLocation)
                case (.failure(let d), _):
                    Issue.record("query \(q) fails before saving: \(d.render(color: false))", sourceLocation: sourceLocation)
                case (_, .failure(let d)):
                    Issue.record("query \(q) fails after reload: \(d.render(color: false))\n--- script ---\n\(text)", sourceLocation: sourceLocation)
                }
            }
            // Saving the reloaded session writes the same script again.
            #expect(b.script() == text, "the script is a fixed point", sourceLocation: sourceLocation)
        }

        @Test("fx rates")
        func fx() throws {
            try Self.roundTrip("""
                fx 1 USD = 1500 KRW
                fx 1 EUR = 1.08 USD
                let won = $3M -> KRW
                """, queries: ["$1B -> KRW", "€1M -> USD"])
        }

        @Test("clusters, with and without optional fields")
        func clusters() throws {
            try Self.roundTrip("""
                cluster colossus1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu; gpu_model: "GB200" }
                cluster k2 { power: 1.5 GW; gpus: 100_000 gpu }
                """, queries: ["colossus1.site", "k2.power", "colossus1.gpu_model"])
        }

        @Test("a contract")
        func contract() throws {
            try Self.roundTrip(REPLUnitFixtures.deal, queries: ["total(anthropic)", "npv(anthropic, 8%)", "payment(anthropic, 2026-05)", "months(anthropic)"])
        }

        @Test("a contract with share, escalation and an awkward percentage")
        func contractAllFields() throws {
            try Self.roundTrip("""
                cluster k2 { power: 150 MW; gpus: 100_000 gpu }
                contract c2 { lessor: "xAI"; lessee: "OpenAI"; cluster: k2; share: 7%; start: 2026-07; end: 2028-06; rate: €500M / month; discounts: [2026-07: 29%]; escalation: 3%; notice: 60 days }
                """, queries: ["total(c2)", "c2.share", "c2.gpus", "payment(c2, 2027-07)"])
        }

        @Test("a `with` copy of a contract bound by let")
        func withCopy() throws {
            try Self.roundTrip(REPLUnitFixtures.deal + "\nlet cheaper = anthropic with {rate: $1B/month}\nlet later = anthropic with {start: 2026-07, discounts: [:]}",
                               queries: ["total(cheaper)", "total(later)", "total(anthropic)"])
        }

        @Test("a `with` copy of a cluster bound by let")
        func clusterCopy() throws {
            try Self.roundTrip(REPLUnitFixtures.deal + "\nlet bigger = colossus1 with {power: 400 MW}", queries: ["bigger.power"])
        }

        @Test("a terminated contract bound by let")
        func terminated() throws {
            try Self.roundTrip(REPLUnitFixtures.deal + "\nlet ended = terminate(anthropic, notice_on: 2027-01-01)",
                               queries: ["total(ended)", "ended.end", "months(ended)"])
        }

        @Test("functions, including one that reads a binding")
        func functions() throws {
            try Self.roundTrip("""
                let base = $1M
                fn f(x) = x * 2 + $1M
                fn g(x, y) = x * y + base
                """, queries: ["f($3M)", "g($1M, 3)", "g($1M, y: 5)"])
        }

        @Test("scenario declarations")
        func scenarios() throws {
            try Self.roundTrip(REPLUnitFixtures.deal + """

                scenario grid { discount: 0% .. 60% step 10%; notice_on: 2026-06-01 .. 2027-06-01 step 1 month }
                scenario mc { rate: uniform($1.0B, $1.5B) / month; samples: 1000; seed: 42 }
                """)
        }

        @Test("numbers")
        func numbers() throws {
            try Self.roundTrip("""
                let n = 42
                let neg = -3.5
                let third = 1 / 3
                let big = 1.5e20
                let tiny = 0.0000001
                let zero = 0
                let huge_int = 123456789012345678
                """, queries: ["third * 3", "big / 1e20", "tiny * 1e7"])
        }

        @Test("percentages")
        func percentages() throws {
            try Self.roundTrip("""
                let p = 8%
                let pneg = -5%
                let frac = 12.5%
                let odd = 7%
                let shown = 0.25 -> %
                """, queries: ["p * 100", "pneg + p", "odd * 100"])
        }

        @Test("money and money per unit")
        func money() throws {
            try Self.roundTrip("""
                let money = $1.25B
                let small = $7.78
                let won = ₩1.87T
                let euros = 3 EUR
                let rate = $2.5/gpu/h
                let monthly = $1.25B / month
                let per_mw = $1.25B / month / 300 MW
                let negative = -$3M
                """, queries: ["monthly * 37 months", "rate * 1000 gpu * 1 h", "per_mw * 300 MW"])
        }

        @Test("other quantities")
        func quantities() throws {
            try Self.roundTrip("""
                let pw = 300 MW
                let en = 300 MW * 2 h
                let notice = 90 days
                let accel = 220_000 gpu
                let gh = 1000 gpu_h
                """, queries: ["en -> MWh", "notice -> h"])
        }

        @Test("dates")
        func dates() throws {
            try Self.roundTrip("""
                let d1 = 2026-05
                let d2 = 2026-08-18
                let later = 2026-05-31 + 1 months
                """, queries: ["d2 - 2026-08-01", "year(d1)"])
        }

        @Test("bools and strings with braces, quotes, backslashes and newlines")
        func strings() throws {
            try Self.roundTrip(#"""
                let flag = true
                let off = false
                let str = "a {{brace}} and \"quotes\" and \\ backslash"
                let str2 = "line1\nline2"
                let interp = "total {1 + 1} and }"
                let empty = ""
                let unicode = "€ → ₩ — ok"
                """#)
        }

        @Test("lists")
        func lists() throws {
            try Self.roundTrip("""
                let xs = [1, 2, 3]
                let negs = [-1, 2.5, -3]
                let ms = [$1M, $2.5M]
                let ds = 2026-05 .. 2026-08
                let firsts = 2026-06-01 .. 2026-12-01 step 1 month
                let strs = ["a{{b", "c\\"d"]
                let nested = [[1, 2], [3]]
                """, queries: ["sum(xs)", "count(ds)"])
        }

        @Test("maps")
        func maps() throws {
            try Self.roundTrip("""
                let mp = [2026-05: 50%, 2026-06: 25%]
                let by_num = [1: $2M, 2: $3M]
                let by_name = ["a": 1, "b": 2]
                """)
        }

        @Test("records and tables")
        func records() throws {
            try Self.roundTrip(REPLUnitFixtures.deal + """

                let rec = {name: "x {{y}}", amount: $3M, when: 2026-05}
                let nested = {inner: {xs: [1, 2]}, m: [1: 2]}
                let sched = schedule(anthropic)
                let ks = [colossus1]
                """)
        }

        @Test("every kind of object in one session")
        func everything() throws {
            try Self.roundTrip("""
                fx 1 USD = 1500 KRW
                cluster colossus1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu; gpu_model: "GB200" }
                cluster k2 { power: 150 MW; gpus: 100_000 gpu }
                contract anthropic { lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1; start: 2026-05; end: 2029-05; rate: $1.25B / month; discounts: [2026-05: 50%, 2026-06: 50%]; notice: 90 days }
                contract c2 { lessor: "xAI"; lessee: "OpenAI"; cluster: k2; share: 25%; start: 2026-07; end: 2028-06; rate: $500M / month; escalation: 3%; notice: 60 days }
                let cheaper = anthropic with {rate: $1B/month}
                let ended = terminate(anthropic, notice_on: 2027-01-01)
                fn f(x) = x * 2 + $1M
                scenario grid { discount: 0% .. 60% step 10% }
                let n = 42
                let p = 8%
                let money = $2.5M
                let rate = $2.5/gpu/h
                let d = 2026-08-18
                let xs = [1, 2, 3]
                let mp = [2026-05: 50%]
                let rec = {a: 1, b: "q\\"{{"}
                total(anthropic)
                """, queries: ["total(anthropic)", "total(c2)", "total(cheaper)", "total(ended)", "f(money)", "money -> KRW", "revenue(\"xAI\", 2027)"])
        }

        @Test("an empty session saves to a script that runs")
        func empty() throws {
            let s = Session()
            let text = s.script()
            #expect(text.hasPrefix("# lease session"))
            #expect(Session().run(SourceFile(name: "<saved>", text: text)) == nil)
        }

        @Test("`_` is not saved")
        func underscore() throws {
            let s = try REPLUnitFixtures.session("let x = 5\nx + 1")
            #expect(!s.script().contains("let _"))
        }
    }
}

// MARK: - History file

extension REPLUnitTests {
    @Suite("history file")
    struct History {
        @Test("entries are kept newest last, without duplicates, and written at once")
        func dedupe() throws {
            let dir = try REPLUnitFixtures.tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/history"
            let h = HistoryFile(path: path)
            #expect(h.lines.isEmpty)
            h.add("let a = 41")
            h.add("a + 1")
            h.add("let a = 41")
            h.add("   ")
            h.add("")
            #expect(h.lines == ["a + 1", "let a = 41"])
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == "a + 1\nlet a = 41\n")
            // No temporary files left next to it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["history"])
            // A second session reads the same entries.
            #expect(HistoryFile(path: path).lines == ["a + 1", "let a = 41"])
        }

        @Test("a file with duplicates and blank lines loads deduplicated")
        func loadDedupe() throws {
            let dir = try REPLUnitFixtures.tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/history"
            try "x\ny\n\nx\nz\n".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(HistoryFile(path: path).lines == ["y", "x", "z"])
        }

        @Test("only the newest entries up to the limit are kept")
        func limit() throws {
            let dir = try REPLUnitFixtures.tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/history"
            let n = HistoryFile.limit + 5
            // A longer file (say from an older version) loads its newest entries…
            try (0..<n).map { "let v\($0) = \($0)\n" }.joined().write(toFile: path, atomically: true, encoding: .utf8)
            let h = HistoryFile(path: path)
            #expect(h.lines.count == HistoryFile.limit)
            #expect(h.lines.first == "let v5 = 5")
            #expect(h.lines.last == "let v\(n - 1) = \(n - 1)")
            // …and each new entry pushes out the oldest, in memory and on disk.
            h.add("let w = 1")
            h.add("let w2 = 2")
            #expect(h.lines.count == HistoryFile.limit)
            #expect(h.lines.first == "let v7 = 7")
            #expect(h.lines.last == "let w2 = 2")
            let reloaded = HistoryFile(path: path)
            #expect(reloaded.lines == h.lines)
            let onDisk = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(onDisk.count == HistoryFile.limit)
        }

        @Test("multi-line entries are one escaped line in the file and come back whole")
        func multiline() throws {
            let dir = try REPLUnitFixtures.tempDir()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/history"
            let entry = "cluster k {\n  power: 300 MW\n\n  gpus: 10 gpu\n}"
            let backslash = #"let s = "a\nb \\ c""#   // a literal backslash-n in a string
            let h = HistoryFile(path: path)
            h.add(entry)
            h.add(backslash)
            h.add("k.gpus")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let fileLines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(fileLines.count == 4, "three entries and the final newline: \(text)")
            #expect(fileLines.first == #"cluster k {\n  power: 300 MW\n\n  gpus: 10 gpu\n}"#)
            let reloaded = HistoryFile(path: path)
            #expect(reloaded.lines == [entry, backslash, "k.gpus"])
        }

        @Test("encode and decode are inverse")
        func codec() {
            for s in ["plain", "a\nb", #"a\nb"#, #"\\"#, "trailing\\", "\n\n", #"x\\ny"#, "€ \\ ₩\n"] {
                let e = HistoryFile.encode(s)
                #expect(!e.contains("\n"))
                #expect(HistoryFile.decode(e) == s, "\(s.debugDescription) → \(e.debugDescription)")
            }
        }

        @Test("no path keeps history in memory only")
        func noPath() {
            let h = HistoryFile(path: nil)
            h.add("1 + 1")
            h.add("1 + 1")
            #expect(h.lines == ["1 + 1"])
        }

        @Test("an unwritable path does not crash and keeps the entries")
        func unwritable() {
            let h = HistoryFile(path: "/no/such/dir/history")
            h.add("1 + 1")
            #expect(h.lines == ["1 + 1"])
        }
    }
}
