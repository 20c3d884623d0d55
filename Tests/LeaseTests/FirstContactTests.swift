import Foundation
import Testing

import LeaseLanguage
@testable import LeaseREPL

/// What a new user meets first: `lease --help`, usage errors, `:help`, and
/// scripts that are not text or not files. The binary is the one the CLI
/// tests use (`LEASE_TEST_BINARY` overrides it). Run with
/// `swift test --filter FirstContactTests`.
@Suite("First contact", .serialized)
struct FirstContactTests {
    static func lease(_ args: [String], stdin: String = "", stdinData: Data? = nil) throws -> CLI.Output {
        if let p = ProcessInfo.processInfo.environment["LEASE_TEST_BINARY"], !p.isEmpty {
            return try CLI.spawn(URL(fileURLWithPath: p), args, stdin: stdin, environment: [:])
        }
        return try CLI.run(args, stdin: stdin)
    }

    @Test("lease --help shows how to run a file and an expression, the options and the subcommands")
    func help() throws {
        for flag in ["--help", "-h"] {
            let r = try Self.lease([flag])
            #expect(r.status == 0)
            for word in ["-e", "--eval", "--format", "--threads", "--no-color", "FILE", "check", "lease -e '", "lease examples/"] {
                #expect(r.stdout.contains(word), "`lease \(flag)` mentions \(word):\n\(r.stdout)")
            }
            #expect(!r.stdout.contains("lease run"), "\(r.stdout)")
        }
        // --help after other arguments shows the same text.
        let late = try Self.lease(["-e", "1", "--help"])
        #expect(late.status == 0)
        #expect(late.stdout.contains("--threads"), "\(late.stdout)\(late.stderr)")
    }

    @Test("usage errors show lease's usage and never a `run` subcommand", arguments: [
        ["--bogus"], ["--format", "xml", "-e", "1"], ["--threads", "0", "-e", "1"], ["-e"],
    ])
    func usageErrors(args: [String]) throws {
        let r = try Self.lease(args)
        #expect(r.status == 2)
        #expect(!r.stderr.contains("lease run"), "\(r.stderr)")
        #expect(!r.stderr.contains("'run"), "\(r.stderr)")
    }

    @Test("invalid UTF-8 is the same error from a file, from `-` and from stdin")
    func invalidUTF8() throws {
        let dir = try DataLossTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bad.lease"
        try Data(Array("1 + ".utf8) + [0xFF] + Array(" 2\n".utf8)).write(to: URL(fileURLWithPath: path))
        let file = try Self.lease([path])
        #expect(file.status == 1)
        #expect(file.stderr.contains("bad.lease:1:5: error: this is not UTF-8 text: invalid byte 0xFF"), "\(file.stderr)")
        let piped = try CLI.spawn(try Self.binary(), [], stdinData: Data(Array("1 + ".utf8) + [0xFF] + Array(" 2\n".utf8)))
        #expect(piped.status == 1)
        #expect(piped.stderr.contains("<stdin>:1:5: error: this is not UTF-8 text: invalid byte 0xFF"), "\(piped.stderr)")
        let dash = try CLI.spawn(try Self.binary(), ["-"], stdinData: Data([0x31, 0x20, 0xFE]))
        #expect(dash.status == 1)
        #expect(dash.stderr.contains("<stdin>:1:3: error: this is not UTF-8 text: invalid byte 0xFE"), "\(dash.stderr)")
    }

    @Test("a directory given as a script says it is a directory")
    func directory() throws {
        let dir = try DataLossTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Self.lease([dir])
        #expect(r.status == 2)
        #expect(r.stderr == "lease: cannot read \(dir): it is a directory, not a file\n", "\(r.stderr)")
    }

    @Test("a NUL in a script is named U+0000")
    func nul() throws {
        let r = try Self.lease([], stdin: "1 +\u{0} 2\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("unexpected character U+0000"), "\(r.stderr)")
    }

    @Test(":help's examples run as written")
    func helpExamples() throws {
        let s = Session()
        for line in Help.text(topic: "scenarios").split(separator: "\n") where line.hasPrefix("scenario ") {
            #expect(s.run(SourceFile(name: "<help>", text: String(line))) == nil, "\(line)")
        }
        // The overview's scenario name must be one a user can declare.
        let general = Help.text(topic: nil)
        guard let r = general.range(of: "scenario ") else {
            Issue.record("no scenario in :help")
            return
        }
        let name = general[r.upperBound...].prefix { $0.isLetter || $0 == "_" }
        let decl = "scenario \(name) { p: [1, 2] }"
        #expect(Session().run(SourceFile(name: "<help>", text: decl)) == nil, "\(decl)")
    }

    static func binary() throws -> URL {
        if let p = ProcessInfo.processInfo.environment["LEASE_TEST_BINARY"], !p.isEmpty { return URL(fileURLWithPath: p) }
        guard let b = CLI.binary else { throw CLI.NoBinary() }
        return b
    }
}

extension CLI {
    /// Runs the binary with raw bytes on stdin.
    static func spawn(_ executable: URL, _ args: [String], stdinData: Data) throws -> Output {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        p.environment = env
        p.currentDirectoryURL = FileManager.default.temporaryDirectory
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = out
        p.standardError = err
        try p.run()
        input.fileHandleForWriting.write(stdinData)
        try? input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
