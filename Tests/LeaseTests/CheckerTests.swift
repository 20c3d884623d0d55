import Foundation
import LeaseLanguage
import Testing

/// The static checker as LANGUAGE.md section 9 describes it: files checked
/// as one session, every error reported, nothing run, a failing REPL line
/// leaving the session as it was.
@Suite("Checker", .serialized)
struct CheckerTests {
    static let lib = """
        cluster colossus1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
        let base_rate = $1.25B / month
        fn double(x) = x * 2
        """

    static let deal = """
        contract anthropic {
          lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1
          start: 2026-05; end: 2029-05; rate: double(base_rate) / 2
        }
        double(total(anthropic))
        """

    static func errors(_ ds: [Diagnostic]) -> [Diagnostic] { ds.filter { $0.severity == .error } }

    static func where_(_ d: Diagnostic) -> String {
        guard let s = d.span else { return "?" }
        return "\(s.file.name):\(s.location.line):\(s.location.column)"
    }

    // MARK: Several files, one session

    @Test("a file using the names of the file before it checks clean")
    func multiFileCheck() {
        let a = SourceFile(name: "lib.lease", text: Self.lib)
        let b = SourceFile(name: "deal.lease", text: Self.deal)
        let ds = Session().check([a, b])
        #expect(ds.isEmpty, "\(ds.map(\.description).joined(separator: "\n"))")
    }

    @Test("the same file alone does not know those names")
    func secondFileAlone() {
        let b = SourceFile(name: "deal.lease", text: Self.deal)
        let ds = Self.errors(Session().check([b]))
        #expect(!ds.isEmpty)
        #expect(ds.first.map(Self.where_) == "deal.lease:2:48", "\(ds.map(\.description))")
        #expect(ds.first?.message.contains("colossus1") == true)
    }

    @Test("files in the wrong order: the names are not known yet")
    func filesInWrongOrder() {
        let a = SourceFile(name: "lib.lease", text: Self.lib)
        let b = SourceFile(name: "deal.lease", text: Self.deal)
        #expect(!Self.errors(Session().check([b, a])).isEmpty)
    }

