/// Converts between the UTF-8 byte offsets of spans and the protocol's
/// positions: zero-based lines and characters counted in UTF-16 code units
/// (`€`, `₩` and `→` are one unit each, a character outside the Basic
/// Multilingual Plane two). Lines end at `\n`, `\r\n` or a lone `\r`, as
/// the protocol says.
public struct LineIndex: Sendable {
    public let bytes: [UInt8]
    /// Byte offset where each line starts.
    public let starts: [Int]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A {
                starts.append(i + 1)
            } else if b == 0x0D {
                if i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        self.starts = starts
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public var lineCount: Int { starts.count }

    /// The line holding a byte offset.
    public func line(ofByte offset: Int) -> Int {
        let o = min(max(0, offset), bytes.count)
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Where line `n`'s text ends (before its line break).
    public func lineEnd(_ n: Int) -> Int {
        guard n >= 0 && n < starts.count else { return bytes.count }
        var end = n + 1 < starts.count ? starts[n + 1] : bytes.count
        if end > starts[n] && n + 1 < starts.count {
            if bytes[end - 1] == 0x0A { end -= 1 }
            if end > starts[n] && bytes[end - 1] == 0x0D { end -= 1 }
        }
        return end
    }

    /// UTF-16 code units of one UTF-8 lead byte's character (0 for a continuation byte).
    @inline(__always)
    static func units(_ b: UInt8) -> Int {
        if b & 0xC0 == 0x80 { return 0 }
        return b >= 0xF0 ? 2 : 1
    }

    /// The protocol position of a byte offset.
    public func position(ofByte offset: Int) -> (line: Int, character: Int) {
        let o = min(max(0, offset), bytes.count)
        let line = line(ofByte: o)
        var c = 0
        var i = starts[line]
        let end = min(o, lineEnd(line))
        while i < end {
            c += Self.units(bytes[i])
            i += 1
        }
        return (line, c)
    }

    /// The byte offset of a protocol position. A line past the end is the
    /// end of the text; a character past the line's end is the line's end;
    /// a position inside a character is that character's start.
    public func byteOffset(line: Int, character: Int) -> Int {
        if line < 0 { return 0 }
        guard line < starts.count else { return bytes.count }
        let end = lineEnd(line)
        var i = starts[line]
        var c = 0
        while i < end {
            let u = Self.units(bytes[i])
            if u > 0 && c + u > character { return i }
            c += u
            i += 1
        }
        return end
    }
}
