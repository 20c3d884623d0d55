import Foundation
import LeaseCore

/// One output column of a merged run.
public struct MergedColumn: Equatable, Sendable {
    public var name: String
    public var unit: UnitExpr
    public var isDate: Bool
    public var n: Int
    public var mean, sd, min, max: Double
    public var p5, p50, p95: Double
    /// True when the percentiles are order statistics of the merged rows;
    /// false when they come from the sketch, within `alpha` relatively.
    public var exact: Bool
    public var alpha: Double
    /// Ten bins between min and max, as the run's histogram counts them
    /// (from the sketch's buckets when not exact); empty when there is none.
    public var histogram: [Int]
}

/// The result of merging every part of one run.
public struct MergedResult: Equatable, Sendable {
    public var runName: String
    public var shards: Int
    public var columns: [MergedColumn]
    public var exact: Bool { columns.allSatisfy(\.exact) }
}

/// Merges the parts of one sharded run.
public enum Merge {
    /// Reads, checks and merges parts. Refuses, naming the file, a part of
    /// another run or format version, a missing or repeated shard, and a
    /// truncated or corrupted file. Sorted columns are streamed, never loaded.
    ///
    /// With `sketch`, percentiles come from the sketch even when every part
    /// is exact, and no sorted column is read.
    public static func merge(paths: [String], chunk: Int = 1 << 16, sketch useSketch: Bool = false) throws(ShardError) -> MergedResult {
        guard let firstPath = paths.first else { throw ShardError("lease merge needs the parts of a run: lease merge DIR/*.leasepart") }
        var headers: [PartialHeader] = []
        for p in paths { headers.append(try PartialFile.read(p)) }
        let first = headers[0]
        for (p, h) in zip(paths, headers).dropFirst() {
            guard h.fingerprint == first.fingerprint, h.runName == first.runName, h.ordinal == first.ordinal else {
                throw ShardError("\(p): part of a different run: \(h.runDescription), but \(firstPath) is \(first.runDescription)")
            }
            guard h.shard.count == first.shard.count else {
                throw ShardError("\(p): shard \(h.shard) of a run split into \(h.shard.count) shards, but \(firstPath) is one of \(first.shard.count)")
            }
            guard h.totalRows == first.totalRows else {
                throw ShardError("\(p): part of a run of \(h.totalRows) rows, but \(firstPath) is of \(first.totalRows)")
            }
            guard h.columns.map(\.name) == first.columns.map(\.name), h.columns.map(\.unit) == first.columns.map(\.unit),
                h.columns.map(\.isDate) == first.columns.map(\.isDate)
            else {
                throw ShardError("\(p): its output columns differ from \(firstPath)'s")
            }
        }
        var byShard: [Int: Int] = [:]
        for (i, h) in headers.enumerated() {
            if let j = byShard[h.shard.index] {
                throw ShardError("\(paths[i]): shard \(h.shard) appears twice: also \(paths[j])")
            }
            byShard[h.shard.index] = i
        }
        let missing = (0..<first.shard.count).filter { byShard[$0] == nil }
        if !missing.isEmpty {
            let list = missing.prefix(10).map { "\($0)/\(first.shard.count)" }.joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
            throw ShardError("run `\(first.runName)` has \(first.shard.count) shards; missing: \(list) (given \(paths.count) part\(paths.count == 1 ? "" : "s"), starting with \(firstPath))")
        }
        // Shard order, whatever the order of the arguments: the same bytes out.
        let order = (0..<first.shard.count).compactMap { byShard[$0] }
        let parts = order.map { (path: paths[$0], header: headers[$0]) }
        let exact = !useSketch && parts.allSatisfy(\.header.exact)
        if exact { for p in parts { try PartialFile.verifyData(p.path, p.header) } }
        var columns: [MergedColumn] = []
        for c in first.columns.indices {
            columns.append(try mergeColumn(parts.map { ($0.path, $0.header.columns[c]) }, exact: exact, sketchOnly: useSketch, chunk: chunk))
        }
        return MergedResult(runName: first.runName, shards: first.shard.count, columns: columns)
    }

