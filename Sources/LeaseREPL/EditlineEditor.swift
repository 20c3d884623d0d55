import CEditline
import Foundation

/// Line editing through the system's libedit: emacs or vi keys as the user's
/// ~/.editrc says, history recall, and Tab completion.
public final class EditlineEditor: LineEditor {
    let completer: Completer
    let history: HistoryFile

    public init?(completer: Completer, history: HistoryFile) {
        self.completer = completer
        self.history = history
        let context = Unmanaged.passUnretained(completer).toOpaque()
        guard ced_open("lease", editlineComplete, context) == 0 else { return nil }
        for line in history.lines { ced_history_add(line) }
    }

    deinit { ced_close() }

    /// Set when the last `readLine` returned nil because of Ctrl-C rather than Ctrl-D.
    public private(set) var lastWasInterrupt = false

    public func readLine(prompt: String) -> String? {
        ced_set_prompt(prompt)
        var status: Int32 = 0
        guard let raw = ced_gets(&status) else {
            lastWasInterrupt = status == 2
            return nil
        }
        defer { free(raw) }
        lastWasInterrupt = false
        return String(cString: raw)
    }

    public func addHistory(_ line: String) {
        history.add(line)
        ced_history_clear()
        for l in history.lines { ced_history_add(l) }
    }
}

/// Bridges libedit's C callback to the Swift completer.
private func editlineComplete(_ line: UnsafePointer<CChar>?, _ context: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<CChar>? {
    guard let line, let context else { return nil }
    let completer = Unmanaged<Completer>.fromOpaque(context).takeUnretainedValue()
    let (word, candidates) = completer.complete(String(cString: line))
    guard !candidates.isEmpty else { return nil }
    return strdup(([word] + candidates).joined(separator: "\n"))
}

/// The REPL's history, kept in ~/.lease_history (or $LEASE_HISTORY):
/// deduplicated, newest last, and rewritten after every entry so a crash or
/// a kill keeps what was typed.
public final class HistoryFile {
    public let path: String?
    public private(set) var lines: [String] = []
    static let limit = 1000

    public init(path: String?) {
        self.path = path
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        for raw in text.split(separator: "\n") { append(Self.decode(String(raw))) }
    }

    /// `$LEASE_HISTORY`, else `~/.lease_history`.
    public static var defaultPath: String? {
        let env = ProcessInfo.processInfo.environment
        if let p = env["LEASE_HISTORY"], !p.isEmpty { return p }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return home + "/.lease_history"
    }

    private func append(_ line: String) {
        lines.removeAll { $0 == line }
        lines.append(line)
        if lines.count > Self.limit { lines.removeFirst(lines.count - Self.limit) }
    }

    public func add(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        append(line)
        save()
    }

    func save() {
        guard let path else { return }
        let text = lines.map(Self.encode).joined(separator: "\n") + "\n"
        let tmp = path + ".tmp\(getpid())"
        do {
            try text.write(toFile: tmp, atomically: false, encoding: .utf8)
            if rename(tmp, path) != 0 { try? FileManager.default.removeItem(atPath: tmp) }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
        }
    }

    /// One entry per line: multi-line statements keep their newlines escaped.
    static func encode(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func decode(_ s: String) -> String {
        var out = ""
        var escape = false
        for ch in s {
            if escape {
                out.append(ch == "n" ? "\n" : ch)
                escape = false
            } else if ch == "\\" {
                escape = true
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
