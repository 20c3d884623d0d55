import Foundation
import LeaseLanguage
import Testing

/// `lease test FILE…` as an analyst runs it (LANGUAGE.md section 13): the
/// project's examples pass, a copy with wrong expectations fails at the right
/// lines with expected and got, and an `assert` names its message and place.
/// The binary is the one the CLI tests use; `LEASE_TEST_BINARY` overrides it.
@Suite("lease test", .serialized)
struct LeaseTestCommandTests {
    static func lease(_ args: [String]) throws -> CLI.Output {
        if let p = ProcessInfo.processInfo.environment["LEASE_TEST_BINARY"], !p.isEmpty {
            return try CLI.spawn(URL(fileURLWithPath: p), args, stdin: "", environment: [:])
        }
        return try CLI.run(args)
    }

    static var examples: [String] {
        Corpus.files(under: "examples").map { Corpus.root.appendingPathComponent($0).path }
    }

    static func lastLine(_ s: String) -> String {
        String(s.split(separator: "\n").last ?? "")
    }

    @Test("the project's examples pass, every expectation counted", arguments: ["scalar", "vector"])
    func examplesPass(engine: String) throws {
        let files = Self.examples
        #expect(files.count >= 8)
        var count = 0
        for f in files { count += ScriptExpectations.parse(try String(contentsOfFile: f, encoding: .utf8)).count }
        let r = try Self.lease(["test", "--engine", engine] + files)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout == "\(count) passed, 0 failed\n", "\(r.stdout)")
    }

    @Test("a copy with wrong expectations fails at their lines, with expected and got")
    func wrongCopyFails() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOfFile: Corpus.root.appendingPathComponent("examples/01-numbers-and-units.lease").path,
                                  encoding: .utf8)
        var lines = original.components(separatedBy: "\n")
        // Two wrong values and one wrong line of a printed value.
        let edits = [("# expect: 300 MW", "# expect: 301 MW", "300 MW"), ("# expect: $45B", "# expect: $46B", "$45B")]
        var wrongAt: [Int] = []
        for (from, to, _) in edits {
            let i = try #require(lines.firstIndex { $0.hasSuffix(from) })
            lines[i] = lines[i].replacingOccurrences(of: from, with: to)
            wrongAt.append(i + 1)
        }
        let copy = dir.appendingPathComponent("wrong.lease")
        try lines.joined(separator: "\n").write(to: copy, atomically: true, encoding: .utf8)
        let total = ScriptExpectations.parse(original).count

        let r = try Self.lease(["test", copy.path])
        #expect(r.status == 1)
        let out = r.stdout.split(separator: "\n").map(String.init)
        #expect(out == [
            "\(copy.path):\(wrongAt[0]): expected `301 MW`, got `300 MW`",
            "\(copy.path):\(wrongAt[1]): expected `$46B`, got `$45B`",
            "\(total - 2) passed, 2 failed",
        ], "\(r.stdout)")

        // The good original and the wrong copy together: counts add up.
        let both = try Self.lease(["test", Corpus.root.appendingPathComponent("examples/01-numbers-and-units.lease").path, copy.path])
        #expect(both.status == 1)
        #expect(Self.lastLine(both.stdout) == "\(2 * total - 2) passed, 2 failed")
    }

    @Test("an assert failure reports its message at file:line:col with the line and a caret")
    func assertFailure() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("deal.lease")
        try """
            let rate = $1.25B / month
            rate * 36 months          # expect: $45B
              assert(rate < $1B / month, "rate above budget")
            rate                      # expect: $1.25B/month

            """.write(to: file, atomically: true, encoding: .utf8)
        let r = try Self.lease(["test", file.path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\(file.path):3:3: expected no error, got error: rate above budget\n"), "\(r.stdout)")
        #expect(r.stdout.contains(#"assert(rate < $1B / month, "rate above budget")"#), "quotes the line: \(r.stdout)")
        #expect(r.stdout.contains("^"), "a caret under the call: \(r.stdout)")
        #expect(r.stdout.contains("\(file.path):4: expected `$1.25B/month`, got no more output"), "\(r.stdout)")
        #expect(Self.lastLine(r.stdout) == "1 passed, 2 failed")
    }

    @Test("# expect-error: passes when the script stops there, and fails elsewhere")
    func expectError() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.lease")
        try "1 + 1   # expect: 2\n[1, 2][5]\n# expect-error: 2:8 out of range\n".write(to: good, atomically: true, encoding: .utf8)
        let bad = dir.appendingPathComponent("bad.lease")
        try "1 + 1   # expect: 2\n3\n# expect-error: 2:1\n".write(to: bad, atomically: true, encoding: .utf8)
        let ok = try Self.lease(["test", good.path])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout == "2 passed, 0 failed\n", "\(ok.stdout)")
        let fail = try Self.lease(["test", bad.path])
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("\(bad.path):1: expected no more output after this line, got `3`"), "\(fail.stdout)")
        #expect(fail.stdout.contains("\(bad.path):3: expected an error at 2:1, got no error"), "\(fail.stdout)")
        #expect(Self.lastLine(fail.stdout) == "1 passed, 2 failed")
    }

    @Test("a script without expectations fails; a missing file is a usage error")
    func noExpectationsAndMissingFile() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain.lease")
        try "1 + 1\n".write(to: plain, atomically: true, encoding: .utf8)
        let r = try Self.lease(["test", plain.path])
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("\(plain.path):1: expected `# expect:` or `# expect-error:` lines, got none\n"), "\(r.stdout)")
        let missing = try Self.lease(["test", dir.appendingPathComponent("nope.lease").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"), "\(missing.stderr)")
        let none = try Self.lease(["test"])
        #expect(none.status == 2)
    }
}

/// The expectation checker itself, without the binary.
@Suite("Expectation checker")
struct ExpectationCheckerTests {
    @Test("expectations are read with their line numbers; the last expect-error counts")
    func parse() {
        let ex = ScriptExpectations.parse("1  # note   # expect: 1\n\n# expect: two words \nx # expect:\n# expect-error: 9:2 bad thing\n")
        #expect(ex.outputs == [.init(line: 1, text: "1"), .init(line: 3, text: "two words"), .init(line: 4, text: "")])
        #expect(ex.error == .init(line: 5, errorLine: 9, errorColumn: 2, text: "bad thing"))
        #expect(ex.count == 4)
    }

    @Test("a value of several lines is matched line by line, in order")
    func multiLine() {
        let script = """
            cluster k { power: 1 MW; gpus: 2 gpu }
            k
            # expect: cluster k {
            # expect:   power: 1 MW
            # expect:   gpus: 2 gpus
            # expect: }
            """
        let r = ExpectationRunner.run(SourceFile(name: "k.lease", text: script))
        #expect(r.ok, "\(r.failures)")
        #expect(r.passed == 4)
    }

    @Test("a check error means nothing runs: every output expectation fails at its own line")
    func checkError() {
        let r = ExpectationRunner.run(SourceFile(name: "c.lease", text: "1  # expect: 1\ny + 1  # expect: 2\n"))
        #expect(r.printed.isEmpty)
        #expect(r.failures.map(\.line) == [1, 2, 2])
        #expect(r.failures[0].description.hasPrefix("c.lease:1: expected `1`, got no more output (the script stopped: error at 2:1"))
        #expect(r.failures[2].description.hasPrefix("c.lease:2:1: expected no error, got error:"))
    }
}