    static func mergeColumn(_ parts: [(path: String, column: ColumnPart)], exact: Bool, sketchOnly: Bool, chunk: Int) throws(ShardError) -> MergedColumn {
        let c0 = parts[0].column
        var sketch = DDSketch(alpha: c0.sketch.alpha)
        for p in parts { try sketch.merge(p.column.sketch) }
        let n = parts.reduce(0) { $0 + $1.column.count }
        let nonEmpty = parts.filter { $0.column.count > 0 }
        let lo = nonEmpty.map(\.column.min).reduce(Double.infinity) { $1 < $0 ? $1 : $0 }
        let hi = nonEmpty.map(\.column.max).reduce(-Double.infinity) { $1 > $0 ? $1 : $0 }
        var out = MergedColumn(name: c0.name, unit: c0.unit, isDate: c0.isDate, n: n, mean: .nan, sd: 0,
                               min: n > 0 ? lo : .nan, max: n > 0 ? hi : .nan, p5: .nan, p50: .nan, p95: .nan,
                               exact: true, alpha: sketch.alpha, histogram: [])
        if parts.count == 1 && !sketchOnly {
            // One part is a whole run: its own figures, bit for bit.
            (out.mean, out.sd, out.p5, out.p50, out.p95) = (c0.runMean, c0.runSD, c0.p5, c0.p50, c0.p95)
            out.min = c0.count > 0 ? c0.min : .nan
            out.max = c0.count > 0 ? c0.max : .nan
        } else {
            var sum = Neumaier()
            for p in parts {
                sum.add(p.column.sumHigh)
                sum.add(p.column.sumLow)
            }
            let mean = n > 0 ? sum.value / Double(n) : .nan
            // Chan et al.: M2 = Σ M2ᵢ + Σ nᵢ (meanᵢ − mean)², compensated.
            var m2 = Neumaier()
            for p in nonEmpty {
                m2.add(p.column.m2)
                let d = p.column.mean - mean
                m2.add(Double(p.column.count) * d * d)
            }
            out.mean = mean
            out.sd = n > 1 ? (m2.value / Double(n - 1)).squareRoot() : 0
            if n > 0 {
                if exact {
                    let ps = try exactPercentiles(parts, n: n, [0.05, 0.5, 0.95], chunk: chunk)
                    (out.p5, out.p50, out.p95) = (ps[0], ps[1], ps[2])
                } else {
                    out.p5 = sketch.percentile(0.05, min: lo, max: hi)
                    out.p50 = sketch.percentile(0.5, min: lo, max: hi)
                    out.p95 = sketch.percentile(0.95, min: lo, max: hi)
                    out.exact = false
                }
            }
        }
        if parts.count == 1 && !sketchOnly {
            out.histogram = c0.runHistogram
        } else if n > 1, hi > lo, lo.isFinite, hi.isFinite {
            out.histogram = exact ? try exactHistogram(parts, lo: lo, hi: hi) : sketchHistogram(sketch, lo: lo, hi: hi)
        }
        return out
    }

    /// The run's linear-interpolation percentiles over all parts' sorted
    /// values: a k-way merge that reads each file in chunks and stops at the
    /// highest rank it needs.
    static func exactPercentiles(_ parts: [(path: String, column: ColumnPart)], n: Int, _ ps: [Double], chunk: Int) throws(ShardError) -> [Double] {
        var needed: [Int] = []
        for p in ps {
            let h = Double(n - 1) * Swift.min(1, Swift.max(0, p))
            let k = Int(h.rounded(.down))
            needed.append(k)
            if k + 1 < n { needed.append(k + 1) }
        }
        let ranks = Array(Set(needed)).sorted()
        var values: [Int: Double] = [:]
        var merger = try KWayMerge(parts.map { ($0.path, $0.column.dataOffset, $0.column.count) }, chunk: chunk)
        defer { merger.close() }
        var rank = 0
        for target in ranks {
            while rank < target {
                guard try merger.next() != nil else { throw ShardError("the parts hold fewer values than they say") }
                rank += 1
            }
            guard let x = try merger.next() else { throw ShardError("the parts hold fewer values than they say") }
            values[target] = x
            rank += 1
        }
        return ps.map { p in
            let h = Double(n - 1) * Swift.min(1, Swift.max(0, p))
            let k = Int(h.rounded(.down))
            let a = values[k] ?? .nan
            guard k + 1 < n, h > Double(k) else { return a }
            let b = values[k + 1] ?? .nan
            return a + (h - Double(k)) * (b - a)
        }
    }

