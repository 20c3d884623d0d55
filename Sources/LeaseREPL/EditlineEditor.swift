import CEditline
import Foundation
import LeaseLanguage

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
///
/// Nothing in the file is lost: a line that is not valid UTF-8 is not offered
/// for recall but is written back as it was; a file that cannot be read is
/// never overwritten; a symbolic link stays a link (the file it names is
/// replaced). When the file cannot be written the REPL says so once and keeps
/// the history for the session.
public final class HistoryFile {
    public let path: String?
    /// Each entry as it is stored in the file (escaped, one line), oldest first.
    private var records: [[UInt8]] = []
    /// False when the file must not be written: it could not be read, or it is /dev/null.
    private var writable: Bool
    private var warned = false
    private let report: (String) -> Void
    static let limit = 1000

    /// The entries that can be recalled, oldest first.
    public var lines: [String] {
        records.compactMap { r in ScriptText.firstInvalidByte(r) == nil ? Self.decode(String(decoding: r, as: UTF8.self)) : nil }
    }

    /// `report` receives the one message about a file that cannot be read or written (default: stderr).
    public init(path: String?, report: ((String) -> Void)? = nil) {
        self.path = path
        self.report = report ?? { FileHandle.standardError.write(Data(("lease: " + $0 + "\n").utf8)) }
        writable = path != nil
        guard let path else { return }
        if SafeFile.isNullDevice(path) {
            writable = false
            return
        }
        let bytes: [UInt8]
        do throws(FileError) {
            bytes = try SafeFile.readBytes(path)
        } catch {
            var st = stat()
            if lstat(path, &st) != 0 && errno == ENOENT { return }  // no history yet
            writable = false
            warnOnce("\(error); the history of this session will not be saved")
            return
        }
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            let raw = Array(line)
            if ScriptText.firstInvalidByte(raw) == nil {
                let text = Self.decode(String(decoding: raw, as: UTF8.self))
                if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                append(Array(Self.encode(text).utf8))
            } else {
                append(raw)
            }
        }
    }

    /// `$LEASE_HISTORY`, else `~/.lease_history`.
    public static var defaultPath: String? {
        let env = ProcessInfo.processInfo.environment
        if let p = env["LEASE_HISTORY"], !p.isEmpty { return p }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return home + "/.lease_history"
    }

    private func append(_ record: [UInt8]) {
        records.removeAll { $0 == record }
        records.append(record)
        if records.count > Self.limit { records.removeFirst(records.count - Self.limit) }
    }

    public func add(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        append(Array(Self.encode(line).utf8))
        save()
    }

    private func warnOnce(_ message: String) {
        if warned { return }
        warned = true
        report(message)
    }

    func save() {
        guard let path, writable else { return }
        do throws(FileError) {
            let w = try SafeFileWriter(path: path, durable: false)
            for r in records {
                try w.write(bytes: r)
                try w.write(bytes: [0x0A])
            }
            try w.commit()
        } catch {
            warnOnce("\(error.description.replacingOccurrences(of: "cannot write ", with: "cannot write the history file ")); "
                     + "the history is kept for this session only")
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
