import CEditline
import Foundation
import LeaseCore
import LeaseLanguage

/// `lease machine`: one session driven by another program (the Jupyter
/// kernel) over line-delimited JSON on stdin and stdout. Each request line
/// is answered by zero or more `output` lines and one `done` line carrying
/// the request's `id`. docs/protocol.md is the reference.
///
/// Requests run one at a time, in order, on the session; `interrupt` (or
/// SIGINT) stops the running one, which ends with an `Interrupted` error
/// while the session and the loop carry on.
public final class MachineProtocol {
    public static let protocolVersion = 1

    public let session: Session
    let completer: Completer
    let writer: LineWriter
    let inputFD: Int32
    let busy = DoneFlag.Lockable()
    var executions = 0
    /// SVG for a value that has a picture (run results, plots); nil when
    /// this build draws no charts.
    let svg: (@Sendable (Value) -> String?)?

    public init(session: Session, input: Int32 = 0, output: Int32 = 1, svg: (@Sendable (Value) -> String?)? = nil) {
        self.session = session
        self.completer = Completer(session: session)
        self.writer = LineWriter(fd: output)
        self.inputFD = input
        self.svg = svg
    }

    /// Serves requests until `shutdown` or end of input; the exit status.
    public func run() -> Int32 {
        ced_install_sigint()
        let queue = RequestQueue()
        let flag = session.interrupt
        let busy = self.busy
        let writer = self.writer
        // SIGINT only sets a C flag; this turns it into an interrupt of the
        // running request. Outside a request it is dropped.
        let watcher = Thread {
            while true {
                if ced_take_interrupt() != 0, busy.value { flag.raise() }
                usleep(20_000)
            }
        }
        watcher.start()
        // First, before any answer.
        writer.write(Message.line([
            ("event", .string("ready")), ("version", .string(REPL.version)),
            ("protocol", .int(Self.protocolVersion)), ("svg", .bool(svg != nil)),
        ]))
        // Requests are read on their own thread so `interrupt` is seen while
        // an execute runs; everything else waits its turn.
        let fd = inputFD
        let reader = Thread {
            let lines = LineReader(fd: fd)
            while let line = lines.next() {
                if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
                switch Request.parse(line) {
                case .success(let r) where r.op == "interrupt":
                    if busy.value { flag.raise() }
                    writer.write(Message.done(r.id, ["status": .string("ok")]))
                case .success(let r):
                    queue.put(.request(r))
                case .failure(let e):
                    queue.put(.invalid(e))
                }
            }
            queue.put(.end)
        }
        reader.start()
        while true {
            let item = queue.take()
            if case .invalid(let e) = item {
                writer.write(Message.done(e.id, Message.error("ProtocolError", e.message, [e.message])))
                continue
            }
            guard case .request(let r) = item else { return 0 }
            if r.op == "shutdown" {
                writer.write(Message.done(r.id, ["status": .string("ok")]))
                return 0
            }
            handle(r)
        }
    }

    func handle(_ r: Request) {
        switch r.op {
        case "execute":
            let fields = execute(r.code ?? "", name: r.name, color: r.color ?? false, id: r.id)
            writer.write(Message.done(r.id, fields))
        case "complete":
            writer.write(Message.done(r.id, complete(r.code ?? "", cursor: r.cursor)))
        case "inspect":
            writer.write(Message.done(r.id, inspect(r.code ?? "", cursor: r.cursor)))
        case "is_complete":
            writer.write(Message.done(r.id, isComplete(r.code ?? "")))
        default:
            let m = "unknown op `\(r.op)`; the ops are execute, complete, inspect, is_complete, interrupt, shutdown"
            writer.write(Message.done(r.id, Message.error("ProtocolError", m, [m])))
        }
    }

    // MARK: execute

    /// A cell: statements run as one script, `:command` lines at the top level
    /// between them run as in the REPL. Stops at the first error.
    func execute(_ code: String, name: String?, color: Bool, id: JSONValue) -> [String: JSONValue] {
        executions += 1
        let fileName = name ?? "<cell:\(executions)>"
        let writer = self.writer
        let svg = self.svg
        session.output = { event in writer.write(Message.output(id, event, svg: svg)) }
        defer { session.output = { _ in } }
        _ = ced_take_interrupt()
        session.interrupt.clear()
        busy.set(true)
        defer { busy.set(false) }
        for piece in Self.pieces(code) {
            switch piece {
            case .source(let text):
                if let d = session.run(SourceFile(name: fileName, text: text)) { return failure(d, color: color) }
            case .command(let line):
                if let failed = command(line, color: color) { return failed }
            }
            if session.interrupt.isRaised { return interrupted() }
        }
        return ["status": .string("ok")]
    }