    /// The bin of a value, as `RunSummary.histogram` puts it.
    @inline(__always)
    static func bin(_ v: Double, lo: Double, w: Double, bins: Int) -> Int {
        Swift.min(bins - 1, Swift.max(0, Int((v - lo) / w)))
    }

    /// Exact bin counts from sorted values: the bin of a value never falls as
    /// the value grows, so each boundary is a binary search in each file.
    static func exactHistogram(_ parts: [(path: String, column: ColumnPart)], lo: Double, hi: Double, bins: Int = 10) throws(ShardError) -> [Int] {
        let w = (hi - lo) / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        for p in parts where p.column.count > 0 {
            let reader = try SortedColumnReader(path: p.path, offset: p.column.dataOffset, count: p.column.count)
            defer { reader.close() }
            let m = p.column.count - p.column.nanCount
            // start[b] = first index whose bin is ≥ b.
            var start = [Int](repeating: 0, count: bins + 1)
            start[bins] = m
            for b in 1..<bins {
                var l = start[b - 1], r = m
                while l < r {
                    let mid = (l + r) / 2
                    if bin(try reader.value(at: mid, base: p.column.dataOffset), lo: lo, w: w, bins: bins) >= b { r = mid } else { l = mid + 1 }
                }
                start[b] = l
            }
            for b in 0..<bins { counts[b] += start[b + 1] - start[b] }
        }
        return counts
    }

    /// Approximate bin counts: each sketch bucket's count in the bin of its value.
    static func sketchHistogram(_ s: DDSketch, lo: Double, hi: Double, bins: Int = 10) -> [Int] {
        let w = (hi - lo) / Double(bins)
        var counts = [Int](repeating: 0, count: bins)
        for (v, c) in s.buckets() {
            counts[bin(Swift.min(hi, Swift.max(lo, v)), lo: lo, w: w, bins: bins)] += Int(c)
        }
        return counts
    }
}

/// Ascending values from several sorted columns, a chunk of each in memory.
struct KWayMerge {
    var readers: [SortedColumnReader]
    var buffers: [[Double]]
    var positions: [Int]
    /// A binary min-heap of (value, source); NaN ranks above every number.
    var heap: [(value: Double, source: Int)] = []

    init(_ sources: [(path: String, offset: Int, count: Int)], chunk: Int) throws(ShardError) {
        readers = []
        buffers = []
        positions = []
        for s in sources {
            let r = try SortedColumnReader(path: s.path, offset: s.offset, count: s.count, chunk: chunk)
            let b = try r.nextChunk() ?? []
            readers.append(r)
            buffers.append(b)
            positions.append(0)
            if let x = b.first { push((x, readers.count - 1)) }
        }
    }

    mutating func close() {
        for r in readers { r.close() }
        readers = []
    }

    @inline(__always)
    static func less(_ a: Double, _ b: Double) -> Bool { a < b || (b.isNaN && !a.isNaN) }

    mutating func push(_ e: (value: Double, source: Int)) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(heap[i].value, heap[parent].value) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// The next smallest value, or nil when every column is spent.
    mutating func next() throws(ShardError) -> Double? {
        guard let top = heap.first else { return nil }
        let s = top.source
        positions[s] += 1
        if positions[s] == buffers[s].count {
            buffers[s] = try readers[s].nextChunk() ?? []
            positions[s] = 0
        }
        if positions[s] < buffers[s].count {
            heap[0] = (buffers[s][positions[s]], s)
        } else {
            let last = heap.removeLast()
            if heap.isEmpty { return top.value }
            heap[0] = last
        }
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n, Self.less(heap[l].value, heap[m].value) { m = l }
            if r < n, Self.less(heap[r].value, heap[m].value) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return top.value
    }
}
