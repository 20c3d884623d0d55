import CEditline
import Foundation
import LeaseCore
import LeaseLanguage

/// The interactive session: reads statements, runs them, and reports errors
/// without losing any state.
public final class REPL {
    public let session: Session
    let editor: LineEditor
    let format: OutputFormat
    let color: Bool
    var lineNumber = 0
    /// `:tutorial`: on while a lesson is running, when typed lines are answers.
    lazy var tutorial = Tutorial(sharingEngineOf: session, color: color)

    public static let version = "0.1.0"

    public init(session: Session, editor: LineEditor, format: OutputFormat = .text, color: Bool = false) {
        self.session = session
        self.editor = editor
        self.format = format
        self.color = color
    }

    /// A terminal session on libedit, with history and completion; nil when
    /// libedit cannot open the terminal.
    public static func terminal(session: Session, format: OutputFormat, color: Bool) -> REPL? {
        let completer = Completer(session: session)
        guard let editor = EditlineEditor(completer: completer, history: HistoryFile(path: HistoryFile.defaultPath)) else {
            return nil
        }
        ced_install_sigint()
        return REPL(session: session, editor: editor, format: format, color: color)
    }

    func write(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    func writeError(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    /// Colours a value's text: numbers and money in one colour, units in another.
    public static func colorize(_ text: String) -> String {
        var out = ""
        var mode = 0  // 0 plain, 1 number, 2 unit
        func switchTo(_ m: Int) {
            if m == mode { return }
            if mode != 0 { out += "\u{1B}[0m" }
            if m == 1 { out += "\u{1B}[33m" }
            if m == 2 { out += "\u{1B}[36m" }
            mode = m
        }
        var prevDigit = false
        for ch in text {
            if ch.isNumber || "$€£¥₩".contains(ch) || (ch == "." || ch == ",") && prevDigit || "KMBT".contains(ch) && prevDigit {
                switchTo(1)
                prevDigit = ch.isNumber || ch == "." || ch == "," || "$€£¥₩".contains(ch)
            } else if ch.isLetter || ch == "%" || ch == "_" || ch == "·" || (ch == "/" && mode == 2) || ch == "^" && mode == 2 {
                switchTo(2)
                prevDigit = false
            } else {
                switchTo(0)
                prevDigit = false
            }
            out.append(ch)
        }
        switchTo(0)
        return out
    }

    /// Runs until end of input or `:quit`.
    public func run(welcome: Bool) {
        if welcome { write("lease \(Self.version) — :help for help, Ctrl-D to quit") }
        let shown = format
        let useColor = color
        session.output = { event in
            var line = shown.render(event)
            if useColor, shown == .text, case .value(let v) = event {
                if case .string = v {} else if !v.isTable { line = REPL.colorize(line) }
            }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        while true {
            guard let input = readStatement() else {
                if let e = editor as? EditlineEditor {
                    write("")  // after ^C a fresh line; after ^D the shell's prompt starts on its own line
                    if e.lastWasInterrupt { continue }
                }
                return
            }
            let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            editor.addHistory(input)
            if trimmed.hasPrefix(":") {
                if !command(trimmed) { return }
                continue
            }
            if tutorial.isActive {
                tutorial.answer(input)
                continue
            }
            evaluate(input)
        }
    }

    /// One statement, continued across lines while brackets are open; an
    /// empty line inside brackets does not end it.
    func readStatement() -> String? {
        guard var text = editor.readLine(prompt: "> ") else { return nil }
        while Brackets.depth(text) > 0 {
            guard let more = editor.readLine(prompt: "... ") else {
                if let e = editor as? EditlineEditor, e.lastWasInterrupt { return nil }
                return text
            }
            text += "\n" + more
        }
        return text
    }

    /// Runs `body` while a watcher turns Ctrl-C into an interrupt of the evaluation.
    func interruptible<T>(_ body: () -> T) -> T {
        guard editor is EditlineEditor else { return body() }
        _ = ced_take_interrupt()
        let done = DoneFlag()
        let flag = session.interrupt
        let watcher = Thread {
            while !done.isSet {
                if ced_peek_interrupt() != 0 { flag.raise() }
                usleep(20_000)
            }
        }
        watcher.start()
        defer {
            done.set()
            _ = ced_take_interrupt()
        }
        return body()
    }

    func evaluate(_ input: String) {
        lineNumber += 1
        let file = SourceFile(name: "<repl:\(lineNumber)>", text: input)
        if let d = interruptible({ session.run(file) }) { writeError(d.render(color: color)) }
    }

    /// Handles a `:command`; false to quit.
    func command(_ line: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ":quit", ":q", ":exit":
            return false
        case ":help", ":h", ":?":
            write(Help.text(topic: arg.isEmpty ? nil : arg))
        case ":tutorial":
            tutorial.command(arg)
        case ":reset":
            session.reset()
            write("session reset")
        case ":ls":
            let rows = session.listing()
            write(rows.isEmpty ? "nothing bound yet" : rows.joined(separator: "\n"))
        case ":load":
            guard !arg.isEmpty else { return usage(":load FILE") }
            let bytes: [UInt8]
            do throws(FileError) {
                bytes = try SafeFile.readBytes(REPL.expandTilde(arg))
            } catch {
                writeError("error: \(error)")
                return true
            }
            switch ScriptText.decode(bytes, name: arg) {
            case .failure(let d): writeError(d.render(color: color))
            case .success(let file):
                if let d = interruptible({ session.run(file) }) { writeError(d.render(color: color)) }
            }
        case ":save":
            guard !arg.isEmpty else { return usage(":save FILE") }
            let path = REPL.expandTilde(arg)
            switch interruptible({ session.save(to: path) }) {
            case .success(let saved):
                write("saved to \(arg)")
                if !saved.omitted.isEmpty {
                    write("  not saved: " + saved.omitted.map { "`\($0)`" }.joined(separator: ", ")
                          + " (see the comments in the file; recompute after :load)")
                }
            case .failure(.interrupted):
                writeError("error: interrupted; \(arg) was not changed")
            case .failure(.file(let e)):
                writeError("error: \(e)")
            case .failure(let e):
                writeError("error: cannot save to \(arg): \(e)")
            }
        case ":type":
            guard !arg.isEmpty else { return usage(":type EXPR") }
            // From the checker alone: nothing runs, so a run of any size answers at once.
            switch session.typeOf(arg) {
            case .success(let t): write(t.description)
            case .failure(let d): writeError(d.render(color: color))
            }
        case ":time":
            guard !arg.isEmpty else { return usage(":time EXPR") }
            let start = DispatchTime.now().uptimeNanoseconds
            let result = interruptible { session.evaluate(arg, name: "<time>") }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            switch result {
            case .success(let v):
                session.output(.value(v))
                write("time: \(Format.number((ms * 1000).rounded() / 1000)) ms")
            case .failure(let d): writeError(d.render(color: color))
            }
        default:
            writeError("error: unknown command \(parts[0])\n  help: the commands are \(Completer.commands.joined(separator: " "))")
        }
        return true
    }

    /// `~/x` is `$HOME/x`, as in a shell.
    static func expandTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else {
            return path
        }
        return home + path.dropFirst()
    }

    private func usage(_ s: String) -> Bool {
        writeError("usage: \(s)")
        return true
    }
}

final class DoneFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// Counts brackets left open, ignoring strings and comments, to decide
/// whether a statement continues on the next line.
public enum Brackets {
    public static func depth(_ text: String) -> Int {
        var depth = 0
        var inString = false
        var escaped = false
        var comment = false
        for ch in text {
            if comment {
                if ch == "\n" { comment = false }
                continue
            }
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            switch ch {
            case "\"": inString = true
            case "#": comment = true
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            default: break
            }
        }
        return depth
    }
}
