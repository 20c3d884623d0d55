/// A script's text and name, shared by every span that points into it.
public final class SourceFile: Sendable {
    public let name: String
    public let text: String
    public let bytes: [UInt8]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        bytes = Array(text.utf8)
    }

    /// 1-based line and column (in characters) of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let o = min(max(0, offset), bytes.count)
        var line = 1
        var lineStart = 0
        var i = 0
        while i < o {
            if bytes[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        let col = String(decoding: bytes[lineStart..<o], as: UTF8.self).count + 1
        return (line, col)
    }

    /// The text of 1-based line `n`, without its newline.
    public func line(_ n: Int) -> String {
        var current = 1
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            if current == n { return String(decoding: bytes[start..<i], as: UTF8.self) }
            current += 1
            start = i + 1
        }
        return current == n ? String(decoding: bytes[start...], as: UTF8.self) : ""
    }

    public func slice(_ s: Span) -> String {
        let lo = min(max(0, s.start), bytes.count)
        let hi = min(max(lo, s.end), bytes.count)
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }
}

/// A half-open byte range in a source file. Lines and columns are worked out
/// only when an error is rendered.
public struct Span: Sendable, Equatable {
    public let file: SourceFile
    public let start: Int
    public let end: Int

    public init(_ file: SourceFile, _ start: Int, _ end: Int) {
        self.file = file
        let n = file.bytes.count
        self.start = min(max(0, start), n)
        self.end = min(max(self.start, end), n)
    }

    public func to(_ other: Span) -> Span { Span(file, min(start, other.start), max(end, other.end)) }

    public static func == (a: Span, b: Span) -> Bool { a.file === b.file && a.start == b.start && a.end == b.end }

    public var location: (line: Int, column: Int) { file.location(of: start) }
}
