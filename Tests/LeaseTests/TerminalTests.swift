import CPseudoTerminal
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The REPL as a user meets it: the real `lease` binary on a pseudo-terminal,
/// driven by keystrokes (libedit's editing keys, history, Tab, Ctrl-C and
/// Ctrl-D), with its screen output read back and ANSI escapes stripped.
///
/// `scripts/test` builds the release binary first; without one the debug
/// binary is used.

// MARK: - Driver

struct TerminalError: Error, CustomStringConvertible {
    let description: String
}

/// A program started on a new pseudo-terminal. Output is read from the
/// master side without blocking (poll) and kept; `expect` waits for text to
/// appear after the previous match.
final class PseudoTerminal {
    let pid: pid_t
    let fd: Int32
    private var bytes: [UInt8] = []
    /// Offset in `screen` after the last `expect` match.
    private var cursor: String.Index
    private(set) var exitStatus: Int32?
    private var closed = false

    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The release binary, else the debug one.
    static var binary: String? {
        for config in ["release", "debug"] {
            let p = repoRoot.appendingPathComponent(".build/\(config)/lease").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    init(path: String, arguments: [String] = [], environment: [String: String], rows: Int32 = 40, cols: Int32 = 500) throws {
        let argv = [path] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvp: [UnsafeMutablePointer<CChar>?] = envp.map { strdup($0) } + [nil]
        defer {
            for p in cArgv { free(p) }
            for p in cEnvp { free(p) }
        }
        var child: pid_t = 0
        // The test runner's threads block most signals, and a child inherits
        // the mask: unblock them around the fork so that Ctrl-C reaches the
        // program as it would from a shell.
        var none = sigset_t()
        var saved = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        let master = cpt_spawn(path, &cArgv, &cEnvp, rows, cols, &child)
        pthread_sigmask(SIG_SETMASK, &saved, nil)
        guard master >= 0 else { throw TerminalError(description: "cannot start \(path) on a pseudo-terminal: errno \(errno)") }
        pid = child
        fd = master
        let flags = fcntl(master, F_GETFL)
        _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
        cursor = "".startIndex
    }

    deinit { terminate() }

    /// Everything the program has written, with ANSI escapes removed and
    /// line ends normalised to "\n".
    var screen: String { Self.strip(String(decoding: bytes, as: UTF8.self)) }

    /// The raw bytes as text, escapes and all (for colour checks).
    var rawOutput: String { String(decoding: bytes, as: UTF8.self) }

    /// Screen text after the last match.
    var unread: String {
        let s = screen
        return cursor <= s.endIndex ? String(s[cursor...]) : ""
    }

    static func strip(_ s: String) -> String {
        var out = ""
        var it = Array(s.unicodeScalars)[...]
        while let c = it.popFirst() {
            if c == "\u{1B}" {
                guard let next = it.popFirst() else { break }
                if next == "[" {
                    // CSI: parameters and intermediates, then a final byte @…~.
                    while let d = it.popFirst() {
                        if (0x40...0x7E).contains(d.value) { break }
                    }
                } else if next == "]" {
                    // OSC: up to BEL or ESC \.
                    while let d = it.popFirst() {
                        if d == "\u{07}" { break }
                        if d == "\u{1B}" {
                            _ = it.popFirst()
                            break
                        }
                    }
                } else if "()*+".unicodeScalars.contains(next) {
                    _ = it.popFirst()
                }
                continue
            }
            if c == "\r" || c == "\u{07}" || c == "\u{08}" { continue }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// Reads whatever is available within `wait` seconds; false once the
    /// program has closed the terminal.
    @discardableResult
    func pump(wait: Double) -> Bool {
        if closed { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(0, wait * 1000))
        let r = poll(&pfd, 1, ms)
        if r <= 0 { return true }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 {
                bytes.append(contentsOf: buffer[0..<n])
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return true }
            if n < 0 && errno == EINTR { continue }
            closed = true  // EIO on Linux once the slave side is gone
            return false
        }
    }

    /// Types `text` as is.
    func send(_ text: String) {
        var data = Array(text.utf8)
        var offset = 0
        let deadline = Date().addingTimeInterval(5)
        while offset < data.count && Date() < deadline {
            let n = data.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
            } else {
                pump(wait: 0.01)
            }
        }
    }

    /// Types a line and Enter.
    func line(_ text: String) { send(text + "\r") }

    /// Waits for `substring` to appear after the previous match and moves
    /// past it; returns the screen text up to and including it.
    @discardableResult
    func expect(_ substring: String, timeout: Double = 5, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let s = screen
            let start = min(cursor, s.endIndex)
            if let r = s.range(of: substring, range: start..<s.endIndex) {
                let seen = String(s[start..<r.upperBound])
                cursor = r.upperBound
                return seen
            }
            let now = Date()
            if now >= deadline || (closed && !pump(wait: 0)) {
                let message = "timed out after \(timeout) s waiting for \(substring.debugDescription); screen since the last match:\n\(String(s[start...]))"
                Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
                throw TerminalError(description: message)
            }
            pump(wait: min(0.05, deadline.timeIntervalSince(now)))
        }
    }

    /// Waits for the prompt "> " after the previous match, and for the
    /// line editor to take the terminal.
    func prompt(timeout: Double = 5, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expect("> ", timeout: timeout, sourceLocation: sourceLocation)
        waitUntilEditing()
    }

    /// Waits for the continuation prompt "... ".
    func continuation(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expect("... ", sourceLocation: sourceLocation)
        waitUntilEditing()
    }

    /// libedit draws the prompt a few milliseconds before it puts the
    /// terminal in raw mode; a key typed in between is read by the cooked
    /// line discipline (Ctrl-C and Ctrl-D are then lost). A person cannot
    /// type that fast, so wait until canonical mode is off, as a person would.
    @discardableResult
    func waitUntilEditing(timeout: Double = 2) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var t = termios()
            if tcgetattr(fd, &t) != 0 { return false }
            if t.c_lflag & tcflag_t(ICANON) == 0 { return true }
            pump(wait: 0.002)
        }
        return false
    }

    /// Enters `input` and waits for a result line that is exactly `result`
    /// (so that it cannot be the echo of the input), then the next prompt.
    func evaluate(_ input: String, _ result: String, timeout: Double = 5, sourceLocation: SourceLocation = #_sourceLocation) throws {
        line(input)
        try expect("\n" + result + "\n", timeout: timeout, sourceLocation: sourceLocation)
        try prompt(sourceLocation: sourceLocation)
    }

    /// Enters a statement that prints nothing and waits for the next
    /// prompt; records an issue if it reports an error.
    func enter(_ input: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        line(input)
        let seen = try expect("\n> ", sourceLocation: sourceLocation)
        waitUntilEditing()
        if seen.contains("error") {
            Issue.record("`\(input)` failed:\n\(seen)", sourceLocation: sourceLocation)
        }
    }

    /// Waits for the program to end; its exit status, or -1 for a signal,
    /// or nil on timeout (the program is then killed).
    func waitForExit(timeout: Double = 5) -> Int32? {
        if let s = exitStatus { return s }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                // WIFEXITED / WEXITSTATUS, which Swift does not import.
                let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
                exitStatus = code
                pump(wait: 0)
                return code
            }
            if r < 0 { return nil }
            pump(wait: 0.02)
        }
        terminate()
        return nil
    }

    /// Kills the program if it is still running and closes the terminal.
    func terminate() {
        if exitStatus == nil {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == 0 {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                exitStatus = -1
            } else {
                exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
            }
        }
        if fd >= 0 && !closedFD {
            close(fd)
            closedFD = true
        }
    }
    private var closedFD = false
}

