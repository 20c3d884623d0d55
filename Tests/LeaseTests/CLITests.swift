import Foundation
import Testing

/// The command line as a user runs it (LANGUAGE.md section 8): the built
/// binary is spawned and its output and exit codes checked.
@Suite("Command line", .serialized)
struct CLITests {
    @Test("-e evaluates an expression and prints its value")
    func evalExpression() throws {
        let r = try CLI.run(["-e", "$1.25B/month * 37 months"])
        #expect(r.status == 0)
        #expect(r.stdout == "$46.25B\n")
        #expect(r.stderr.isEmpty)
    }

    @Test("with stdin not a terminal, lease runs it as a script without prompts")
    func stdinScript() throws {
        let r = try CLI.run([], stdin: "1 + 1\n")
        #expect(r.status == 0)
        #expect(r.stdout == "2\n")
        #expect(r.stderr.isEmpty)
    }

    @Test("a dimension error exits 1 and names both dimensions and the position")
    func dimensionError() throws {
        let r = try CLI.run(["-e", "$1B + 300 MW"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("USD"))
        #expect(r.stderr.contains("power"))
        #expect(r.stderr.contains("<expr>:1:1"))
        #expect(r.stderr.contains("^"), "the error quotes the line with a caret under the span")
    }

    @Test("usage errors exit 2", arguments: [
        ["--bogus"],
        ["--format", "xml", "-e", "1"],
        ["--threads", "0", "-e", "1"],
        ["-e"],
    ])
    func usageErrors(args: [String]) throws {
        let r = try CLI.run(args)
        #expect(r.status == 2, "lease \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)")
        #expect(!r.stderr.isEmpty)
        #expect(r.stdout.isEmpty)
    }

    @Test("`check` prints nothing for a good file and exits 1 for a bad one")
    func check() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.lease")
        let bad = dir.appendingPathComponent("bad.lease")
        try "let x = 1\nx + 1\n$1.25B / month * 37 months\n".write(to: good, atomically: true, encoding: .utf8)
        try "let x = 1\ny + 1\n".write(to: bad, atomically: true, encoding: .utf8)

        let ok = try CLI.run(["check", good.path])
        #expect(ok.status == 0)
        #expect(ok.stdout.isEmpty, "check runs nothing, so it prints nothing: \(ok.stdout)")
        #expect(ok.stderr.isEmpty)

        let fail = try CLI.run(["check", bad.path])
        #expect(fail.status == 1)
        #expect(fail.stdout.isEmpty)
        #expect(fail.stderr.contains("bad.lease:2:1"), "\(fail.stderr)")
        #expect(fail.stderr.contains("`y`"))
    }