    enum Piece: Equatable {
        /// Statements, preceded by blank lines so positions match the cell.
        case source(String)
        case command(String)
    }

    /// Splits a cell into statement runs and `:command` lines. A line starting
    /// with `:` is a command only where no bracket is open.
    static func pieces(_ code: String) -> [Piece] {
        var out: [Piece] = []
        var chunk: [String] = []
        var chunkStart = 0
        func flush() {
            let text = chunk.joined(separator: "\n")
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                out.append(.source(String(repeating: "\n", count: chunkStart) + text))
            }
            chunk = []
        }
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, line) in lines.enumerated() {
            let open = Brackets.depth(chunk.joined(separator: "\n")) > 0
            if !open, line.trimmingCharacters(in: .whitespaces).hasPrefix(":") {
                flush()
                out.append(.command(line.trimmingCharacters(in: .whitespaces)))
                chunkStart = i + 1
                continue
            }
            if chunk.isEmpty { chunkStart = i }
            chunk.append(line)
        }
        flush()
        return out
    }

    func failure(_ d: Diagnostic, color: Bool) -> [String: JSONValue] {
        if d.message == "interrupted", session.interrupt.isRaised { return interrupted() }
        let ename: String
        switch d.phase {
        case .parse: ename = "ParseError"
        case .check: ename = "CheckError"
        case .runtime: ename = "RuntimeError"
        }
        let rendered = d.render(color: color)
        return Message.error(ename, d.message, rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    func interrupted() -> [String: JSONValue] {
        session.interrupt.clear()
        return Message.error("Interrupted", "interrupted", ["interrupted: the session is kept"])
    }

    func commandError(_ message: String) -> [String: JSONValue] {
        Message.error("CommandError", message, message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    func say(_ text: String) { session.output(.text(text)) }

    /// The REPL's commands; nil when it succeeded, else the error reply.
    func command(_ line: String, color: Bool) -> [String: JSONValue]? {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ":quit", ":q", ":exit":
            say("the session stays open in a notebook; restart the kernel to start afresh")
        case ":help", ":h", ":?":
            say(Help.text(topic: arg.isEmpty ? nil : arg))
        case ":reset":
            session.reset()
            say("session reset")
        case ":ls":
            let rows = session.listing()
            say(rows.isEmpty ? "nothing bound yet" : rows.joined(separator: "\n"))
        case ":load":
            guard !arg.isEmpty else { return commandError("usage: :load FILE") }
            let bytes: [UInt8]
            do throws(FileError) {
                bytes = try SafeFile.readBytes(REPL.expandTilde(arg))
            } catch {
                return commandError("error: \(error)")
            }
            switch ScriptText.decode(bytes, name: arg) {
            case .failure(let d): return failure(d, color: color)
            case .success(let file):
                if let d = session.run(file) { return failure(d, color: color) }
            }
        case ":save":
            guard !arg.isEmpty else { return commandError("usage: :save FILE") }
            switch session.save(to: REPL.expandTilde(arg)) {
            case .success(let saved):
                say("saved to \(arg)")
                if !saved.omitted.isEmpty {
                    say("  not saved: " + saved.omitted.map { "`\($0)`" }.joined(separator: ", ")
                        + " (see the comments in the file; recompute after :load)")
                }
            case .failure(.interrupted):
                return Message.error("Interrupted", "interrupted", ["interrupted; \(arg) was not changed"])
            case .failure(.file(let e)):
                return commandError("error: \(e)")
            case .failure(let e):
                return commandError("error: cannot save to \(arg): \(e)")
            }
        case ":type":
            guard !arg.isEmpty else { return commandError("usage: :type EXPR") }
            // From the checker alone, as in the REPL: nothing runs.
            switch session.typeOf(arg) {
            case .success(let t): say(t.description)
            case .failure(let d): return failure(d, color: color)
            }
        case ":time":
            guard !arg.isEmpty else { return commandError("usage: :time EXPR") }
            let start = DispatchTime.now().uptimeNanoseconds
            let result = session.evaluate(arg, name: "<time>")
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            switch result {
            case .success(let v):
                session.output(.value(v))
                say("time: \(Format.number((ms * 1000).rounded() / 1000)) ms")
            case .failure(let d): return failure(d, color: color)
            }
        default:
            return commandError("error: unknown command \(parts[0])\n  help: the commands are \(Completer.commands.joined(separator: " "))")
        }
        return nil
    }

    // MARK: complete, inspect, is_complete

    /// The REPL's Tab completion on the text before the cursor (in Unicode
    /// code points, as Jupyter counts), over the cursor's line.
    func complete(_ code: String, cursor: Int?) -> [String: JSONValue] {
        let scalars = Array(code.unicodeScalars)
        let pos = min(max(0, cursor ?? scalars.count), scalars.count)
        var lineStart = pos
        while lineStart > 0 && scalars[lineStart - 1] != "\n" { lineStart -= 1 }
        var line = String.UnicodeScalarView()
        line.append(contentsOf: scalars[lineStart..<pos])
        let (word, matches) = completer.complete(String(line))
        let start = max(lineStart, pos - word.unicodeScalars.count)
        return [
            "status": .string("ok"), "matches": .array(matches.map(JSONValue.string)),
            "cursor_start": .int(start), "cursor_end": .int(pos),
        ]
    }

    /// `:type` of the name (or field chain, such as `anthropic.rate`) under the
    /// cursor; for a built-in function its signature.
    func inspect(_ code: String, cursor: Int?) -> [String: JSONValue] {
        guard let expr = Self.expression(in: code, at: cursor) else { return ["status": .string("ok"), "found": .bool(false)] }
        let notFound: [String: JSONValue] = ["status": .string("ok"), "found": .bool(false)]
        let head = String(expr.prefix(while: { $0 != "." }))
        if !expr.contains("."), session.globals[head] == nil {
            if let f = session.functions[head] {
                return ["status": .string("ok"), "found": .bool(true), "text": .string(f.source)]
            }
            if let s = Language.builtinSummaries.first(where: { $0.hasPrefix(head + "(") }) {
                return ["status": .string("ok"), "found": .bool(true), "text": .string(s)]
            }
            if let sc = session.scenarios[head] { return ["status": .string("ok"), "found": .bool(true), "text": .string(sc.source)] }
        }
        guard session.globals[head] != nil || session.model.contract(named: head) != nil || session.model.cluster(named: head) != nil else {
            return notFound
        }
        // The type from the checker, as `:type` gives it; then the value when
        // it is short to show (a run result's summary is not: it sorts).
        guard case .success(let t) = session.typeOf(expr, name: "<inspect>") else { return notFound }
        var text = "\(expr): \(t.description)"
        if case .success(let v) = session.evaluate(expr, name: "<inspect>") {
            if case .result = v {} else {
                let shown = Format.value(v)
                if shown.count <= 2000 { text += "\n" + shown }
            }
        }
        return ["status": .string("ok"), "found": .bool(true), "text": .string(text), "type": .string(t.description)]
    }

    /// The name or `a.b.c` chain around the cursor; right after `f(`, `f`.
    static func expression(in code: String, at cursor: Int?) -> String? {
        let chars = Array(code.unicodeScalars)
        var pos = min(max(0, cursor ?? chars.count), chars.count)
        func isWord(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" }
        // In `f(|` or `f(a, |` show the function being called.
        var end = pos
        while end < chars.count && isWord(chars[end]) { end += 1 }
        var start = pos
        while start > 0 && (isWord(chars[start - 1]) || chars[start - 1] == ".") { start -= 1 }
        if start == end {
            var depth = 0
            var i = pos
            while i > 0 {
                i -= 1
                let c = chars[i]
                if c == ")" || c == "]" || c == "}" { depth += 1 } else if c == "(" || c == "[" || c == "{" {
                    if depth == 0 {
                        guard c == "(" else { return nil }
                        pos = i
                        end = i
                        start = i
                        while start > 0 && (isWord(chars[start - 1]) || chars[start - 1] == ".") { start -= 1 }
                        break
                    }
                    depth -= 1
                }
            }
            if start == end { return nil }
        }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: chars[start..<end])
        let expr = String(s).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        guard let first = expr.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return nil }
        return expr
    }

    /// Open brackets continue; more closing than opening ones cannot be fixed
    /// by typing on.
    func isComplete(_ code: String) -> [String: JSONValue] {
        let depth = Brackets.depth(code)
        if depth > 0 { return ["status": .string("incomplete"), "indent": .string(String(repeating: "  ", count: depth))] }
        if depth < 0 { return ["status": .string("invalid")] }
        return ["status": .string("complete")]
    }
}

// MARK: JSON

/// The JSON values the protocol reads and writes; objects keep key order.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.encoded == b.encoded }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) { self = .double(d) } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) { self = .array(a) } else {
            let o = try c.decode([String: JSONValue].self)
            self = .object(o.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    public var encoded: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            guard d.isFinite else { return "null" }
            if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
            return "\(d)"
        case .string(let s): return Self.quote(s)
        case .array(let xs): return "[" + xs.map(\.encoded).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { Self.quote($0.0) + ":" + $0.1.encoded }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

/// One request line.
struct Request: Decodable {
    var id: JSONValue
    var op: String
    var code: String?
    var cursor: Int?
    var color: Bool?
    var name: String?

    struct Failure: Error {
        var id: JSONValue
        var message: String
    }

    enum Keys: String, CodingKey { case id, op, code, cursor, color, name }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        id = try c.decodeIfPresent(JSONValue.self, forKey: .id) ?? .null
        op = try c.decode(String.self, forKey: .op)
        code = try c.decodeIfPresent(String.self, forKey: .code)
        cursor = try c.decodeIfPresent(Int.self, forKey: .cursor)
        color = try c.decodeIfPresent(Bool.self, forKey: .color)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    static func parse(_ line: String) -> Result<Request, Failure> {
        let data = Data(line.utf8)
        do {
            return .success(try JSONDecoder().decode(Request.self, from: data))
        } catch {
            // Answer with the id when there is one to answer.
            struct IDOnly: Decodable { var id: JSONValue? }
            let id = (try? JSONDecoder().decode(IDOnly.self, from: data))?.id ?? .null
            let what: String
            switch error {
            case DecodingError.keyNotFound(let k, _): what = "missing field `\(k.stringValue)`"
            case DecodingError.typeMismatch(_, let ctx): what = "wrong type for `\(ctx.codingPath.map(\.stringValue).joined(separator: "."))`"
            default: what = "not a JSON object"
            }
            return .failure(Failure(id: id, message: "bad request: \(what)"))
        }
    }
}

/// The lines lease writes.
enum Message {
    static func line(_ fields: [(String, JSONValue)]) -> String { JSONValue.object(fields).encoded }

    /// The last line of a request's answer: its id, `event: done` and the fields, sorted.
    static func done(_ id: JSONValue, _ fields: [String: JSONValue]) -> String {
        line([("id", id), ("event", .string("done"))] + fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    static func error(_ ename: String, _ evalue: String, _ traceback: [String]) -> [String: JSONValue] {
        ["status": .string("error"), "ename": .string(ename), "evalue": .string(evalue), "traceback": .array(traceback.map(JSONValue.string))]
    }

    /// One printed value or `print` line while a request runs.
    static func output(_ id: JSONValue, _ event: OutputEvent, svg: ((Value) -> String?)?) -> String {
        switch event {
        case .text(let s):
            return line([("id", id), ("event", .string("output")), ("kind", .string("print")), ("text", .string(s))])
        case .value(let v):
            var fields: [(String, JSONValue)] = [
                ("id", id), ("event", .string("output")), ("kind", .string("value")),
                ("type", .string(v.typeName)), ("text", .string(Format.value(v))),
            ]
            let picture = svg?(v)
            if let html = HTMLRender.html(v, svg: picture) { fields.append(("html", .string(html))) }
            if let picture { fields.append(("svg", .string(picture))) }
            return line(fields)
        }
    }
}

// MARK: I/O

/// Writes whole lines to a file descriptor, one writer at a time, retrying
/// after signals.
final class LineWriter: @unchecked Sendable {
    let fd: Int32
    let lock = NSLock()
    init(fd: Int32) { self.fd = fd }

    func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        lock.lock()
        defer { lock.unlock() }
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            done += n
        }
    }
}

/// Reads lines from a file descriptor, retrying after signals (SIGINT must
/// not end the loop).
final class LineReader {
    let fd: Int32
    var buffer: [UInt8] = []
    var atEnd = false
    init(fd: Int32) { self.fd = fd }

    func next() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                let line = String(decoding: buffer, as: UTF8.self)
                buffer = []
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                atEnd = true
            } else if n == 0 {
                atEnd = true
            } else {
                buffer.append(contentsOf: chunk[..<n])
            }
        }
    }
}

private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int { write(fd, p, n) }
private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { read(fd, p, n) }

/// Requests waiting for the session, in order.
final class RequestQueue: @unchecked Sendable {
    enum Item { case request(Request), invalid(Request.Failure), end }
    let condition = NSCondition()
    var items: [Item] = []

    func put(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        return items.removeFirst()
    }
}

extension DoneFlag {
    /// A boolean shared between threads.
    final class Lockable: @unchecked Sendable {
        private let lock = NSLock()
        private var flag = false
        var value: Bool {
            lock.lock()
            defer { lock.unlock() }
            return flag
        }
        func set(_ v: Bool) {
            lock.lock()
            flag = v
            lock.unlock()
        }
    }
}
