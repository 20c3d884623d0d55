import Foundation
import LeaseCore
import Testing

@testable import LeaseLanguage
@testable import LeaseREPL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Nothing the user made is lost: `:save` writes only what `:load` accepts
/// and never a half-written file; the history survives bytes it cannot
/// decode; `export` and `:save` write through symbolic links and refuse
/// devices, FIFOs and directories. Run with `swift test --filter DataLossTests`.
@Suite("Nothing lost", .serialized)
struct DataLossTests {
    static let deal = """
        cluster colossus1 { power: 300 MW; gpus: 220_000 gpu }
        contract anthropic { lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1; start: 2026-05; end: 2029-05; rate: $1.25B / month; notice: 90 days }
        """

    /// A fresh directory, removed by `defer` in each test.
    static func tempDir() throws -> String {
        let path = NSTemporaryDirectory() + "lease-dataloss-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func session(_ source: String) throws -> Session {
        let s = Session()
        if let d = s.run(SourceFile(name: "<setup>", text: source)) {
            Issue.record("setup failed: \(d.render(color: false))")
            throw d
        }
        return s
    }

    /// `:save` to a file, then `:load` of it in a fresh session: every binding comes back equal.
    static func saveAndLoad(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (Session, Session, SavedScript) {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try session(source)
        let path = dir + "/s.lease"
        let saved: SavedScript
        switch a.save(to: path) {
        case .success(let s): saved = s
        case .failure(let e):
            Issue.record("save failed: \(e)", sourceLocation: sourceLocation)
            throw e
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == saved.text, sourceLocation: sourceLocation)
        let b = Session()
        if let d = b.run(SourceFile(name: path, text: text)) {
            Issue.record("the saved file does not load:\n\(d.render(color: false))\n\(text.prefix(2000))", sourceLocation: sourceLocation)
            throw d
        }
        for name in a.globalOrder where name != "_" && !saved.omitted.contains(name) {
            #expect(a.globals[name] == b.globals[name], "`\(name)` comes back the same", sourceLocation: sourceLocation)
        }
        return (a, b, saved)
    }
}

// MARK: - :save of each kind of value, then :load

extension DataLossTests {
    @Test("a contract terminated before its first month is saved as the terminate call and loads equal")
    func terminatedBeforeStart() throws {
        let (a, b, saved) = try Self.saveAndLoad(Self.deal + """

            let early = terminate(anthropic, notice_on: 2026-01-01)
            let in_first = terminate(anthropic, notice_on: 2026-02-10)
            let later = terminate(anthropic, notice_on: 2027-01-01)
            let copy_early = terminate(anthropic with {notice: 2 months}, notice_on: 2025-12-31)
            """)
        #expect(saved.omitted.isEmpty)
        #expect(saved.text.contains("let early = terminate(anthropic with {"), "\(saved.text)")
        for q in ["total(early)", "early.end", "months(early)", "total(in_first)", "total(copy_early)", "copy_early.end"] {
            guard case .success(let x) = a.evaluate(q), case .success(let y) = b.evaluate(q) else {
                Issue.record("query \(q) fails")
                continue
            }
            #expect(x == y, "\(q)")
        }
        #expect(b.globals["later"] == a.globals["later"])
    }

    @Test("a scenario parameter and a later `let` of the same name are saved in an order that loads")
    func scenarioThenLet() throws {
        let (a, b, saved) = try Self.saveAndLoad(Self.deal + """

            let base = $1B / month
            scenario g { x: 1 .. 3; rate_s: [base, base * 2] }
            let x = 5
            let after = 2
            scenario later_g { after_s: [after] }
            """)
        let lines = saved.text.split(separator: "\n").map(String.init)
        let gi = lines.firstIndex { $0.hasPrefix("scenario g") } ?? -1
        let xi = lines.firstIndex { $0 == "let x = 5" } ?? -1
        let bi = lines.firstIndex { $0.hasPrefix("let base") } ?? -1
        #expect(bi < gi && gi < xi, "base, then g, then x:\n\(saved.text)")
        #expect(a.globalOrder == b.globalOrder, "bindings keep their order")
        #expect(a.scenarioOrder == b.scenarioOrder)
        #expect(b.script() == saved.text, "the script is a fixed point")
    }