    @Test("errors in both files are all reported, in file and line order")
    func errorsInBothFiles() {
        let a = SourceFile(name: "a.lease", text: "let x = 1\nx + $1B\nlet y = 300 MW\ny -> KRW\n")
        let b = SourceFile(name: "b.lease", text: "x + 1\ny + $1B\nnosuch\n")
        let ds = Self.errors(Session().check([a, b]))
        #expect(ds.map(Self.where_) == ["a.lease:2:1", "a.lease:4:6", "b.lease:2:1", "b.lease:3:1"],
                "\(ds.map(\.description).joined(separator: "\n"))")
        #expect(ds[safe: 0]?.message == "cannot add dimensionless and USD")
        #expect(ds[safe: 1]?.message.contains("cannot convert power") == true)
        #expect(ds[safe: 2]?.message == "cannot add power and USD")
        #expect(ds[safe: 3]?.message == "unknown name `nosuch`")
    }

    @Test("a parse error in one file does not hide the errors of the next")
    func parseErrorThenCheckError() {
        let a = SourceFile(name: "a.lease", text: "let x = (1 +\n")
        let b = SourceFile(name: "b.lease", text: "$1B + 300 MW\n")
        let ds = Self.errors(Session().check([a, b]))
        #expect(ds.count == 2)
        #expect(ds[safe: 0]?.phase == .parse)
        #expect(ds[safe: 1].map(Self.where_) == "b.lease:1:1")
    }

    @Test("check runs nothing: no output, no binding, no model")
    func checkRunsNothing() {
        let printed = Collected()
        let session = Session { event in printed.append("\(event)") }
        let ds = session.check([SourceFile(name: "a.lease", text: Self.lib + "\nprint(\"hello\")\ndouble(3)\n")])
        #expect(ds.isEmpty)
        #expect(printed.all.isEmpty)
        #expect(session.globals.isEmpty)
        #expect(session.model == Session().model)
        #expect(session.functions.isEmpty)
    }

    @Test("run checks every file before running the first")
    func runChecksAllFilesFirst() {
        let printed = Collected()
        let session = Session { event in printed.append("\(event)") }
        let a = SourceFile(name: "a.lease", text: "print(\"from a\")\nlet x = 1\n")
        let b = SourceFile(name: "b.lease", text: "x + 300 MW\n")
        let error = session.run([a, b])
        #expect(error?.phase == .check)
        #expect(error.map(Self.where_) == "b.lease:1:1")
        #expect(printed.all.isEmpty, "a.lease ran: \(printed.all)")
        #expect(session.globals["x"] == nil)
    }

    // MARK: The REPL: a line that fails the check changes nothing

    @Test("a failing line leaves globals and the model untouched")
    func failingLineLeavesSessionUntouched() {
        let session = Session()
        #expect(session.run(SourceFile(name: "<repl>", text: Self.lib)) == nil)
        #expect(session.run(SourceFile(name: "<repl>", text: "let x = 1\n")) == nil)
        let globals = session.globals, model = session.model, order = session.globalOrder
        let functions = session.functionOrder
        let failing = [
            "let x = $1B + 300 MW",                      // would rebind x
            "let y = 2; let x = 3; y + 300 MW $",        // a parse error
            "let y = 2\nlet x = 5\ny + $1B",             // good lines before a check error
            "fn triple(v) = v * 3\ntriple($1B) + 1 MW",  // a function before the error
            "contract c { lessor: \"xAI\"; lessee: \"A\"; cluster: colossus1\n start: 2026-05; end: 2027-04; rate: 300 MW }",
            "cluster k2 { owner: \"xAI\"; site: \"x\"; power: $1; gpus: 1 gpu }",
            "fx 1 USD = 1500 KRW\n$1 -> KRW + 1 MW",
        ]
        for line in failing {
            let error = session.run(SourceFile(name: "<repl>", text: line))
            #expect(error != nil, "accepted: \(line)")
            #expect(session.globals == globals, "globals changed by: \(line)")
            #expect(session.globalOrder == order, "binding order changed by: \(line)")
            #expect(session.model == model, "model changed by: \(line)")
            #expect(session.functionOrder == functions, "functions changed by: \(line)")
            #expect(session.fxSources.isEmpty, "an exchange rate entered with: \(line)")
        }
        // The session still works: the next good line sees what came before.
        #expect(session.run(SourceFile(name: "<repl>", text: "let z = double(x)\n")) == nil)
        #expect(session.globals["z"] != nil)
    }

    @Test("typeOf answers without evaluating, even for a run of a billion samples")
    func typeOfHugeRun() throws {
        let session = Session()
        let decl = "scenario big { r: uniform(1%, 9%); d: uniform(0%, 60%); samples: 1_000_000_000; seed: 1 }\n"
        #expect(session.run(SourceFile(name: "<repl>", text: decl)) == nil)
        let t = try session.typeOf("run big: {cost: r * $1B, cut: d}").get()
        guard case .result(let fields) = t else {
            Issue.record("a run's type is a result, not \(t)")
            return
        }
        #expect(fields.map(\.name) == ["cost", "cut"])
        guard case .failure(let e) = session.typeOf("run big: r + 300 MW") else {
            Issue.record("typeOf accepted a run body adding a number to power")
            return
        }
        #expect(e.message.contains("power"))
    }

    @Test("typeOf answers the type and dimension of an expression")
    func typeOfExpressions() throws {
        let session = Session()
        guard case .quantity(let money, _) = try session.typeOf("$1.25B / month * 36 months").get() else {
            Issue.record("money is a quantity")
            return
        }
        #expect("\(money)" == "USD")
        guard case .quantity(let energy, _) = try session.typeOf("300 MW * 1 h").get() else {
            Issue.record("energy is a quantity")
            return
        }
        #expect(energy != money && !energy.isNone)
        guard case .date = try session.typeOf("2026-05 + 3 months").get() else {
            Issue.record("a month plus months is a date")
            return
        }
        guard case .list(.quantity(let d, _)) = try session.typeOf("[1, 2, 3] * $1B").get() else {
            Issue.record("a list times money is a list of money")
            return
        }
        #expect(d == money)
    }

    @Test("typeOf refuses an ill-typed expression with the checker's error")
    func typeOfRefuses() {
        guard case .failure(let e) = Session().typeOf("$1B + 300 MW") else {
            Issue.record("accepted")
            return
        }
        #expect(e.message == "cannot add USD and power")
    }

    // MARK: Through the binary

    static let userScript: String = {
        // Line 1 prints; line 40 is a function body that adds power; line 90 calls it with money.
        var lines = ["print(\"started\")"]
        while lines.count < 39 { lines.append("# notes on the deal, line \(lines.count + 1)") }
        lines.append("fn with_power(x) = x + 300 MW")
        while lines.count < 89 { lines.append("let v\(lines.count + 1) = \(lines.count + 1) MW") }
        lines.append("with_power($1B)")
        lines.append("print(\"finished\")")
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test("tried as a new user: an error in a body called on line 90 names line 90, notes line 40, runs nothing")
    func newUserScript() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("deal.lease")
        try Self.userScript.write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["--no-color", file.path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty, "something ran: \(r.stdout)")
        #expect(r.stderr.contains("deal.lease:90:1: error: cannot add USD and power"), "\(r.stderr)")
        #expect(r.stderr.contains("deal.lease:40:20: note: in the body of `with_power`"), "\(r.stderr)")
        #expect(r.stderr.contains("90 | with_power($1B)"))
        #expect(r.stderr.contains("40 | fn with_power(x) = x + 300 MW"))
        // The same through `lease check`, and through the library.
        let c = try CLI.run(["check", "--no-color", file.path])
        #expect(c.status == 1)
        #expect(c.stderr == r.stderr)
        let ds = Session().check([SourceFile(name: "deal.lease", text: Self.userScript)])
        #expect(ds.count == 1)
        #expect(ds.first?.labels.first?.span.location.line == 40)
    }

    @Test("lease check lib.lease deal.lease checks both as one session")
    func checkTwoFilesThroughBinary() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lib = dir.appendingPathComponent("lib.lease"), deal = dir.appendingPathComponent("deal.lease")
        try Self.lib.write(to: lib, atomically: true, encoding: .utf8)
        try (Self.deal + "\nprint(\"ran\")\n").write(to: deal, atomically: true, encoding: .utf8)

        let ok = try CLI.run(["check", lib.path, deal.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.isEmpty, "check runs nothing: \(ok.stdout)")
        #expect(ok.stderr.isEmpty)

        let alone = try CLI.run(["check", "--no-color", deal.path])
        #expect(alone.status == 1)
        #expect(alone.stdout.isEmpty)
        #expect(alone.stderr.contains("deal.lease:2:48: error:"), "\(alone.stderr)")

        // Running both runs them in order as one session.
        let run = try CLI.run([lib.path, deal.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasSuffix("ran\n"), "\(run.stdout)")
    }

    @Test("lease check reports every error of every file and exits 1")
    func checkReportsEveryError() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.lease"), b = dir.appendingPathComponent("b.lease")
        try "let x = 1\nx + $1B\nx\nnosuch + 1\n".write(to: a, atomically: true, encoding: .utf8)
        try "x -> KRW\n[$1B, 300 MW]\n".write(to: b, atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "--no-color", a.path, b.path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        let heads = r.stderr.split(separator: "\n").filter { $0.contains(": error: ") }.map {
            String($0.split(separator: "/").last ?? "").components(separatedBy: ": error:")[0]
        }
        #expect(heads == ["a.lease:2:1", "a.lease:4:1", "b.lease:1:6", "b.lease:2:7"], "\(r.stderr)")
    }

    @Test("warnings: exit 0 and on stderr; --strict makes them errors")
    func strict() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("w.lease")
        try """
            cluster k { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 1_000 gpu }
            contract c { lessor: "xAI"; lessee: "A"; cluster: k; start: 2026-05; end: 2027-04; rate: $1B / month }
            npv(c, 8)
            """.write(to: file, atomically: true, encoding: .utf8)
        let plain = try CLI.run(["check", "--no-color", file.path])
        #expect(plain.status == 0)
        #expect(plain.stdout.isEmpty)
        #expect(plain.stderr.contains("w.lease:3:8: warning:"), "\(plain.stderr)")
        #expect(plain.stderr.contains("`8%`"))

        let strict = try CLI.run(["check", "--strict", "--no-color", file.path])
        #expect(strict.status == 1)
        #expect(strict.stderr == plain.stderr)

        // Running the script: the warning goes to stderr and the script goes on.
        let run = try CLI.run(["--no-color", file.path])
        #expect(run.status == 0)
        #expect(!run.stdout.isEmpty)
        #expect(run.stderr.contains("warning:"))
    }

    @Test("lease check exit codes: 0 clean, 1 errors, 2 usage")
    func exitCodes() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.lease")
        try "1 + 1\n".write(to: good, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["check", good.path]).status == 0)
        #expect(try CLI.run(["check", dir.appendingPathComponent("missing.lease").path]).status == 2)
        #expect(try CLI.run(["check", dir.path]).status == 2)
        #expect(try CLI.run(["check"]).status == 2)
    }

    @Test("a used file is checked with the script: its errors stop the run before anything prints")
    func usedFileChecked() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "fn with_power(x) = x + 300 MW\n".write(to: dir.appendingPathComponent("lib.lease"), atomically: true, encoding: .utf8)
        let main = dir.appendingPathComponent("main.lease")
        try "print(\"started\")\nuse \"lib.lease\"\nwith_power($1B)\n".write(to: main, atomically: true, encoding: .utf8)
        let r = try CLI.run(["--no-color", main.path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("main.lease:3:1: error: cannot add USD and power"), "\(r.stderr)")
        #expect(r.stderr.contains("lib.lease:1:20: note:"), "\(r.stderr)")
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
