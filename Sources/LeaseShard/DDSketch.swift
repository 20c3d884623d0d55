import Foundation

/// A mergeable relative-error quantile sketch (DDSketch, Masson, Rim and Lee,
/// VLDB 2019). Every quantile it answers is within `alpha` of the true order
/// statistic, relatively: for a true value x it answers some y with
/// |y − x| ≤ α·|x|.
///
/// Positive values fall in logarithmic buckets x ∈ (γ^(k−1), γ^k], γ = (1+α)/(1−α);
/// negative values in a mirrored store; zero and subnormals in a zero bucket;
/// infinities in their own counts, NaN is counted and ignored by quantiles.
/// Merging adds bucket counts, exactly, so any merge order gives the same
/// sketch and the same bytes.
public struct DDSketch: Equatable, Sendable {
    public static let defaultAlpha = 0.005

    public let alpha: Double
    public let gamma: Double
    let logGamma: Double
    /// Counts of positive values by bucket key, from `positive.offset`.
    var positive = Store()
    /// Counts of negative values by the key of their magnitude.
    var negative = Store()
    public private(set) var zeroCount: UInt64 = 0
    public private(set) var positiveInfinity: UInt64 = 0
    public private(set) var negativeInfinity: UInt64 = 0
    public private(set) var nanCount: UInt64 = 0

    /// Magnitudes below this go to the zero bucket.
    static let smallest = Double.leastNormalMagnitude

    public init(alpha: Double = DDSketch.defaultAlpha) {
        self.alpha = alpha
        gamma = (1 + alpha) / (1 - alpha)
        logGamma = log(gamma)
    }

    public static func == (a: DDSketch, b: DDSketch) -> Bool {
        a.alpha == b.alpha && a.positive == b.positive && a.negative == b.negative && a.zeroCount == b.zeroCount
            && a.positiveInfinity == b.positiveInfinity && a.negativeInfinity == b.negativeInfinity && a.nanCount == b.nanCount
    }

    /// Values counted by quantiles: everything but NaN.
    public var count: UInt64 { positive.total + negative.total + zeroCount + positiveInfinity + negativeInfinity }

    @inline(__always)
    func key(_ magnitude: Double) -> Int { Int((log(magnitude) / logGamma).rounded(.up)) }

    /// The value a bucket stands for: the point of least relative error in (γ^(k−1), γ^k].
    @inline(__always)
    func value(ofKey k: Int) -> Double { 2 * pow(gamma, Double(k)) / (gamma + 1) }

    public mutating func add(_ x: Double) {
        if x.isNaN {
            nanCount += 1
        } else if x == .infinity {
            positiveInfinity += 1
        } else if x == -.infinity {
            negativeInfinity += 1
        } else if x >= Self.smallest {
            positive.add(key(x), 1)
        } else if x <= -Self.smallest {
            negative.add(key(-x), 1)
        } else {
            zeroCount += 1
        }
    }

    public mutating func add<S: Sequence>(contentsOf xs: S) where S.Element == Double {
        for x in xs { add(x) }
    }

    /// Adds another sketch's counts. Both must have the same `alpha`.
    public mutating func merge(_ other: DDSketch) throws(ShardError) {
        guard other.alpha == alpha else {
            throw ShardError("cannot merge sketches of different accuracy (α = \(alpha) and \(other.alpha))")
        }
        positive.merge(other.positive)
        negative.merge(other.negative)
        zeroCount += other.zeroCount
        positiveInfinity += other.positiveInfinity
        negativeInfinity += other.negativeInfinity
        nanCount += other.nanCount
    }

    /// The estimate of the order statistic of 0-based `rank` (in ascending order, NaN left out).
    public func value(atRank rank: UInt64) -> Double {
        var r = rank
        if r < negativeInfinity { return -.infinity }
        r -= negativeInfinity
        // Negative values: largest magnitude (highest key) first.
        if r < negative.total {
            var i = negative.counts.count - 1
            while i >= 0 {
                let c = negative.counts[i]
                if r < c { return -value(ofKey: negative.offset + i) }
                r -= c
                i -= 1
            }
        }
        r -= min(r, negative.total)
        if r < zeroCount { return 0 }
        r -= zeroCount
        if r < positive.total {
            for (i, c) in positive.counts.enumerated() {
                if r < c { return value(ofKey: positive.offset + i) }
                r -= c
            }
        }
        return positiveInfinity > 0 ? .infinity : (positive.counts.isEmpty ? 0 : value(ofKey: positive.offset + positive.counts.count - 1))
    }

