import Foundation
import LeaseCore
@testable import LeaseLanguage
import LeaseVector
import Testing

/// Summaries of large runs (issue 11): exact percentiles of a large column
/// come from one pass over it, not from a copy; each column's statistics
/// are computed once and then answered from a cache; batched samples give
/// the same rows whatever the threads.
@Suite("run summaries: one pass, computed once", .serialized)
struct RunSummaryCacheTests {
    /// A deterministic column of `n` values: smooth, with ties and a few extremes.
    static func column(_ n: Int, seed: UInt64, ties: Bool = false) -> [Double] {
        var h = seed
        return (0..<n).map { i in
            h = h &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(h >> 11) * 0x1p-53
            if ties { return (u * 50).rounded(.down) }
            if i % 100_003 == 7 { return i % 2 == 0 ? .infinity : -1e300 }
            return (u - 0.3) * 1e9 + Double(i % 7)
        }
    }

    static func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    @Test("one pass gives exactly the percentiles a selection in a copy gives", arguments: [0, 1, 2, 3])
    func fastEqualsCopy(_ kind: Int) {
        let n = [Selection.largeColumn, 1_000_003, 400_000, 300_001][kind]
        let values = Self.column(n, seed: UInt64(kind + 1), ties: kind == 2)
        let ps = [0, 0.001, 0.05, 0.25, 0.5, 0.5000001, 0.95, 0.99, 0.999999, 1]
        let fast = Selection.fastPercentiles(values, ps)
        let copy = Selection.copyingPercentiles(values, ps)
        #expect(fast != nil, "the one-pass selection missed on an ordinary column")
        for (i, p) in ps.enumerated() {
            #expect(Self.same(fast?[i] ?? .nan, copy[i]), "p = \(p): one pass \(fast?[i] ?? .nan), copy \(copy[i])")
        }
        // And a full sort agrees (NumPy's linear interpolation).
        let sorted = values.sorted()
        for (i, p) in ps.enumerated() {
            #expect(Self.same(copy[i], RunSummary.percentile(sorted: sorted, p)), "p = \(p) against the sorted column")
        }
    }

    @Test("a column with NaN goes back to the selection in a copy")
    func nanFallsBack() {
        var values = Self.column(Selection.largeColumn + 5, seed: 9)
        values[12_345] = .nan
        #expect(Selection.fastPercentiles(values, [0.5]) == nil)
        let a = Selection.percentiles(values, [0.05, 0.5])
        let b = Selection.copyingPercentiles(values, [0.05, 0.5])
        #expect(Self.same(a[0], b[0]) && Self.same(a[1], b[1]))
    }

    @Test("a sorted, a reversed and a constant column")
    func orderedColumns() {
        let n = 250_000
        let up = (0..<n).map(Double.init)
        let down = Array(up.reversed())
        let flat = [Double](repeating: 42, count: n)
        for xs in [up, down, flat] {
            let ps = [0.0, 0.05, 0.5, 0.95, 1]
            let fast = Selection.fastPercentiles(xs, ps)
            #expect(fast != nil)
            #expect(fast.map { zip($0, Selection.copyingPercentiles(xs, ps)).allSatisfy(Self.same) } == true)
        }
    }