/// A temporary HOME and history file for one REPL test.
final class TerminalSandbox {
    let dir: String
    var history: String { dir + "/history" }

    init() throws {
        dir = NSTemporaryDirectory() + "lease-pty-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Starts the REPL and waits for the welcome line and the first prompt.
    func start(color: Bool = false, arguments: [String] = [], extraEnvironment: [String: String] = [:],
               historyVariable: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws -> PseudoTerminal {
        guard let binary = PseudoTerminal.binary else {
            Issue.record("no lease binary: run `swift build -c release --product lease` first", sourceLocation: sourceLocation)
            throw TerminalError(description: "no lease binary")
        }
        var env = [
            "LEASE_HISTORY": history,
            "TERM": "xterm",
            "HOME": dir,
            "PATH": "/usr/bin:/bin",
        ]
        if !color { env["NO_COLOR"] = "1" }
        if !historyVariable { env["LEASE_HISTORY"] = nil }
        env.merge(extraEnvironment) { $1 }
        let term = try PseudoTerminal(path: binary, arguments: arguments, environment: env)
        do {
            try term.expect("lease 0.1.0 — :help for help, Ctrl-D to quit\n", sourceLocation: sourceLocation)
            try term.prompt(sourceLocation: sourceLocation)
        } catch {
            term.terminate()
            throw error
        }
        return term
    }
}

// MARK: - Tests

@Suite("REPL on a terminal", .serialized, .timeLimit(.minutes(1)))
struct TerminalTests {
    static let deal = [
        "cluster colossus1 { power: 300 MW; gpus: 220_000 gpu }",
        #"contract anthropic { lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1; start: 2026-05; end: 2029-05; rate: $1.25B / month; discounts: [2026-05: 50%, 2026-06: 50%]; notice: 90 days }"#,
    ]

    @Test("the welcome line, then a prompt")
    func welcome() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        #expect(term.screen.hasPrefix("lease 0.1.0 — :help for help, Ctrl-D to quit\n> "))
    }

    @Test("typing an expression prints its value")
    func typeAndEvaluate() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        try term.evaluate("$1.25B/month * 37 months", "$46.25B")
        for s in Self.deal { try term.enter(s) }
        try term.evaluate("total(anthropic)", "$45B")
        try term.evaluate("_ / 2", "$22.5B")
    }