    /// NumPy-style linear-interpolation percentile over the sketched values,
    /// clamped to the exact `min` and `max` when they are given.
    public func percentile(_ p: Double, min lo: Double = -.infinity, max hi: Double = .infinity) -> Double {
        let n = count
        guard n > 0 else { return .nan }
        let h = Double(n - 1) * Swift.min(1, Swift.max(0, p))
        let k = UInt64(h.rounded(.down))
        let a = Swift.min(hi, Swift.max(lo, value(atRank: k)))
        guard k + 1 < n, h > Double(k) else { return a }
        let b = Swift.min(hi, Swift.max(lo, value(atRank: k + 1)))
        return a + (h - Double(k)) * (b - a)
    }

    /// Every bucket as (representative value, count), ascending, for histograms.
    public func buckets() -> [(value: Double, count: UInt64)] {
        var out: [(Double, UInt64)] = []
        if negativeInfinity > 0 { out.append((-.infinity, negativeInfinity)) }
        for (i, c) in negative.counts.enumerated().reversed() where c > 0 { out.append((-value(ofKey: negative.offset + i), c)) }
        if zeroCount > 0 { out.append((0, zeroCount)) }
        for (i, c) in positive.counts.enumerated() where c > 0 { out.append((value(ofKey: positive.offset + i), c)) }
        if positiveInfinity > 0 { out.append((.infinity, positiveInfinity)) }
        return out
    }

    /// Dense counts over a contiguous range of bucket keys, trimmed of zeros at both ends.
    struct Store: Equatable, Sendable {
        var offset = 0
        var counts: [UInt64] = []
        var total: UInt64 = 0

        @inline(__always)
        mutating func add(_ key: Int, _ c: UInt64) {
            if counts.isEmpty {
                offset = key
                counts = [c]
            } else if key < offset {
                counts.insert(contentsOf: repeatElement(0, count: offset - key), at: 0)
                offset = key
                counts[0] += c
            } else if key >= offset + counts.count {
                counts.append(contentsOf: repeatElement(0, count: key - offset - counts.count + 1))
                counts[key - offset] += c
            } else {
                counts[key - offset] += c
            }
            total += c
        }

        mutating func merge(_ o: Store) {
            guard !o.counts.isEmpty else { return }
            // Grow once to cover both ranges, then add.
            add(o.offset, 0)
            add(o.offset + o.counts.count - 1, 0)
            for (i, c) in o.counts.enumerated() { counts[o.offset - offset + i] += c }
            total += o.total
        }
    }
}

// MARK: Bytes

extension DDSketch {
    /// Little-endian bytes: alpha, the four single counts, then each store as
    /// offset, length and counts. Equal sketches give equal bytes.
    public func encode(into w: inout ByteWriter) {
        w.double(alpha)
        w.u64(zeroCount)
        w.u64(positiveInfinity)
        w.u64(negativeInfinity)
        w.u64(nanCount)
        for s in [positive, negative] {
            w.i64(Int64(s.counts.isEmpty ? 0 : s.offset))
            w.u64(UInt64(s.counts.count))
            for c in s.counts { w.u64(c) }
        }
    }

    public static func decode(from r: inout ByteReader) throws(ShardError) -> DDSketch {
        let alpha = try r.double()
        guard alpha > 0, alpha < 1 else { throw ShardError("sketch accuracy \(alpha) is out of range") }
        var s = DDSketch(alpha: alpha)
        s.zeroCount = try r.u64()
        s.positiveInfinity = try r.u64()
        s.negativeInfinity = try r.u64()
        s.nanCount = try r.u64()
        var stores: [Store] = []
        for _ in 0..<2 {
            var st = Store()
            let offset = try r.i64()
            let n = try r.u64()
            // No key outside the range of finite doubles: at most ~1.5e5 buckets a store.
            guard abs(offset) < 1 << 32, n <= 1 << 22, Int(n) * 8 <= r.remaining else { throw ShardError("sketch store is malformed") }
            st.offset = Int(offset)
            st.counts.reserveCapacity(Int(n))
            for _ in 0..<n {
                let c = try r.u64()
                st.counts.append(c)
                let (t, o) = st.total.addingReportingOverflow(c)
                guard !o else { throw ShardError("sketch counts overflow") }
                st.total = t
            }
            stores.append(st)
        }
        s.positive = stores[0]
        s.negative = stores[1]
        return s
    }
}
