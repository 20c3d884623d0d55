import Dispatch
import Foundation

/// Summary statistics of a run's output columns: what `run` prints and what
/// `.mean`, `.p95` and `percentile(r, p)` answer.
public struct RunSummary: Sendable {
    public let result: RunResult

    public init(_ r: RunResult) { result = r }

    /// Exact percentile with NumPy's default linear interpolation; `sorted` ascending.
    public static func percentile(sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * min(1, max(0, p))
        let lo = Int(h.rounded(.down))
        if lo + 1 >= sorted.count { return sorted[sorted.count - 1] }
        return Selection.interpolate(sorted[lo], sorted[lo + 1], h - Double(lo))
    }

    public struct Stats: Sendable {
        public var n: Int
        public var mean, sd, min, p5, p50, p95, max: Double
    }

    /// n, mean, sample sd, min, max and the 5th/50th/95th percentiles, without
    /// sorting; the passes over a large column run on two threads. A large
    /// column's statistics are computed once: asking again (`r.mean`, then
    /// `r.p95`, then printing the run) costs nothing (`SummaryCache`).
    public static func stats(_ values: [Double]) -> Stats {
        if let s = SummaryCache.shared.stats(values) { return s }
        let s = computeStats(values)
        SummaryCache.shared.store(values, stats: s)
        return s
    }

    /// Forgets every cached summary, so a new run does not keep the last
    /// one's columns alive through the cache.
    public static func releaseCache() { SummaryCache.shared.removeAll() }

    package static func computeStats(_ values: [Double]) -> Stats {
        let n = values.count
        let partial = chunks(values, initial: (CompensatedSum(), Double.infinity, -Double.infinity)) { chunk in
            var acc = CompensatedSum()
            var lo = Double.infinity, hi = -Double.infinity
            for x in chunk {
                acc.add(x)
                if x < lo { lo = x }
                if x > hi { hi = x }
            }
            return (acc, lo, hi)
        }
        var acc = CompensatedSum()
        var lo = Double.infinity, hi = -Double.infinity
        for (a, l, h) in partial {
            acc.add(a.value)
            lo = min(lo, l)
            hi = max(hi, h)
        }
        let mean = n > 0 ? acc.value / Double(n) : .nan
        let sqParts = chunks(values, initial: 0.0) { chunk in
            var sq = CompensatedSum()
            for x in chunk {
                let d = x - mean
                sq.add(d * d)
            }
            return sq.value
        }
        var sq = CompensatedSum()
        for x in sqParts { sq.add(x) }
        let sd = n > 1 ? (sq.value / Double(n - 1)).squareRoot() : 0
        let ps = Selection.summary(values)
        return Stats(n: n, mean: mean, sd: sd, min: n > 0 ? lo : .nan, p5: ps.p5, p50: ps.p50, p95: ps.p95, max: n > 0 ? hi : .nan)
    }

    /// `body` over each of two halves of a large column, side by side, or
    /// over the whole of a small one; one result per part, in order.
    static func chunks<T>(_ values: [Double], initial: T, _ body: @escaping (UnsafeBufferPointer<Double>.SubSequence) -> T) -> [T] {
        let n = values.count
        let parts = n >= 1 << 16 ? 2 : 1
        var out = [T](repeating: initial, count: parts)
        values.withUnsafeBufferPointer { v in
            let vb = UnsafeSendableConst(v)
            let work = UncheckedBody(body)
            out.withUnsafeMutableBufferPointer { o in
                let ob = UnsafeSendableBuffer(o)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    ob.buffer[part] = work.body(vb.buffer[(n * part / parts)..<(n * (part + 1) / parts)])
                }
            }
        }
        return out
    }

    public var text: String {
        var lines: [String] = []
        for col in result.outputs {
            let st = Self.stats(col.values)
            func f(_ x: Double) -> String {
                if col.isDate, x.isFinite, abs(x) < 1e9, let d = CalendarDate.fromOrdinal(Int(x.rounded(.down))) { return d.description }
                return Format.quantity(Quantity(x, col.unit))
            }
            let title = result.outputs.count > 1 ? "\(col.name): " : ""
            let sd = col.isDate ? Format.number(st.sd) + " days" : f(st.sd)
            lines.append("\(title)n = \(Format.number(Double(st.n)))  mean = \(f(st.mean))  sd = \(sd)")
            lines.append("min = \(f(st.min))  p5 = \(f(st.p5))  p50 = \(f(st.p50))  p95 = \(f(st.p95))  max = \(f(st.max))")
            lines.append(contentsOf: Self.histogram(col.values, min: st.min, max: st.max, label: f))
        }
        return lines.joined(separator: "\n")
    }

    /// A terminal histogram: ten bins between min and max, bars of `█`.
    public static func histogram(_ values: [Double], min lo: Double, max hi: Double, label: (Double) -> String, bins: Int = 10, width: Int = 40) -> [String] {
        guard values.count > 1, hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let w = (hi - lo) / Double(bins)
        // Bin counts of each half, side by side, then added: the same counts.
        let parts = chunks(values, initial: [Int]()) { chunk in
            // Four sets of counts, one for each value in turn, added at the end: a run of values in
            // one bin then waits on four counters, not on one counter's last increment each time.
            var counts = Array(repeating: 0, count: 4 * bins)
            counts.withUnsafeMutableBufferPointer { cp in
                guard let c = cp.baseAddress else { return }
                // Every value but NaN lies in [lo, hi], so its bin is in 0...bins before the clamp.
                // (v − lo) × (1 / w) is within a few ulps of (v − lo) / w: it has the
                // same whole part unless it lies that close to a whole number, and
                // then the division decides, so the bins are the division's.
                let inverse = 1 / w
                var k = 0
                if inverse.isFinite {
                    for v in chunk where !v.isNaN {
                        let t = (v - lo) * inverse
                        var b = Int(t)
                        let f = t - Double(b)
                        if f < 0x1p-40 || f > 1 - 0x1p-40 { b = Int((v - lo) / w) }
                        c[(k & 3) &* bins &+ Swift.min(bins - 1, Swift.max(0, b))] &+= 1
                        k &+= 1
                    }
                } else {
                    for v in chunk where !v.isNaN {
                        c[(k & 3) &* bins &+ Swift.min(bins - 1, Swift.max(0, Int((v - lo) / w)))] &+= 1
                        k &+= 1
                    }
                }
            }
            return (0..<bins).map { counts[$0] + counts[bins + $0] + counts[2 * bins + $0] + counts[3 * bins + $0] }
        }
        var counts = Array(repeating: 0, count: bins)
        for p in parts { for (i, c) in p.enumerated() { counts[i] += c } }
        let top = counts.max() ?? 1
        let labels = (0..<bins).map { label(lo + w * Double($0)) }
        let lw = labels.map(\.count).max() ?? 0
        return (0..<bins).map { i in
            let bar = String(repeating: "█", count: top > 0 ? Int((Double(counts[i]) / Double(top) * Double(width)).rounded()) : 0)
            let pad = String(repeating: " ", count: lw - labels[i].count)
            return "  \(pad)\(labels[i]) │\(bar) \(Format.number(Double(counts[i])))"
        }
    }
}

