import Dispatch

/// Order statistics without sorting: a three-way-partition quickselect that
/// stays linear on the many equal values a grid run produces.
public enum Selection {
    /// Rearranges `a[lo..<hi]` so that `a[k]` holds the k-th smallest value,
    /// smaller ones before it and larger ones after it.
    public static func select(_ a: UnsafeMutableBufferPointer<Double>, _ k: Int, lo: Int = 0, hi: Int? = nil) {
        var lo = lo
        var hi = (hi ?? a.count) - 1
        guard k >= lo, k <= hi else { return }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        while hi > lo {
            if hi - lo < 16 {
                for i in (lo + 1)...hi {
                    let x = a[i]
                    var j = i - 1
                    while j >= lo && a[j] > x {
                        a[j + 1] = a[j]
                        j -= 1
                    }
                    a[j + 1] = x
                }
                return
            }
            // Median of three samples spread by a cheap generator, for a pivot.
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let span = UInt64(hi - lo + 1)
            let i1 = lo + Int((seed >> 33) % span)
            let i2 = lo + Int((seed >> 17) % span)
            let i3 = lo + (hi - lo) / 2
            let (x, y, z) = (a[i1], a[i2], a[i3])
            let pivot = max(min(x, y), min(max(x, y), z))
            // Dutch national flag: [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot.
            var lt = lo, i = lo, gt = hi
            while i <= gt {
                let v = a[i]
                if v < pivot {
                    a.swapAt(lt, i)
                    lt += 1
                    i += 1
                } else if v > pivot {
                    a.swapAt(i, gt)
                    gt -= 1
                } else {
                    i += 1
                }
            }
            if k < lt { hi = lt - 1 } else if k > gt { lo = gt + 1 } else { return }
        }
    }

    /// Linear-interpolation percentiles (NumPy's default) of `values`, exact.
    public static func percentiles(_ values: [Double], _ ps: [Double]) -> [Double] {
        let n = values.count
        guard n > 0 else { return ps.map { _ in .nan } }
        var work = values
        var out = Array(repeating: 0.0, count: ps.count)
        // Process in increasing order so each selection narrows the next.
        let order = ps.indices.sorted { ps[$0] < ps[$1] }
        work.withUnsafeMutableBufferPointer { a in
            var lo = 0
            for idx in order {
                let p = min(1, max(0, ps[idx]))
                out[idx] = percentile(a, p, lo: lo, hi: n)
                lo = Int((Double(n - 1) * p).rounded(.down))
            }
        }
        return out
    }

    /// The p-th percentile of `a` where only `a[lo..<hi]` can hold order
    /// statistic k, everything at or after `hi` being no smaller: selects k
    /// there, then interpolates towards the next order statistic.
    static func percentile(_ a: UnsafeMutableBufferPointer<Double>, _ p: Double, lo: Int, hi: Int) -> Double {
        let n = a.count
        let h = Double(n - 1) * p
        let k = Int(h.rounded(.down))
        select(a, k, lo: lo, hi: hi)
        guard k + 1 < n, h > Double(k) else { return a[k] }
        // The next order statistic: the smallest after k in this region, or
        // the first of the region above it (already the smallest there).
        var next = hi < n ? a[hi] : Double.infinity
        if k + 1 < hi { for i in (k + 1)..<hi where a[i] < next { next = a[i] } }
        return interpolate(a[k], next, h - Double(k))
    }

    /// Linear interpolation between two order statistics; equal ones (two
    /// infinities included) give themselves, not NaN.
    public static func interpolate(_ lo: Double, _ hi: Double, _ t: Double) -> Double {
        lo == hi ? lo : lo + t * (hi - lo)
    }

    /// The 5th, 50th and 95th percentiles: the median first, then the two
    /// tails in their halves, side by side on two threads.
    public static func summary(_ values: [Double]) -> (p5: Double, p50: Double, p95: Double) {
        let n = values.count
        // Small inputs: the tails may share order statistics with the median.
        guard n >= 1024 else {
            let ps = percentiles(values, [0.05, 0.5, 0.95])
            return (ps[0], ps[1], ps[2])
        }
        var work = values
        return work.withUnsafeMutableBufferPointer { a -> (Double, Double, Double) in
            let k50 = Int((Double(n - 1) * 0.5).rounded(.down))
            let p50 = percentile(a, 0.5, lo: 0, hi: n)
            let box = UnsafeSendableBuffer(a)
            var tails = [0.0, 0.0]
            tails.withUnsafeMutableBufferPointer { t in
                let out = UnsafeSendableBuffer(t)
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    out.buffer[i] = i == 0
                        ? percentile(box.buffer, 0.05, lo: 0, hi: k50)
                        : percentile(box.buffer, 0.95, lo: k50 + 1, hi: n)
                }
            }
            return (tails[0], p50, tails[1])
        }
    }
}

struct UnsafeSendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ b: UnsafeMutableBufferPointer<T>) { buffer = b }
}
