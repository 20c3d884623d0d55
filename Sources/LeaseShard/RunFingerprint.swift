/// A stable 64-bit fingerprint of what a sharded run computes: the script's
/// text, the scenario's declaration, the run's body and the run's name.
/// Parts of one run carry the same fingerprint; `lease merge` refuses parts
/// whose fingerprints differ. FNV-1a 64 over length-prefixed fields, so that
/// moving text from one field to the next changes the hash.
public struct RunFingerprint: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(value: UInt64) { self.value = value }

    public init(script: String, scenario: String, body: String, runName: String) {
        var hasher = FNV1a64()
        for field in [script, scenario, body, runName] {
            let bytes = Array(field.utf8)
            hasher.add(UInt64(bytes.count))
            hasher.add(bytes)
        }
        value = hasher.value
    }

    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// FNV-1a, 64 bits.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    mutating func add(_ word: UInt64) {
        var w = word.littleEndian
        for _ in 0..<8 {
            value ^= w & 0xff
            value = value &* 0x0000_0100_0000_01b3
            w >>= 8
        }
    }
}