/// Summaries of the few most recent large columns (`Selection.largeColumn`
/// values or more): their statistics and every percentile asked of them.
///
/// A column is known by its storage: an entry holds the array itself (no
/// copy), so that storage cannot be freed and reused by another array while
/// the entry lives, and nothing can change it (a change would copy it first).
/// At most `capacity` columns are kept, and a new run drops them all.
public final class SummaryCache: @unchecked Sendable {
    public static let shared = SummaryCache()
    static let capacity = 8

    struct Entry {
        var values: [Double]
        var stats: RunSummary.Stats?
        var percentiles: [Double: Double] = [:]
    }

    private let lock = NSLock()
    private var entries: [Entry] = []

    /// A cache of its own (the runs use `shared`).
    package init() {}

    static func identity(_ values: [Double]) -> UnsafePointer<Double>? {
        values.withUnsafeBufferPointer { $0.baseAddress }
    }

    private func index(_ values: [Double]) -> Int? {
        guard values.count >= Selection.largeColumn, let id = Self.identity(values) else { return nil }
        return entries.lastIndex { $0.values.count == values.count && Self.identity($0.values) == id }
    }

    private func update(_ values: [Double], _ change: (inout Entry) -> Void) {
        guard values.count >= Selection.largeColumn else { return }
        lock.lock()
        defer { lock.unlock() }
        if let i = index(values) {
            var e = entries.remove(at: i)
            change(&e)
            entries.append(e)
        } else {
            var e = Entry(values: values)
            change(&e)
            entries.append(e)
            if entries.count > Self.capacity { entries.removeFirst() }
        }
    }

    package func stats(_ values: [Double]) -> RunSummary.Stats? {
        guard values.count >= Selection.largeColumn else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return index(values).flatMap { entries[$0].stats }
    }

    package func percentiles(_ values: [Double], _ ps: [Double]) -> [Double?] {
        guard values.count >= Selection.largeColumn else { return ps.map { _ in nil } }
        lock.lock()
        defer { lock.unlock() }
        guard let i = index(values) else { return ps.map { _ in nil } }
        return ps.map { entries[i].percentiles[$0] }
    }

    package func store(_ values: [Double], stats: RunSummary.Stats) {
        update(values) { $0.stats = stats }
    }

    package func store(_ values: [Double], percentiles: [Double: Double]) {
        update(values) { e in for (p, x) in percentiles { e.percentiles[p] = x } }
    }

    /// How many columns are cached (for tests).
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    public func removeAll() {
        lock.lock()
        let old = entries
        entries = []
        lock.unlock()
        _ = old  // released outside the lock
    }
}

struct UnsafeSendableConst<T>: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<T>
    init(_ b: UnsafeBufferPointer<T>) { buffer = b }
}

struct UncheckedBody<T>: @unchecked Sendable {
    let body: (UnsafeBufferPointer<Double>.SubSequence) -> T
    init(_ b: @escaping (UnsafeBufferPointer<Double>.SubSequence) -> T) { body = b }
}