    @Test("a scenario parameter and a later cluster of the same name are saved in an order that loads")
    func scenarioThenCluster() throws {
        let (a, b, saved) = try Self.saveAndLoad("""
            scenario g { k: [1, 2] }
            cluster k { power: 1 MW; gpus: 1 gpu }
            scenario uses_k { p: [k.power] }
            """)
        #expect(a.model.clusters == b.model.clusters)
        #expect(a.scenarioOrder == b.scenarioOrder)
        #expect(b.script() == saved.text)
    }

    @Test("a list of a million elements that is a range is saved as the range")
    func millionRange() throws {
        let (_, b, saved) = try Self.saveAndLoad("""
            let xs = 1 .. 1_000_000
            let ds = 2026-01-01 .. 2030-12-31 step 1 day
            let ms = 2026-01 .. 2110-12
            let money = (1 .. 100_000) * $1
            """)
        #expect(saved.omitted.isEmpty)
        #expect(saved.text.utf8.count < 10_000, "ranges, not literals")
        if case .list(let xs)? = b.globals["xs"] { #expect(xs.count == 1_000_000) } else { Issue.record("xs") }
    }

    @Test("a million elements that are not a range are left out with a comment, and the rest loads")
    func millionNotRange() throws {
        let (a, b, saved) = try Self.saveAndLoad("""
            let r = 1 .. 1_000_000
            let squares = r * r
            let small = [1, 4, 9]
            """)
        #expect(saved.omitted == ["squares"])
        #expect(saved.text.contains("# `squares` (a list of 1,000,000 elements) is too long to be written in a script"))
        #expect(b.globals["squares"] == nil)
        #expect(b.globals["small"] == a.globals["small"])
        #expect(b.globals["r"] == a.globals["r"])
    }

    @Test("a long list that is not a range but fits is written in full")
    func longLiteral() throws {
        let (_, _, saved) = try Self.saveAndLoad("let r = 1 .. 50_000\nlet sq = r * r + 0.5")
        #expect(saved.omitted.isEmpty)
    }

    @Test("a run result is a comment; the script still loads")
    func result() throws {
        let (_, b, saved) = try Self.saveAndLoad("scenario g { x: 1 .. 3 }\nlet r = run g: x * 2")
        #expect(saved.omitted == ["r"])
        #expect(b.globals["r"] == nil)
    }

    @Test(":save stops on Ctrl-C and leaves the old file as it was")
    func interrupted() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.lease"
        try "old contents\n".write(toFile: path, atomically: true, encoding: .utf8)
        let s = try Self.session("let r = 1 .. 300_000\nlet sq = r * r")
        // Ctrl-C held down: the flag is raised again as soon as it is cleared.
        let done = DoneFlag()
        let flag = s.interrupt
        let presser = Thread {
            while !done.isSet {
                flag.raise()
                usleep(200)
            }
        }
        presser.start()
        let result = s.save(to: path)
        done.set()
        #expect(result.failureValue == .interrupted)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old contents\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["s.lease"], "no temporary file left behind")
    }

