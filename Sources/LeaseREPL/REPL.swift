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

    public static let version = "0.1.0"

    public init(session: Session, editor: LineEditor, format: OutputFormat = .text, color: Bool = false) {
        self.session = session
        self.editor = editor
        self.format = format
        self.color = color
    }

    func write(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    func writeError(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    /// Runs until end of input or `:quit`.
    public func run(welcome: Bool) {
        if welcome { write("lease \(Self.version) — type :help for help") }
        while let input = readStatement() {
            if input.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            editor.addHistory(input)
            if input.trimmingCharacters(in: .whitespaces).hasPrefix(":") {
                if !command(input.trimmingCharacters(in: .whitespaces)) { return }
                continue
            }
            evaluate(input)
        }
    }

    /// One statement, continued across lines while brackets are open.
    func readStatement() -> String? {
        guard var text = editor.readLine(prompt: "> ") else { return nil }
        while Brackets.depth(text) > 0 {
            guard let more = editor.readLine(prompt: ". ") else { return text }
            text += "\n" + more
        }
        return text
    }

    func evaluate(_ input: String) {
        lineNumber += 1
        let file = SourceFile(name: "<repl:\(lineNumber)>", text: input)
        if let d = session.run(file) { writeError(d.render(color: color)) }
    }

    /// Handles a `:command`; false to quit.
    func command(_ line: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ":quit", ":q", ":exit": return false
        case ":help": write(Help.text(topic: arg.isEmpty ? nil : arg))
        case ":reset": session.reset()
        case ":load":
            guard let text = try? String(contentsOfFile: arg, encoding: .utf8) else {
                writeError("error: cannot read \(arg)")
                return true
            }
            if let d = session.run(SourceFile(name: arg, text: text)) { writeError(d.render(color: color)) }
        default:
            writeError("error: unknown command \(parts[0])\n  help: the commands are :help :load :save :ls :type :time :reset :quit")
        }
        return true
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
