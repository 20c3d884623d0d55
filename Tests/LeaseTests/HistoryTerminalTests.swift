import Foundation
import Testing

/// The history and `:save` as a user meets them on a terminal: a history
/// file with a bad byte still recalls its entries and keeps every line, a
/// history that cannot be written says so once, and `:save` refuses a device
/// and loads back. Uses the terminal tests' driver; `LEASE_TEST_BINARY`
/// overrides the binary.
@Suite("History and :save on a terminal", .serialized, .timeLimit(.minutes(1)))
struct HistoryTerminalTests {
    static func start(_ box: TerminalSandbox, history: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> PseudoTerminal {
        let env = ProcessInfo.processInfo.environment
        guard let binary = env["LEASE_TEST_BINARY"].flatMap({ $0.isEmpty ? nil : $0 }) ?? PseudoTerminal.binary else {
            Issue.record("no lease binary: run `swift build -c release --product lease` first", sourceLocation: sourceLocation)
            throw TerminalError(description: "no lease binary")
        }
        let term = try PseudoTerminal(path: binary, environment: [
            "LEASE_HISTORY": history ?? box.history, "TERM": "xterm", "HOME": box.dir, "PATH": "/usr/bin:/bin", "NO_COLOR": "1",
        ])
        do {
            try term.expect("lease 0.1.0 — :help for help, Ctrl-D to quit\n", sourceLocation: sourceLocation)
            try term.prompt(sourceLocation: sourceLocation)
        } catch {
            term.terminate()
            throw error
        }
        return term
    }

    @Test("a history file with an invalid byte recalls its entries and keeps every line")
    func badByte() throws {
        let box = try TerminalSandbox()
        let bytes = Array("let a = 41\n".utf8) + [0x78, 0xFF, 0x0A] + Array("a + 1\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: box.history))
        let term = try Self.start(box)
        defer { term.terminate() }
        // Up twice: the entry before the bad line's neighbour.
        term.send("\u{1B}[A\u{1B}[A\r")
        try term.expect("\n")
        try term.prompt()
        try term.evaluate("a * 2", "82")
        term.send("\u{04}")
        #expect(term.waitForExit() == 0)
        let after = try [UInt8](Data(contentsOf: URL(fileURLWithPath: box.history)))
        #expect(after == Array("x".utf8) + [0xFF, 0x0A] + Array("a + 1\nlet a = 41\na * 2\n".utf8),
                "\(String(decoding: after, as: UTF8.self))")
    }

    @Test("a history that cannot be written says so once")
    func unwritable() throws {
        let box = try TerminalSandbox()
        let term = try Self.start(box, history: box.dir + "/no/such/dir/history")
        defer { term.terminate() }
        try term.evaluate("1 + 1", "2")
        try term.evaluate("2 + 2", "4")
        term.send("\u{04}")
        #expect(term.waitForExit() == 0)
        let screen = term.screen
        #expect(screen.components(separatedBy: "cannot write the history file").count == 2, "said once:\n\(screen)")
    }

    @Test(":save refuses a device and a directory, then saves and loads")
    func saveRefusesThenLoads() throws {
        let box = try TerminalSandbox()
        let term = try Self.start(box)
        defer { term.terminate() }
        try term.enter("let early = 5")
        term.line(":save /dev/full")
        try term.expect("error: cannot write /dev/full: it is a character device, not a file")
        try term.prompt()
        term.line(":save \(box.dir)")
        try term.expect("it is a directory")
        try term.prompt()
        term.line(":save \(box.dir)/s.lease")
        try term.expect("saved to \(box.dir)/s.lease")
        try term.prompt()
        term.line(":reset")
        try term.expect("session reset")
        try term.prompt()
        term.line(":load \(box.dir)/s.lease")
        try term.prompt()
        try term.evaluate("early + 1", "6")
    }
}