    @Test(":save refuses a directory, a device and a FIFO, naming what it is")
    func saveRefuses() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try Self.session("let x = 1")
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, kind) in [(dir, "a directory"), ("/dev/full", "a character device"), ("/dev/null", "a character device"), (fifo, "a FIFO")] {
            guard case .failure(.file(let e)) = s.save(to: path) else {
                Issue.record(":save \(path) should be refused")
                continue
            }
            #expect(e.description.contains(path) && e.description.contains(kind), "\(e)")
        }
        var st = stat()
        #expect(lstat("/dev/full", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "/dev/full is still a device")
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test(":save through a symbolic link replaces the file it names; the link stays a link")
    func saveSymlink() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
        try "old\n".write(toFile: dir + "/real/s.lease", atomically: true, encoding: .utf8)
        #expect(symlink("real/s.lease", dir + "/link.lease") == 0)
        let s = try Self.session("let x = 42")
        #expect(s.save(to: dir + "/link.lease").failureValue == nil)
        let dest = try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.lease")
        #expect(dest == "real/s.lease")
        #expect(try String(contentsOfFile: dir + "/real/s.lease", encoding: .utf8).contains("let x = 42"))
        // A dangling link makes the file it names.
        #expect(symlink("real/new.lease", dir + "/dangling.lease") == 0)
        #expect(s.save(to: dir + "/dangling.lease").failureValue == nil)
        #expect(FileManager.default.fileExists(atPath: dir + "/real/new.lease"))
    }

    @Test("the REPL's :save and :load recreate every kind of value")
    func replSaveLoad() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = Self.deal + """

            let early = terminate(anthropic, notice_on: 2026-01-01)
            scenario g { x: 1 .. 3 }
            let x = 5
            let xs = 1 .. 1_000_000
            let m = [2026-05: 50%]
            let rec = {a: $1M, b: "q"}
            """
        let s = try Self.session(source)
        let before = s.globals
        let editor = ScriptedEditor([":save \(dir)/s.lease", ":reset", ":load \(dir)/s.lease"])
        REPL(session: s, editor: editor).run(welcome: false)
        #expect(s.globals == before)
        #expect(s.scenarioOrder == ["g"])
    }
}

/// A line editor that types the given lines, then Ctrl-D.
final class ScriptedEditor: LineEditor {
    var lines: [String]
    init(_ lines: [String]) { self.lines = lines }
    func readLine(prompt: String) -> String? { lines.isEmpty ? nil : lines.removeFirst() }
    func addHistory(_ line: String) {}
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}

// MARK: - export

extension DataLossTests {
    static let run = "scenario g { x: 1 .. 3 }\nlet r = run g: {payment: x * $1, when: 2026-01-01 + x * 1 day}"

    static func export(_ s: Session, _ path: String) -> Diagnostic? {
        s.run(SourceFile(name: "<export>", text: "export(r, \(Format.quoted(path)))"))
    }

    @Test("export writes a header with units and every row")
    func exportHeader() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try Self.session(Self.run)
        #expect(Self.export(s, dir + "/r.csv") == nil)
        let text = try String(contentsOfFile: dir + "/r.csv", encoding: .utf8)
        #expect(text == "x,payment (USD),when\n1,1,2026-01-02\n2,2,2026-01-03\n3,3,2026-01-04\n", "\(text)")
    }

    @Test("export through a symbolic link writes the file it names; the link stays a link")
    func exportSymlink() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try Self.session(Self.run)
        try "old".write(toFile: dir + "/target.csv", atomically: true, encoding: .utf8)
        #expect(symlink(dir + "/target.csv", dir + "/link.csv") == 0)
        #expect(Self.export(s, dir + "/link.csv") == nil)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.csv") == dir + "/target.csv")
        #expect(try String(contentsOfFile: dir + "/target.csv", encoding: .utf8).hasPrefix("x,payment (USD),when\n"))
    }

    @Test("export refuses a device, a FIFO and a directory, and leaves them as they are")
    func exportRefuses() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try Self.session(Self.run)
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, kind) in [("/dev/full", "a character device"), (fifo, "a FIFO"), (dir, "a directory")] {
            guard let d = Self.export(s, path) else {
                Issue.record("export to \(path) should be refused")
                continue
            }
            #expect(d.message.contains("cannot write \(path): it is \(kind)"), "\(d.message)")
            #expect(d.render(color: false).contains("<export>:1:"), "the error points at the call")
        }
        var st = stat()
        #expect(lstat("/dev/full", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "/dev/full is still a device")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["fifo"], "no temporary file left behind")
    }

    @Test("the streaming writer: abort keeps the old file, commit replaces it, permissions are kept")
    func writer() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f.txt"
        try "old".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o640)
        let w = try SafeFileWriter(path: path)
        for _ in 0..<3000 { try w.write(String(repeating: "x", count: 1000)) }  // several chunks
        w.abort()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        let w2 = try SafeFileWriter(path: path)
        for _ in 0..<3000 { try w2.write(String(repeating: "y", count: 1000)) }
        try w2.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 3_000_000)
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f.txt"])
        #expect(throws: FileError.self) { try SafeFileWriter(path: dir + "/no/such/dir/f") }
    }
}