    @Test("statistics and percentiles of a large column are computed once and kept")
    func cached() {
        // A cache of its own: runs in other tests use and clear the shared one.
        let cache = SummaryCache()
        let values = Self.column(500_000, seed: 3)
        #expect(cache.stats(values) == nil)
        let s1 = RunSummary.computeStats(values)
        cache.store(values, stats: s1)
        #expect(cache.count == 1)
        let s2 = cache.stats(values)
        #expect(s2.map { Self.same(s1.mean, $0.mean) && Self.same(s1.p95, $0.p95) && s1.n == $0.n } == true)
        // A copy shares the storage, so it is the same column.
        let copy = values
        #expect(cache.stats(copy) != nil)
        cache.store(values, percentiles: [0.99: 1.5])
        #expect(cache.percentiles(copy, [0.99, 0.5]).map { $0 ?? -1 } == [1.5, -1])
        #expect(cache.count == 1)
        // A copy that changes is another column: it is not answered from the cache.
        var other = values
        other[0] = -1e308
        #expect(cache.stats(other) == nil)
        cache.store(other, stats: RunSummary.computeStats(other))
        #expect(cache.count == 2)
        // Small columns are not cached.
        cache.store([1, 2, 3], stats: RunSummary.computeStats([1, 2, 3]))
        #expect(cache.count == 2)
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(cache.stats(values) == nil)
        // Through the shared cache, the answers are the computed ones.
        let a = RunSummary.stats(values), b = RunSummary.stats(values)
        #expect(Self.same(a.sd, s1.sd) && Self.same(b.sd, s1.sd) && Self.same(b.p5, s1.p5))
        #expect(Self.same(Selection.percentiles(values, [0.95])[0], s1.p95))
        #expect(Self.same(Selection.percentiles(values, [0.99])[0], Selection.copyingPercentiles(values, [0.99])[0]))
        #expect(RunSummary.stats(other).min == -1e308)
    }

    @Test("the cached statistics are those of the uncached computation")
    func cachedEqualsComputed() {
        let values = Self.column(700_001, seed: 5)
        let a = RunSummary.stats(values)
        let b = RunSummary.computeStats(values)
        for (x, y) in [(a.mean, b.mean), (a.sd, b.sd), (a.min, b.min), (a.max, b.max), (a.p5, b.p5), (a.p50, b.p50), (a.p95, b.p95)] {
            #expect(Self.same(x, y))
        }
        let copy = Selection.copyingPercentiles(values, [0.05, 0.5, 0.95])
        #expect(Self.same(a.p5, copy[0]) && Self.same(a.p50, copy[1]) && Self.same(a.p95, copy[2]))
        RunSummary.releaseCache()
    }

    static let sample = Fixtures.colossus + "\n" + """
        scenario mc {
          rate: uniform($1.0B, $1.5B) / month
          notice_on: uniform(2026-06-01, 2029-02-01)
          discount: triangular(0%, 30%, 60%)
          samples: 300_000
          seed: 42
        }
        let out_ = run mc: npv(terminate(anthropic with {rate: rate,
                    discounts: [2026-05: discount, 2026-06: discount]},
                    notice_on: notice_on), 8%)
        let p95_ = out_.p95
        let p99_ = percentile(out_, 99%)

        """

    @Test("a sample of several batches: the same rows on 1 and 2 threads, and r.p95, percentile(r, 99%) exact")
    func batchedSample() {
        #expect(VectorEngine.batchRows < 300_000, "the sample spans several batches")
        var results: [RunResult] = []
        for threads in [1, 2] {
            let session = Session()
            VectorEngine.install(in: session, threads: threads)
            let d = session.run(SourceFile(name: "mc.lease", text: Self.sample))
            #expect(d == nil, "\(d.map { "\($0)" } ?? "")")
            #expect((session.engine as? VectorEngine)?.lastFallback == nil)
            guard case .result(let r)? = session.globals["out_"] else {
                Issue.record("no result")
                return
            }
            #expect(r.count == 300_000)
            let values = r.outputs[0].values
            let exact = Selection.copyingPercentiles(values, [0.95, 0.99])
            if case .quantity(let q)? = session.globals["p95_"] { #expect(Self.same(q.value, exact[0])) } else { Issue.record("p95_") }
            if case .quantity(let q)? = session.globals["p99_"] { #expect(Self.same(q.value, exact[1])) } else { Issue.record("p99_") }
            results.append(r)
        }
        if results.count == 2 { #expect(results[0] == results[1], "threads 1 and 2 differ") }
        RunSummary.releaseCache()
    }
}
