import Foundation

/// Why a shard could not be written or parts could not be merged. The
/// message names the file when there is one.
public struct ShardError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Which rows of every run one process evaluates: shard `index` of `count`
/// takes rows with global index in [⌊K·n/N⌋, ⌊(K+1)·n/N⌋).
public struct ShardSpec: Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1 else { throw ShardError("the number of shards must be at least 1, not \(count)") }
        guard count <= 1 << 20 else { throw ShardError("at most \(1 << 20) shards, not \(count)") }
        guard index >= 0, index < count else {
            throw ShardError("shard \(index) of \(count) does not exist: K must be from 0 to \(count - 1)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`, as `--shard` takes it.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let n = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else {
            throw ShardError("`--shard` takes K/N, such as 0/4 (shard K of N, 0 ≤ K < N), not `\(text)`")
        }
        try self.init(index: k, count: n)
    }

    /// The first row of shard `k` of `count` over `n` rows, without overflow.
    static func boundary(_ k: Int, _ count: Int, _ n: Int) -> Int {
        let product = max(0, n).multipliedFullWidth(by: k)
        return count.dividingFullWidth(product).quotient
    }

    /// This shard's rows of a run of `n` rows.
    public func rows(of n: Int) -> Range<Int> {
        Self.boundary(index, count, n)..<Self.boundary(index + 1, count, n)
    }

    public var description: String { "\(index)/\(count)" }
}

/// Little-endian bytes out.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    public mutating func u8(_ x: UInt8) { bytes.append(x) }
    public mutating func u32(_ x: UInt32) { withUnsafeBytes(of: x.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func i64(_ x: Int64) { u64(UInt64(bitPattern: x)) }
    public mutating func i32(_ x: Int32) { u32(UInt32(bitPattern: x)) }
    public mutating func double(_ x: Double) { u64(x.bitPattern) }
    public mutating func string(_ s: String) {
        let b = Array(s.utf8)
        u32(UInt32(b.count))
        bytes.append(contentsOf: b)
    }
    public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
}

/// Little-endian bytes in; every read checks that the bytes are there.
public struct ByteReader {
    let bytes: [UInt8]
    public private(set) var position: Int

    public init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    public var remaining: Int { bytes.count - position }

    mutating func take(_ n: Int) throws(ShardError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw ShardError("ends early") }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    public mutating func u8() throws(ShardError) -> UInt8 { try take(1).first ?? 0 }
    public mutating func u32() throws(ShardError) -> UInt32 {
        var x: UInt32 = 0
        for (i, b) in try take(4).enumerated() { x |= UInt32(b) << (8 * UInt32(i)) }
        return x
    }
    public mutating func u64() throws(ShardError) -> UInt64 {
        var x: UInt64 = 0
        for (i, b) in try take(8).enumerated() { x |= UInt64(b) << (8 * UInt64(i)) }
        return x
    }
    public mutating func i64() throws(ShardError) -> Int64 { Int64(bitPattern: try u64()) }
    public mutating func i32() throws(ShardError) -> Int32 { Int32(bitPattern: try u32()) }
    public mutating func double() throws(ShardError) -> Double { Double(bitPattern: try u64()) }
    public mutating func string() throws(ShardError) -> String {
        let n = Int(try u32())
        guard n <= remaining else { throw ShardError("ends early") }
        return String(decoding: try take(n), as: UTF8.self)
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib computes it), eight bytes a step.
public struct CRC32 {
    public private(set) var state: UInt32 = 0xFFFF_FFFF
    public init() {}

    static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[0][i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xff)] }
        }
        return t
    }()

    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        var c = state
        let t = Self.tables
        t[0].withUnsafeBufferPointer { t0 in
        t[1].withUnsafeBufferPointer { t1 in
        t[2].withUnsafeBufferPointer { t2 in
        t[3].withUnsafeBufferPointer { t3 in
        t[4].withUnsafeBufferPointer { t4 in
        t[5].withUnsafeBufferPointer { t5 in
        t[6].withUnsafeBufferPointer { t6 in
        t[7].withUnsafeBufferPointer { t7 in
            var i = 0
            let n = buffer.count
            while i + 8 <= n {
                let lo = UInt32(buffer[i]) | UInt32(buffer[i + 1]) << 8 | UInt32(buffer[i + 2]) << 16 | UInt32(buffer[i + 3]) << 24
                let hi = UInt32(buffer[i + 4]) | UInt32(buffer[i + 5]) << 8 | UInt32(buffer[i + 6]) << 16 | UInt32(buffer[i + 7]) << 24
                let x = c ^ lo
                c = t7[Int(x & 0xff)] ^ t6[Int((x >> 8) & 0xff)] ^ t5[Int((x >> 16) & 0xff)] ^ t4[Int(x >> 24)]
                    ^ t3[Int(hi & 0xff)] ^ t2[Int((hi >> 8) & 0xff)] ^ t1[Int((hi >> 16) & 0xff)] ^ t0[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t0[Int((c ^ UInt32(buffer[i])) & 0xff)] ^ (c >> 8)
                i += 1
            }
        }}}}}}}}
        state = c
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public static func of(_ bytes: [UInt8]) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }
}