    @Test("a script stops at its first error with exit code 1, keeping what came before")
    func scriptStopsAtFirstError() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("stops.lease")
        try "1\n[1, 2][5]\n3\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run([file.path])
        #expect(r.status == 1)
        #expect(r.stdout == "1\n")
        #expect(r.stderr.contains("stops.lease:2:"), "\(r.stderr)")
    }

    @Test("--format json prints a value as one line of JSON")
    func jsonFormat() throws {
        let r = try CLI.run(["--format", "json", "-e", "$45B"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        try #require(lines.count == 1, "one line per printed value: \(r.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect((object["value"] as? NSNumber)?.doubleValue == 45_000_000_000)
        #expect(object["unit"] as? String == "USD")
        #expect(object["text"] as? String == "$45B")
        #expect(lines[0].hasPrefix("{\"value\": 45000000000, \"unit\": \"USD\""), "\(lines[0])")
    }

    @Test("--format csv prints a table with a header")
    func csvFormat() throws {
        let script = """
            cluster k { power: 300 MW; gpus: 1000 gpu }
            contract c { lessor: "a"; lessee: "b"; cluster: k; start: 2026-05; end: 2026-07; rate: $1.25B / month }
            schedule(c)
            """
        let r = try CLI.run(["--format", "csv", "-e", script])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 4, "a header and three months: \(r.stdout)")
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.count == 3)
        #expect(header.first == "month")
        #expect(header.dropFirst().first?.hasPrefix("payment") == true)
        #expect(header.last?.hasPrefix("cumulative") == true)
        #expect(lines[1].hasPrefix("2026-05,"))
        #expect(lines[3].hasPrefix("2026-07,"))
        #expect(lines[1].split(separator: ",").count == 3)
    }

    @Test("piped output never has escape codes")
    func noEscapesWhenPiped() throws {
        let r = try CLI.run(["-e", "$1B + 300 MW"])
        #expect(!r.stderr.contains("\u{1B}["))
        #expect(!r.stdout.contains("\u{1B}["))
    }

    /// On a terminal lease colours its errors, unless NO_COLOR is set or
    /// --no-color is given. `script(1)` supplies the terminal.
    @Test("NO_COLOR and --no-color turn colour off on a terminal")
    func noColor() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
            ProcessInfo.processInfo.operatingSystemVersionString.contains("Linux") || FileManager.default.fileExists(atPath: "/proc")
        else { return }
        let binary = try #require(CLI.binary)
        let command = "\(CLI.quote(binary.path)) -e '$1B + 300 MW'"
        let colored = try CLI.runInTerminal(command, environment: ["NO_COLOR": nil])
        #expect(colored.contains("cannot add"), "\(colored)")
        #expect(colored.contains("\u{1B}["), "on a terminal errors are coloured (a control for this test)")

        let noColorEnv = try CLI.runInTerminal(command, environment: ["NO_COLOR": "1"])
        #expect(noColorEnv.contains("cannot add"))
        #expect(!noColorEnv.contains("\u{1B}["), "NO_COLOR: \(noColorEnv.debugDescription)")

        let flag = try CLI.runInTerminal("\(CLI.quote(binary.path)) --no-color -e '$1B + 300 MW'", environment: ["NO_COLOR": nil])
        #expect(flag.contains("cannot add"))
        #expect(!flag.contains("\u{1B}["), "--no-color: \(flag.debugDescription)")
    }

    @Test("a missing file exits 2 and names it", arguments: [["no-such-file.lease"], ["check", "no-such-file.lease"]])
    func missingFile(args: [String]) throws {
        let r = try CLI.run(args)
        #expect(r.status == 2)
        #expect(r.stderr.contains("no-such-file.lease"))
        #expect(r.stdout.isEmpty)
    }

    @Test("several -e run in one session, in order")
    func severalExpressions() throws {
        let r = try CLI.run(["-e", "let x = $1B", "-e", "x * 2"])
        #expect(r.status == 0)
        #expect(r.stdout == "$2B\n")
    }
}

/// Finds the built binary and runs it.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `.build/release/lease`, else `.build/debug/lease`, else `.build-helper/debug/lease`.
    static let binary: URL? = {
        for p in [".build/release/lease", ".build/debug/lease", ".build-helper/debug/lease"] {
            let u = root.appendingPathComponent(p)
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return nil
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct NoBinary: Error, CustomStringConvertible {
        var description: String { "no lease binary under \(CLI.root.path)/.build: run `swift build` first" }
    }

    static func run(_ args: [String], stdin: String = "", environment: [String: String?] = [:]) throws -> Output {
        guard let binary else { throw NoBinary() }
        return try spawn(binary, args, stdin: stdin, environment: environment)
    }

    static func spawn(_ executable: URL, _ args: [String], stdin: String, environment: [String: String?]) throws -> Output {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.currentDirectoryURL = FileManager.default.temporaryDirectory
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let box = CLIBox()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { box.out = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { box.err = err.fileHandleForReading.readDataToEndOfFile() }
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        p.waitUntilExit()
        group.wait()
        return Output(status: p.terminationStatus, stdout: String(decoding: box.out, as: UTF8.self),
                      stderr: String(decoding: box.err, as: UTF8.self))
    }

    /// Runs a shell command on a pseudo-terminal through `script(1)`; returns what it wrote there.
    static func runInTerminal(_ command: String, environment: [String: String?]) throws -> String {
        let r = try spawn(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], stdin: "",
                          environment: environment)
        return r.stdout
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func tempDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lease-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

final class CLIBox: @unchecked Sendable {
    var out = Data()
    var err = Data()
}
