import Foundation

/// Counter-based random numbers: a draw depends only on the seed, the
/// parameter's name, the row and the draw's index within the row, never on
/// thread count, batch size or the order rows are computed in.
public enum CounterRNG {
    @inlinable @inline(__always)
    static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A stable 64-bit key for a parameter name (FNV-1a, then mixed).
    public static func key(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return mix(h)
    }

    /// The part of every draw that depends on the seed and the parameter only.
    @inlinable @inline(__always)
    public static func keyed(seed: UInt64, key: UInt64) -> UInt64 { mix(seed ^ key) }

    /// Uniform in the open interval (0, 1).
    @inlinable @inline(__always)
    public static func uniform(seed: UInt64, key: UInt64, row: UInt64, index: UInt64) -> Double {
        uniform(keyed: keyed(seed: seed, key: key), row: row, index: index)
    }

    /// `uniform(seed:key:row:index:)` from `keyed(seed:key:)`, worked out once a column.
    @inlinable @inline(__always)
    public static func uniform(keyed k: UInt64, row: UInt64, index: UInt64) -> Double {
        let x = mix(mix(k ^ row) &+ index &* 0xD1B5_4A32_D192_ED03)
        return (Double(x >> 11) + 0.5) * 0x1.0p-53
    }

    /// Standard normal by Box–Muller from two uniforms of the same draw.
    public static func normal(seed: UInt64, key: UInt64, row: UInt64, index: UInt64) -> Double {
        normal(keyed: keyed(seed: seed, key: key), row: row, index: index)
    }

    public static func normal(keyed k: UInt64, row: UInt64, index: UInt64) -> Double {
        let u1 = uniform(keyed: k, row: row, index: index &* 2)
        let u2 = uniform(keyed: k, row: row, index: index &* 2 &+ 1)
        return (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Gamma(shape, 1) by Marsaglia–Tsang; rejection uses further counters of the same draw.
    public static func gamma(_ shape: Double, seed: UInt64, key: UInt64, row: UInt64, index: UInt64) -> Double {
        gamma(shape, keyed: keyed(seed: seed, key: key), row: row, index: index)
    }

    public static func gamma(_ shape: Double, keyed k: UInt64, row: UInt64, index: UInt64) -> Double {
        if shape < 1 {
            let u = uniform(keyed: k, row: row, index: index &* 4096 &+ 4095)
            return gamma(shape + 1, keyed: k, row: row, index: index) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        for attempt in 0..<1000 {
            let base = index &* 4096 &+ UInt64(attempt) &* 3
            let x = normal(keyed: k, row: row, index: base)
            let v0 = 1 + c * x
            if v0 <= 0 { continue }
            let v = v0 * v0 * v0
            let u = uniform(keyed: k, row: row, index: base &+ 2 &+ 1_000_000)
            if Foundation.log(u) < 0.5 * x * x + d - d * v + d * Foundation.log(v) { return d * v }
        }
        return d
    }
}
