import Foundation

/// Base-protocol framing of the Language Server Protocol: each message is a
/// header block (`Content-Length: N`, optionally `Content-Type`, each line
/// ending in `\r\n`, then an empty line) followed by N bytes of JSON.
///
/// Reading is defensive: header names are case-insensitive, bare `\n` line
/// ends and stray blank lines between messages are accepted, a header block
/// without a usable length is skipped, and a body over `maxBody` is read
/// and dropped, so no input can make the server stop or grow without bound.
public struct MessageReader {
    /// What the reader found next.
    public enum Next: Equatable {
        /// A complete body.
        case message([UInt8])
        /// A framing problem; reading goes on after it.
        case malformed(String)
        /// A message too large to keep (its bytes were skipped).
        case tooLarge(Int)
        /// The input ended.
        case end
    }

    public static let maxHeader = 8 * 1024
    public static let maxBody = 64 * 1024 * 1024

    private let read: (inout [UInt8]) -> Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private let maxBody: Int

    /// `read` appends what is available to its argument and returns false at end of input.
    public init(maxBody: Int = MessageReader.maxBody, read: @escaping (inout [UInt8]) -> Bool) {
        self.read = read
        self.maxBody = maxBody
    }

    /// Reads from a file descriptor (standard input by default).
    public static func fileDescriptor(_ fd: Int32 = 0) -> MessageReader {
        MessageReader { buffer in
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    buffer.append(contentsOf: chunk[0..<n])
                    return true
                }
                if n < 0 && errno == EINTR { continue }
                return false
            }
        }
    }

    private var available: Int { buffer.count - start }

    /// Drops consumed bytes once they are a large part of the buffer.
    private mutating func compact() {
        if start > 0 && (start >= buffer.count || start > 1 << 20 || start > buffer.count / 2) {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// Reads more input; false at end.
    private mutating func fill() -> Bool {
        if atEnd { return false }
        compact()
        if !read(&buffer) { atEnd = true }
        return !atEnd
    }

    public mutating func next() -> Next {
        while true {
            // Blank lines between messages are not a header.
            while available > 0 && (buffer[start] == 0x0A || buffer[start] == 0x0D) { start += 1 }
            if available == 0 {
                if !fill() { return .end }
                continue
            }
            guard let (headerEnd, bodyStart) = findHeaderEnd() else {
                if available > Self.maxHeader {
                    // No end of headers in sight: drop through the last line end and resynchronize.
                    var cut = buffer.count
                    if let nl = buffer[start...].lastIndex(of: 0x0A) { cut = nl + 1 }
                    start = cut
                    return .malformed("header block longer than \(Self.maxHeader) bytes")
                }
                if !fill() {
                    start = buffer.count
                    return .end
                }
                continue
            }
            let header = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
            start = bodyStart
            var length: Int?
            var bad: String?
            for raw in header.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
                guard let colon = raw.firstIndex(of: ":") else {
                    bad = "header line without a colon: \(raw.prefix(60))"
                    continue
                }
                let name = raw[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = raw[raw.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if name == "content-length" {
                    guard let n = Int(value), n >= 0 else {
                        bad = "Content-Length is not a length: \(value.prefix(40))"
                        continue
                    }
                    length = n
                }
            }
            guard let length else {
                return .malformed(bad ?? "message without Content-Length")
            }
            if length > maxBody {
                // Skip the body as it arrives, keeping nothing.
                var left = length
                while left > 0 {
                    if available == 0 && !fill() { break }
                    let take = min(left, available)
                    start += take
                    left -= take
                }
                compact()
                return .tooLarge(length)
            }
            while available < length {
                if !fill() {
                    start = buffer.count
                    return .malformed("input ended inside a message body")
                }
            }
            let body = Array(buffer[start..<(start + length)])
            start += length
            compact()
            return .message(body)
        }
    }

    /// Whether a whole message is already read and waiting, so `next()`
    /// would not block: while one is, work that a later message makes
    /// obsolete (diagnostics of a superseded version) can wait.
    public var hasCompleteMessage: Bool {
        var s = start
        while s < buffer.count && (buffer[s] == 0x0A || buffer[s] == 0x0D) { s += 1 }
        guard s < buffer.count else { return false }
        guard let (headerEnd, bodyStart) = findHeaderEnd(from: s) else { return false }
        let header = String(decoding: buffer[s..<headerEnd], as: UTF8.self).lowercased()
        guard let r = header.range(of: "content-length:") else { return true }
        let digits = header[r.upperBound...].drop(while: { $0 == " " || $0 == "\t" }).prefix(while: \.isNumber)
        guard let n = Int(digits) else { return true }
        return n > maxBody || buffer.count - bodyStart >= n
    }

    /// The end of the header block (`\r\n\r\n` or `\n\n`) within the first
    /// `maxHeader` bytes: where the headers end and the body starts.
    private func findHeaderEnd(from: Int? = nil) -> (Int, Int)? {
        let first = from ?? start
        let limit = min(buffer.count, first + Self.maxHeader + 4)
        var i = first
        while i < limit {
            if buffer[i] == 0x0A {
                // A line end followed by an empty line (`\n\n` or `\n\r\n`).
                if i + 1 < buffer.count && buffer[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < buffer.count && buffer[i + 1] == 0x0D && buffer[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }
}

/// Writes framed messages; a closed output (the editor went away) is
/// reported by `write` returning false, never by a signal.
public final class MessageWriter: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    public private(set) var broken = false

    public init(fd: Int32 = 1) { self.fd = fd }

    @discardableResult
    public func write(_ body: [UInt8]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if broken { return false }
        var bytes = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        bytes.append(contentsOf: body)
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                off += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                broken = true
                return false
            }
        }
        return true
    }
}
