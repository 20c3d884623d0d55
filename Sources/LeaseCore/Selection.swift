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
    ///
    /// A large column is not copied: its order statistics are found in one
    /// pass over it on every core (`orderStatistics`), and each percentile
    /// of a column is computed once (`RunSummary`'s cache of large columns).
    public static func percentiles(_ values: [Double], _ ps: [Double]) -> [Double] {
        let n = values.count
        guard n > 0 else { return ps.map { _ in .nan } }
        let clamped = ps.map { min(1, max(0, $0)) }
        let cached = SummaryCache.shared.percentiles(values, clamped)
        if cached.allSatisfy({ $0 != nil }) { return cached.map { $0 ?? .nan } }
        let missing = clamped.indices.filter { cached[$0] == nil }.map { clamped[$0] }
        let found = compute(values, missing)
        SummaryCache.shared.store(values, percentiles: Dictionary(zip(missing, found), uniquingKeysWith: { a, _ in a }))
        var out: [Double] = []
        var next = 0
        for c in cached {
            if let c { out.append(c) } else { out.append(found[next]); next += 1 }
        }
        return out
    }

    /// Percentiles `ps` (each in 0...1) of a non-empty column, uncached.
    static func compute(_ values: [Double], _ ps: [Double]) -> [Double] {
        if values.count >= largeColumn, let xs = fastPercentiles(values, ps) { return xs }
        return copyingPercentiles(values, ps)
    }

    /// From this many values on, percentiles come from one pass over the
    /// column instead of a selection in a copy of it.
    public static let largeColumn = 1 << 17

    /// Percentiles by selection in a copy of the column.
    package static func copyingPercentiles(_ values: [Double], _ ps: [Double]) -> [Double] {
        let n = values.count
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

    /// The order statistics a percentile interpolates between: k and k + 1
    /// where the percentile falls between them.
    static func ranks(_ p: Double, count n: Int) -> (k: Int, next: Int?, t: Double) {
        let h = Double(n - 1) * p
        let k = Int(h.rounded(.down))
        return (k, k + 1 < n && h > Double(k) ? k + 1 : nil, h - Double(k))
    }

    /// Percentiles of a large column from its exact order statistics
    /// (`orderStatistics`), or nil where that pass cannot decide them.
    package static func fastPercentiles(_ values: [Double], _ ps: [Double]) -> [Double]? {
        let n = values.count
        var wanted: Set<Int> = []
        for p in ps {
            let r = ranks(p, count: n)
            wanted.insert(r.k)
            if let j = r.next { wanted.insert(j) }
        }
        guard let stats = values.withUnsafeBufferPointer({ orderStatistics($0, ranks: wanted.sorted()) }) else { return nil }
        var out: [Double] = []
        for p in ps {
            let r = ranks(p, count: n)
            guard let a = stats[r.k] else { return nil }
            guard let j = r.next else {
                out.append(a)
                continue
            }
            guard let b = stats[j] else { return nil }
            out.append(interpolate(a, b, r.t))
        }
        return out
    }

    /// The exact order statistics `ranks` (ascending, 0-based) of `values`,
    /// without copying or reordering them; nil if the column holds NaN or
    /// an estimate missed (the caller then selects in a copy).
    ///
    /// A spread-out sample of the column, sorted, brackets each rank between
    /// two values that very likely enclose it; one pass over the column on
    /// every core counts the values below each bracket and keeps those
    /// inside it (a few hundred thousand for ten million rows); the counts
    /// confirm that the rank lies in the bracket, and a selection among the
    /// kept values gives it exactly. The sample only decides how much is
    /// kept, never the answer.
    public static func orderStatistics(_ values: UnsafeBufferPointer<Double>, ranks: [Int]) -> [Int: Double]? {
        let n = values.count
        guard n >= 1024, let first = ranks.first, let last = ranks.last, first >= 0, last < n else { return nil }
        // 1. A stratified sample: one value from each of m equal slices.
        let m = Swift.min(n / 4, 1 << 15)
        var sample = [Double](repeating: 0, count: m)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<m {
            let a = i * n / m, b = (i + 1) * n / m
            h = h &* 6364136223846793005 &+ 1442695040888963407
            let x = values[a + Int((h >> 33) % UInt64(b - a))]
            if x.isNaN { return nil }
            sample[i] = x
        }
        sample.sort()
        // 2. A bracket [lo, hi] around each rank, about 6 standard errors wide on either side.
        let d = Int(3 * Double(m).squareRoot()) + 8
        var los: [Double] = []
        var his: [Double] = []
        var members: [[Int]] = []
        for k in ranks {
            let j = Int(Double(k) / Double(n - 1) * Double(m - 1))
            let lo = j - d < 0 ? -Double.infinity : sample[j - d]
            let hi = j + 1 + d >= m ? Double.infinity : sample[j + 1 + d]
            if let top = his.last, lo <= top {
                his[his.count - 1] = Swift.max(top, hi)
                members[members.count - 1].append(k)
            } else {
                los.append(lo)
                his.append(hi)
                members.append([k])
            }
        }
        // 3. One pass: values below each bracket counted, values inside kept, NaN counted.
        let t = los.count
        let chunks = Swift.max(1, Swift.min(64, n >> 16))
        var below = [Int](repeating: 0, count: chunks * t)
        var nans = [Int](repeating: 0, count: chunks)
        var kept = [[[Double]]](repeating: [], count: chunks)
        let src = UnsafeSendableConst(values)
        let (lows, highs) = (los, his)
        below.withUnsafeMutableBufferPointer { bp in
            nans.withUnsafeMutableBufferPointer { np in
                kept.withUnsafeMutableBufferPointer { kp in
                    let (bs, ns, ks) = (UnsafeSendableBuffer(bp), UnsafeSendableBuffer(np), UnsafeSendableBuffer(kp))
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        guard let v = src.buffer.baseAddress else { return }
                        let count = UnsafeMutablePointer<Int>.allocate(capacity: t)
                        count.initialize(repeating: 0, count: t)
                        let block = 4096
                        let inside = UnsafeMutablePointer<Double>.allocate(capacity: block)
                        defer {
                            count.deallocate()
                            inside.deallocate()
                        }
                        var keep = [[Double]](repeating: [], count: t)
                        var nan = 0
                        lows.withUnsafeBufferPointer { lp in
                            highs.withUnsafeBufferPointer { hp in
                                guard let lo = lp.baseAddress, let hi = hp.baseAddress else { return }
                                // In blocks that stay in cache, each a few loops without a
                                // branch on the data (half the values are below the median's
                                // bracket, in no predictable order): the counts below each
                                // bracket, the NaNs, and each bracket's values, every value
                                // written and the count moved on only for those inside.
                                var i = n * c / chunks
                                let end = n * (c + 1) / chunks
                                // (Plain while loops: the range loops here were not specialized.)
                                while i < end {
                                    let stop = Swift.min(end, i + block)
                                    var j = 0
                                    while j < t {
                                        let l = lo[j]
                                        var below = 0
                                        var q = i
                                        while q < stop {
                                            below &+= v[q] < l ? 1 : 0
                                            q &+= 1
                                        }
                                        count[j] &+= below
                                        j &+= 1
                                    }
                                    var q = i
                                    while q < stop {
                                        nan &+= v[q] != v[q] ? 1 : 0
                                        q &+= 1
                                    }
                                    j = 0
                                    while j < t {
                                        let (l, h) = (lo[j], hi[j])
                                        var kept = 0
                                        q = i
                                        while q < stop {
                                            let x = v[q]
                                            inside[kept] = x
                                            kept &+= (x >= l ? 1 : 0) & (x <= h ? 1 : 0)
                                            q &+= 1
                                        }
                                        if kept > 0 { keep[j].append(contentsOf: UnsafeBufferPointer(start: inside, count: kept)) }
                                        j &+= 1
                                    }
                                    i = stop
                                }
                            }
                        }
                        for j in 0..<t { bs.buffer[c * t + j] = count[j] }
                        ns.buffer[c] = nan
                        ks.buffer[c] = keep
                    }
                }
            }
        }
        if nans.contains(where: { $0 > 0 }) { return nil }
        // 4. Each rank from the kept values of its bracket, the brackets side by side.
        var found = [[(Int, Double)]?](repeating: nil, count: t)
        let (keptParts, belowCounts, rankGroups) = (kept, below, members)
        found.withUnsafeMutableBufferPointer { fp in
            let results = UnsafeSendableBuffer(fp)
            DispatchQueue.concurrentPerform(iterations: t) { j in
                let under = (0..<chunks).reduce(0) { $0 + belowCounts[$1 * t + j] }
                var work: [Double] = []
                work.reserveCapacity(keptParts.reduce(0) { $0 + $1[j].count })
                for c in 0..<chunks { work.append(contentsOf: keptParts[c][j]) }
                guard let lowest = rankGroups[j].first, let highest = rankGroups[j].last,
                    under <= lowest, highest < under + work.count
                else { return }
                var pairs: [(Int, Double)] = []
                work.withUnsafeMutableBufferPointer { a in
                    var from = 0
                    for k in rankGroups[j] {
                        select(a, k - under, lo: from, hi: a.count)
                        pairs.append((k, a[k - under]))
                        from = k - under
                    }
                }
                results.buffer[j] = pairs
            }
        }
        var out: [Int: Double] = [:]
        for pairs in found {
            guard let pairs else { return nil }
            for (k, x) in pairs { out[k] = x }
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

    /// The 5th, 50th and 95th percentiles: one pass over a large column
    /// on every core, or, for a small one, the median first and then the
    /// two tails in their halves.
    public static func summary(_ values: [Double]) -> (p5: Double, p50: Double, p95: Double) {
        let n = values.count
        // Small inputs: the tails may share order statistics with the median.
        guard n >= 1024 else {
            let ps = percentiles(values, [0.05, 0.5, 0.95])
            return (ps[0], ps[1], ps[2])
        }
        if n >= largeColumn {
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