// MARK: - History

extension DataLossTests {
    final class Messages: @unchecked Sendable {
        var items: [String] = []
    }

    @Test("one invalid byte does not empty the history: good entries load, the bad line is written back")
    func historyBadByte() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/history"
        var bytes = Array("let a = 1\n".utf8)
        bytes += [0x6C, 0xFF, 0xFE, 0x0A]  // "l", two bytes that are not UTF-8
        bytes += Array("a + 1\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let messages = Messages()
        let h = HistoryFile(path: path) { messages.items.append($0) }
        #expect(h.lines == ["let a = 1", "a + 1"])
        h.add("a * 2")
        let after = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(after == bytes + Array("a * 2\n".utf8), "every line kept, the bad one byte for byte")
        #expect(messages.items.isEmpty)
        #expect(HistoryFile(path: path).lines == ["let a = 1", "a + 1", "a * 2"])
    }

    @Test("a history that cannot be written says so once, and keeps the session's entries")
    func historyUnwritable() throws {
        let messages = Messages()
        let h = HistoryFile(path: "/no/such/dir/history") { messages.items.append($0) }
        h.add("1")
        h.add("2")
        h.add("3")
        #expect(h.lines == ["1", "2", "3"])
        #expect(messages.items.count == 1, "\(messages.items)")
        #expect(messages.items.first?.contains("/no/such/dir/history") == true)
    }

    @Test("a history that cannot be read is never overwritten")
    func historyUnreadable() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/history"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let messages = Messages()
        let h = HistoryFile(path: path) { messages.items.append($0) }
        h.add("1")
        h.add("2")
        #expect(messages.items.count == 1)
        #expect(messages.items.first?.contains("directory") == true, "\(messages.items)")
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue)
    }

    @Test("a symlinked history file stays a symlink")
    func historySymlink() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "old entry\n".write(toFile: dir + "/real_history", atomically: true, encoding: .utf8)
        #expect(symlink("real_history", dir + "/history") == 0)
        let h = HistoryFile(path: dir + "/history")
        h.add("new entry")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/history") == "real_history")
        #expect(try String(contentsOfFile: dir + "/real_history", encoding: .utf8) == "old entry\nnew entry\n")
    }

    @Test("LEASE_HISTORY=/dev/null keeps no history and says nothing")
    func historyDevNull() {
        let messages = Messages()
        let h = HistoryFile(path: "/dev/null") { messages.items.append($0) }
        h.add("1")
        #expect(h.lines == ["1"])
        #expect(messages.items.isEmpty)
        var st = stat()
        #expect(lstat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
    }
}

// MARK: - Reading scripts

extension DataLossTests {
    @Test("invalid UTF-8 is an error at its line and column")
    func invalidUTF8() {
        let bytes = Array("let x = 1\nx + ".utf8) + [0xFF] + Array(" 2\n".utf8)
        guard case .failure(let d) = ScriptText.decode(bytes, name: "f.lease") else {
            Issue.record("accepted invalid UTF-8")
            return
        }
        let text = d.render(color: false)
        #expect(text.hasPrefix("f.lease:2:5: error: this is not UTF-8 text: invalid byte 0xFF"), "\(text)")
        #expect(ScriptText.firstInvalidByte(Array("€ ₩ ok".utf8)) == nil)
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF5, 0x80, 0x80, 0x80], [0x80]] {
            #expect(ScriptText.firstInvalidByte(Array("ab".utf8) + bad) == 2, "\(bad)")
        }
    }

    @Test("a NUL is named U+0000 in messages")
    func nul() {
        let d = Session().run(SourceFile(name: "<t>", text: "1 +\u{0} 2"))
        #expect(d?.message.contains("U+0000") == true, "\(d?.message ?? "")")
    }

    @Test("a directory given as a script says it is a directory")
    func directory() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: FileError("cannot read \(dir): it is a directory, not a file")) { try SafeFile.readBytes(dir) }
    }
}