    @Test("Ctrl-A, arrow keys and backspace edit the line")
    func editingKeys() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        // Ctrl-A to the start and insert: "11 + 2".
        term.send("1 + 2")
        term.send("\u{01}")
        term.send("1\r")
        try term.expect("\n13\n")
        try term.prompt()
        // Left arrow and insert: "1 + 52".
        term.send("1 + 2")
        term.send("\u{1B}[D")
        term.send("5\r")
        try term.expect("\n53\n")
        try term.prompt()
        // Backspace (DEL and Ctrl-H): "1 + 9".
        term.send("1 + 23")
        term.send("\u{7F}\u{08}9\r")
        try term.expect("\n10\n")
        try term.prompt()
        // Ctrl-E to the end after moving left, then append.
        term.send("2 * 3")
        term.send("\u{1B}[D\u{1B}[D\u{05}0\r")
        try term.expect("\n60\n")
        try term.prompt()
    }

    @Test("history is recalled in the next session and stored once per entry")
    func historyAcrossSessions() throws {
        let box = try TerminalSandbox()
        do {
            let term = try box.start()
            defer { term.terminate() }
            try term.enter("let a = 41")
            term.send("\u{04}")
            #expect(term.waitForExit() == 0)
        }
        let first = try String(contentsOfFile: box.history, encoding: .utf8)
        #expect(first == "let a = 41\n")

        let term = try box.start()
        defer { term.terminate() }
        term.send("\u{1B}[A")
        try term.expect("let a = 41")
        term.send("\r")
        try term.expect("\n")
        try term.prompt()
        try term.evaluate("a + 1", "42")
        term.send("\u{04}")
        #expect(term.waitForExit() == 0)
        let text = try String(contentsOfFile: box.history, encoding: .utf8)
        let entries = text.split(separator: "\n").map(String.init)
        #expect(entries == ["let a = 41", "a + 1"], "history file:\n\(text)")
    }

    @Test("without LEASE_HISTORY the history is ~/.lease_history")
    func defaultHistoryPath() throws {
        let box = try TerminalSandbox()
        let term = try box.start(historyVariable: false)
        defer { term.terminate() }
        try term.evaluate("40 + 2", "42")
        term.send("\u{04}")
        #expect(term.waitForExit() == 0)
        let text = try? String(contentsOfFile: box.dir + "/.lease_history", encoding: .utf8)
        #expect(text == "40 + 2\n")
        #expect(!FileManager.default.fileExists(atPath: box.history))
    }

    @Test("Up and Down walk through this session's history")
    func historyWithinSession() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        try term.evaluate("100 + 1", "101")
        try term.evaluate("200 + 2", "202")
        // Up twice, Down once: back at "200 + 2".
        term.send("\u{1B}[A\u{1B}[A\u{1B}[B\r")
        try term.expect("\n202\n")
        try term.prompt()
        // Up twice: "100 + 1" (no duplicate "200 + 2" entry in between).
        term.send("\u{1B}[A\u{1B}[A\r")
        try term.expect("\n101\n")
        try term.prompt()
    }

    @Test("Tab completes a name")
    func completeName() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        try term.enter("let principal_amount = 5")
        term.send("princ")
        term.send("\t")
        try term.expect("ipal_amount")
        term.send("\r")
        try term.expect("\n5\n")
        try term.prompt()
    }

    @Test("Tab completes in vi mode set by ~/.editrc")
    func completeNameViMode() throws {
        let box = try TerminalSandbox()
        try "lease:bind -v\n".write(toFile: box.dir + "/.editrc", atomically: true, encoding: .utf8)
        let term = try box.start()
        defer { term.terminate() }
        try term.enter("let principal_amount = 5")
        term.send("princ")
        term.send("\t")
        try term.expect("ipal_amount")
        term.send("\r")
        try term.expect("\n5\n")
        try term.prompt()
    }

    @Test("Tab completes a field after a dot")
    func completeField() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        try term.enter("cluster k { power: 300 MW; gpus: 10 gpu }")
        term.send("k.po")
        term.send("\t")
        try term.expect("wer")
        term.send("\r")
        try term.expect("\n300 MW\n")
        try term.prompt()
        for s in Self.deal { try term.enter(s) }
        term.send("anthropic.ra\t\r")
        try term.expect("\n$1.25B/month\n")
        try term.prompt()
    }

    @Test("Tab lists the candidates when several fit")
    func completeList() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        try term.enter("let alpha_one = 1")
        try term.enter("let alpha_two = 2")
        term.send("alp\t")
        // The common prefix is inserted…
        try term.expect("ha_")
        term.send("\t")
        // …and a second Tab lists both.
        try term.expect("alpha_one  alpha_two")
        term.send("two\r")
        try term.expect("\n2\n")
        try term.prompt()
    }

    @Test("Tab completes a unit after a number and a command after a colon")
    func completeUnitAndCommand() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        term.send("90 da\t")
        // "day" and "days" share "day": it is inserted.
        try term.expect("y")
        term.send("s -> h\r")
        try term.expect("\n2,160 h\n")
        try term.prompt()
        term.send(":ty\t")
        try term.expect("pe")
        term.send(" 300 MW\r")
        try term.expect("\nquantity of power")
        try term.prompt()
    }

    @Test("Tab completes a file path after :load")
    func completePath() throws {
        let box = try TerminalSandbox()
        let file = box.dir + "/deal_script.lease"
        try (Self.deal.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let term = try box.start()
        defer { term.terminate() }
        term.send(":load \(box.dir)/deal_s\t")
        try term.expect("cript.lease")
        term.send("\r")
        try term.prompt()
        try term.evaluate("total(anthropic)", "$45B")
    }

    @Test("open brackets continue on the next line, through empty lines")
    func multiline() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        term.line("cluster k {")
        try term.continuation()
        term.line("  power: 300 MW")
        try term.continuation()
        term.line("")
        try term.continuation()
        term.line("  gpus: 10 gpu")
        try term.continuation()
        term.line("}")
        try term.prompt()
        try term.evaluate("k.gpus", "10 gpus")
        try term.evaluate("k.power", "300 MW")
        // A multi-line entry is one history entry with its newlines escaped.
        let text = try String(contentsOfFile: box.history, encoding: .utf8)
        #expect(text.contains(#"cluster k {\n  power: 300 MW\n\n  gpus: 10 gpu\n}"#), "history file:\n\(text)")
    }

    @Test("an error is reported with its place and the session carries on")
    func errorThenCarryOn() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        try term.enter("let keep = $7M")
        term.line("$1B + 300 MW")
        try term.expect("<repl:")
        let report = try term.expect("cannot add USD and power")
        #expect(report.contains(":1:1: error:"), "\(report)")
        try term.expect("| $1B + 300 MW\n")
        try term.expect("| ^^^^^^^^^^^^\n")
        try term.prompt()
        try term.evaluate("1 + 1", "2")
        try term.evaluate("keep * 2", "$14M")
        // An unknown name suggests the near one.
        term.line("kep + 1")
        try term.expect("unknown name `kep`")
        try term.expect("did you mean `keep`?")
        try term.prompt()
        try term.evaluate("keep", "$7M")
    }

    @Test(":save, :reset and :load give the same answers")
    func saveResetLoad() throws {
        let box = try TerminalSandbox()
        let file = box.dir + "/session.lease"
        let term = try box.start()
        defer { term.terminate() }
        for s in Self.deal { try term.enter(s) }
        try term.enter("fx 1 USD = 1500 KRW")
        try term.enter("fn monthly_cost(c) = total(c) / months(c)")
        try term.enter("let budget = $2.5M")
        try term.enter("let cheaper = anthropic with {rate: $1B/month}")
        let queries: [(String, String)] = [
            ("total(anthropic)", "$45B"),
            ("monthly_cost(anthropic)", "$1.216B"),
            ("budget", "$2.5M"),
            ("budget -> KRW", "₩3.75B"),
            ("total(cheaper)", "$36B"),
        ]
        for (q, want) in queries { try term.evaluate(q, want) }
        term.line(":save \(file)")
        try term.expect("\nsaved to \(file)\n")
        try term.prompt()
        #expect(FileManager.default.fileExists(atPath: file))

        term.line(":reset")
        try term.expect("\nsession reset\n")
        try term.prompt()
        term.line("budget")
        try term.expect("unknown name `budget`")
        try term.prompt()
        term.line(":ls")
        try term.expect("\nnothing bound yet\n")
        try term.prompt()

        term.line(":load \(file)")
        try term.prompt()
        for (q, want) in queries { try term.evaluate(q, want) }
        term.line(":ls")
        try term.expect("budget")
        try term.prompt()
    }

    @Test(":save and :load expand ~ to $HOME, as a shell does")
    func saveTilde() throws {
        let box = try TerminalSandbox()
        let name = "tilde-\(UUID().uuidString.prefix(8)).lease"
        // Where a wrong expansion (the password database's home) would put it.
        let stray = (getpwuid(getuid()).flatMap { String(cString: $0.pointee.pw_dir) } ?? "/nonexistent") + "/" + name
        defer { try? FileManager.default.removeItem(atPath: stray) }
        let term = try box.start()
        defer { term.terminate() }
        try term.enter("let budget = $2.5M")
        term.line(":save ~/\(name)")
        try term.expect("\nsaved to ~/\(name)\n")
        try term.prompt()
        #expect(FileManager.default.fileExists(atPath: box.dir + "/" + name), "~ is $HOME (\(box.dir))")
        #expect(stray == box.dir + "/" + name || !FileManager.default.fileExists(atPath: stray), "written to \(stray) instead")
        term.line(":reset")
        try term.prompt()
        term.line(":load ~/\(name)")
        try term.prompt()
        try term.evaluate("budget", "$2.5M")
        // Tab completes paths under ~ in $HOME too.
        term.line(":reset")
        try term.prompt()
        term.send(":load ~/\(name.prefix(10))\t")
        try term.expect(String(name.dropFirst(10)), timeout: 2)
        term.send("\r")
        try term.prompt()
        try term.evaluate("budget", "$2.5M")
    }

    @Test("Ctrl-C interrupts a long evaluation and keeps the session")
    func interruptEvaluation() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        try term.enter("let kept = 41")
        term.line("sum(1 .. 40000000)")
        try term.expect("sum(1 .. 40000000)\n")
        Thread.sleep(forTimeInterval: 0.3)
        let sent = Date()
        term.send("\u{03}")
        try term.expect("interrupted", timeout: 1)
        #expect(Date().timeIntervalSince(sent) < 1)
        try term.prompt()
        try term.evaluate("kept + 1", "42")
        // A second long run can be interrupted too.
        term.line(":time sum(1 .. 40000000)")
        try term.expect(":time sum(1 .. 40000000)\n")
        Thread.sleep(forTimeInterval: 0.3)
        term.send("\u{03}")
        try term.expect("interrupted", timeout: 1)
        try term.prompt()
        try term.evaluate("kept", "41")
    }

    @Test("Ctrl-C interrupts a long :load")
    func interruptLoad() throws {
        let box = try TerminalSandbox()
        let file = box.dir + "/slow.lease"
        try "let before = 1\nlet slow = sum(1 .. 40000000)\nlet after = 2\n".write(toFile: file, atomically: true, encoding: .utf8)
        let term = try box.start()
        defer { term.terminate() }
        term.line(":load \(file)")
        try term.expect("slow.lease\n")
        Thread.sleep(forTimeInterval: 0.3)
        term.send("\u{03}")
        try term.expect("interrupted", timeout: 1)
        try term.prompt()
        // What ran before the interrupt stays; what comes after did not run.
        try term.evaluate("before", "1")
        term.line("after")
        try term.expect("unknown name `after`")
        try term.prompt()
    }

    @Test("Ctrl-C on a half-typed line cancels it")
    func interruptLine() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        term.send("2 * ")
        try term.expect("2 * ")
        term.send("\u{03}")
        try term.prompt()
        term.line("21")
        try term.expect("\n21\n")
        try term.prompt()
        #expect(!term.screen.contains("\n42\n"))
        // Ctrl-C inside an open bracket cancels the whole statement.
        term.line("let half = [1,")
        try term.continuation()
        term.send("\u{03}")
        try term.prompt()
        term.line("half")
        try term.expect("unknown name `half`")
        try term.prompt()
        // The process is still alive and well.
        try term.evaluate("1 + 2", "3")
    }

    @Test("Ctrl-D on an empty line quits with status 0")
    func ctrlD() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        try term.evaluate("1 + 1", "2")
        term.send("\u{04}")
        #expect(term.waitForExit() == 0)
    }

    @Test(":quit quits with status 0")
    func quit() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        term.line(":quit")
        #expect(term.waitForExit() == 0)
    }

    @Test(":help and :help units")
    func help() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        term.line(":help")
        try term.expect("\nlease: model compute-capacity lease deals")
        try term.expect("Topics: :help units")
        try term.prompt()
        term.line(":help units")
        try term.expect("\nUnits (a number followed by a unit multiplies")
        try term.expect("power:  W kW MW GW")
        try term.prompt()
        term.line(":help nonsense")
        try term.expect("no help on `nonsense`")
        try term.prompt()
    }

    @Test(":type names the dimension")
    func typeCommand() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        term.line(":type $1B/month")
        try term.expect("\nquantity of USD/time (in USD/month)\n")
        try term.prompt()
        term.line(":type 42")
        try term.expect("\nnumber\n")
        try term.prompt()
        term.line(":type $1B + 300 MW")
        try term.expect("cannot add USD and power")
        try term.prompt()
    }

    @Test(":ls, :time and an unknown command")
    func otherCommands() throws {
        let box = try TerminalSandbox()
        let term = try box.start()
        defer { term.terminate() }
        term.line(":ls")
        try term.expect("\nnothing bound yet\n")
        try term.prompt()
        for s in Self.deal { try term.enter(s) }
        try term.enter("let budget = $2.5M")
        term.line(":ls")
        try term.expect("\ncolossus1  cluster")
        try term.expect("anthropic  contract  xAI → Anthropic on colossus1, 2026-05 to 2029-05, $1.25B/month")
        try term.expect("budget     quantity  $2.5M")
        try term.prompt()
        term.line(":time total(anthropic)")
        try term.expect("\n$45B\ntime: ")
        try term.expect(" ms\n")
        try term.prompt()
        term.line(":frobnicate")
        try term.expect("unknown command :frobnicate")
        try term.prompt()
        term.line(":load")
        try term.expect("usage: :load FILE")
        try term.prompt()
        term.line(":load \(box.dir)/missing.lease")
        try term.expect("cannot read")
        try term.prompt()
    }

    @Test("values are coloured on a terminal unless NO_COLOR")
    func colour() throws {
        let box = try TerminalSandbox()
        let term = try box.start(color: true)
        defer { term.terminate() }
        try term.evaluate("300 MW", "300 MW")
        #expect(term.rawOutput.contains("\u{1B}[33m300"), "a number in colour: \(term.rawOutput.debugDescription)")

        term.line("$1B + 300 MW")
        try term.expect("cannot add USD and power")
        try term.prompt()
        let errorText = term.rawOutput.components(separatedBy: "$1B + 300 MW\r\n").dropFirst().joined()
        #expect(errorText.contains("\u{1B}["), "the error is coloured: \(errorText.debugDescription)")

        let plain = try box.start(color: false)
        defer { plain.terminate() }
        try plain.evaluate("300 MW", "300 MW")
        plain.line("$1B + 300 MW")
        try plain.expect("cannot add USD and power")
        try plain.prompt()
        #expect(!plain.rawOutput.contains("\u{1B}[33m"))
        let plainError = plain.rawOutput.components(separatedBy: "$1B + 300 MW\r\n").dropFirst().joined()
        #expect(!plainError.contains("\u{1B}[3"), "no colour with NO_COLOR: \(plainError.debugDescription)")

        let flag = try box.start(color: true, arguments: ["--no-color"])
        defer { flag.terminate() }
        try flag.evaluate("300 MW", "300 MW")
        #expect(!flag.rawOutput.contains("\u{1B}[33m"))
    }
}
