import Foundation
import LeaseCore
import LeaseShard
import Testing

/// Sharded runs (LANGUAGE.md section 12): shard rows, partial files, the
/// sketch, and merging parts back into the run's result.
@Suite struct ShardTests {
    // MARK: Helpers

    /// A fresh directory under the temporary directory, removed by the caller.
    static func tempDir() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lease-shard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static let usd = UnitExpr(unit: Units.currency("USD") ?? 0)

    /// Deterministic pseudo-random numbers for test inputs.
    struct Rand {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) * 0x1.0p-53
        }
        mutating func normal() -> Double {
            let u = next(), v = next()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    static func uniform(_ n: Int, seed: UInt64 = 1, lo: Double = 0, hi: Double = 1) -> [Double] {
        var r = Rand(state: seed)
        return (0..<n).map { _ in lo + (hi - lo) * r.next() }
    }

    static func lognormal(_ n: Int, seed: UInt64 = 2, mu: Double = 23, sigma: Double = 1) -> [Double] {
        var r = Rand(state: seed)
        return (0..<n).map { _ in exp(mu + sigma * r.normal()) }
    }

    /// Writes the parts of `columns` split into `shards` shards; returns their paths.
    static func writeParts(_ columns: [RunResult.Column], shards: Int, exact: Bool, dir: String, name: String = "mc",
                           fingerprint: RunFingerprint = RunFingerprint(script: "s", scenario: "scenario mc {}", body: "x", runName: "mc"))
        throws -> [String]
    {
        let n = columns[0].values.count
        var paths: [String] = []
        for k in 0..<shards {
            let spec = try ShardSpec(index: k, count: shards)
            let rows = spec.rows(of: n)
            let part = columns.map { c in
                RunResult.Column(name: c.name, values: Array(c.values[rows]), unit: c.unit, isDate: c.isDate)
            }
            let w = PartialWriter(shard: spec, directory: dir, exact: exact)
            if let p = try w.write(outputs: part, runName: name, fingerprint: fingerprint, totalRows: n) { paths.append(p) }
        }
        return paths
    }

    static func relClose(_ a: Double, _ b: Double, _ tol: Double = 1e-12) -> Bool {
        a == b || abs(a - b) <= tol * max(abs(a), abs(b))
    }

    // MARK: Shard rows

    @Test("shards are contiguous blocks of the global row index that cover every row once")
    func shardRows() throws {
        for n in [0, 1, 2, 5, 59_597, 1_000_000_007] {
            for count in [1, 2, 3, 7, 8] {
                var next = 0
                for k in 0..<count {
                    let r = try ShardSpec(index: k, count: count).rows(of: n)
                    #expect(r.lowerBound == next)
                    #expect(r.lowerBound == k * n / count)
                    next = r.upperBound
                }
                #expect(next == n)
            }
        }
        // No overflow far beyond any run: ⌊K·n/N⌋ with K·n past Int.max.
        let big = try ShardSpec(index: 999_999, count: 1_000_000).rows(of: Int.max / 2)
        #expect(big.upperBound == Int.max / 2)
        #expect(try ShardSpec(parsing: "3/4") == ShardSpec(index: 3, count: 4))
        for bad in ["4/4", "-1/4", "1/0", "x/2", "1", "1/2/3", ""] {
            #expect(throws: ShardError.self) { try ShardSpec(parsing: bad) }
        }
    }

    // MARK: Sketch

    /// Every percentile the sketch answers is within α of the exact one, relatively.
    func checkSketch(_ values: [Double], _ label: String) {
        var s = DDSketch()
        s.add(contentsOf: values)
        let sorted = values.sorted()
        let lo = sorted.first ?? 0, hi = sorted.last ?? 0
        for i in 0...200 {
            let p = Double(i) / 200
            let exact = RunSummary.percentile(sorted: sorted, p)
            let est = s.percentile(p, min: lo, max: hi)
            let err = abs(est - exact)
            #expect(err <= DDSketch.defaultAlpha * abs(exact) * (1 + 1e-9), "\(label) p=\(p): \(est) vs \(exact)")
        }
    }

    @Test("sketched percentiles are within α = 0.5% on uniform inputs")
    func sketchUniform() {
        checkSketch(Self.uniform(100_000, lo: 1e9, hi: 5e10), "uniform")
        checkSketch(Self.uniform(10_001, seed: 9, lo: 0.001, hi: 1), "uniform small")
        checkSketch(Self.uniform(10_000, seed: 4, lo: -5, hi: -1), "uniform negative")
    }

    @Test("sketched percentiles are within α on lognormal inputs, over many orders of magnitude")
    func sketchLognormal() {
        checkSketch(Self.lognormal(100_000), "lognormal")
        checkSketch(Self.lognormal(50_000, seed: 7, mu: 0, sigma: 5), "lognormal wide")
    }

    @Test("sketched percentiles are within α on two-point and bucket-edge adversarial inputs")
    func sketchAdversarial() {
        // Two far-apart values: the median sits exactly at the jump.
        checkSketch(Array(repeating: 1.0, count: 5_000) + Array(repeating: 1e12, count: 5_000), "two-point")
        checkSketch(Array(repeating: 1.0, count: 5_001) + Array(repeating: 1e12, count: 4_999), "two-point odd")
        checkSketch(Array(repeating: 3.7e9, count: 9_999) + [5.04e9], "one outlier")
        // Values on the bucket boundaries γ^k, where rounding could slip a bucket.
        let gamma = (1 + DDSketch.defaultAlpha) / (1 - DDSketch.defaultAlpha)
        checkSketch((-400...400).map { pow(gamma, Double($0)) }, "bucket edges")
        // Both signs and zeros.
        checkSketch((0..<9_000).map { Double($0 % 3 - 1) * Double($0) }, "signed with zeros")
    }

    @Test("merging sketches in any order gives the same sketch and the same bytes")
    func sketchMergeOrder() throws {
        let xs = Self.lognormal(30_000) + Self.uniform(5_000, lo: -1e9, hi: 1e9) + [0, 0, .infinity, -.infinity, .nan]
        var parts: [DDSketch] = []
        for k in 0..<7 {
            var s = DDSketch()
            let r = try ShardSpec(index: k, count: 7).rows(of: xs.count)
            s.add(contentsOf: xs[r])
            parts.append(s)
        }
        var whole = DDSketch()
        whole.add(contentsOf: xs)
        func bytes(_ s: DDSketch) -> [UInt8] {
            var w = ByteWriter()
            s.encode(into: &w)
            return w.bytes
        }
        var r = Rand(state: 3)
        for _ in 0..<20 {
            var order = Array(parts.indices)
            for i in order.indices.reversed() { order.swapAt(i, Int(r.next() * Double(i + 1))) }
            var m = DDSketch()
            for i in order { try m.merge(parts[i]) }
            #expect(m == whole)
            #expect(bytes(m) == bytes(whole))
        }
        var reader = ByteReader(bytes(whole))
        #expect(try DDSketch.decode(from: &reader) == whole)
        #expect(whole.count == UInt64(xs.count - 1))
    }

    // MARK: Partial files and merging

    @Test("a part written and read back keeps its header", arguments: [false, true])
    func roundTrip(exact: Bool) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let values = Self.lognormal(1_000)
        let col = RunResult.Column(name: "npv8", values: values, unit: Self.usd)
        let spec = try ShardSpec(index: 0, count: 1)
        let fp = RunFingerprint(script: "a", scenario: "b", body: "c", runName: "mc")
        let path = try #require(try PartialWriter(shard: spec, directory: dir, exact: exact)
            .write(outputs: [col], runName: "mc", fingerprint: fp, totalRows: 1_000))
        let h = try PartialFile.read(path)
        #expect(h.fingerprint == fp)
        #expect(h.runName == "mc" && h.ordinal == 1 && h.shard == spec && h.rows == 0..<1_000 && h.exact == exact)
        #expect(h.columns.count == 1 && h.columns[0].unit == Self.usd && h.columns[0].count == 1_000)
        #expect(h.columns[0].min == values.min() && h.columns[0].max == values.max())
        try PartialFile.verifyData(path, h)
        #expect(URL(fileURLWithPath: path).lastPathComponent == "mc-1.shard-0-of-1.leasepart")
    }

    @Test("N shards merged equal the unsharded run: n, min, max equal, mean and sd to 1e-12, exact percentiles equal",
          arguments: [1, 2, 3, 7])
    func mergeEqualsRun(shards: Int) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A sample-like column and a grid-like one (few distinct values, many ties).
        let sample = Self.lognormal(20_011)
        let grid = (0..<20_011).map { Double(($0 / 61) % 17) * 1.25e8 + 3.7e9 }
        for values in [sample, grid] {
            let col = RunResult.Column(name: "value", values: values, unit: Self.usd)
            let run = RunResult(scenario: "mc", parameters: [], outputs: [col])
            let st = RunSummary.stats(values)
            for exact in [true, false] {
                let sub = "\(dir)/\(exact)-\(values == sample)"
                let paths = try Self.writeParts([col], shards: shards, exact: exact, dir: sub)
                #expect(paths.count == shards)
                let m = try Merge.merge(paths: paths, chunk: 97)
                let c = m.columns[0]
                #expect(c.n == st.n)
                #expect(c.min == st.min && c.max == st.max)
                #expect(Self.relClose(c.mean, st.mean), "mean \(c.mean) vs \(st.mean)")
                #expect(Self.relClose(c.sd, st.sd), "sd \(c.sd) vs \(st.sd)")
                if exact || shards == 1 {
                    #expect(c.exact)
                    #expect(c.p5 == st.p5 && c.p50 == st.p50 && c.p95 == st.p95)
                    // Printed as the run prints: every line, histogram included.
                    if shards == 1 || (c.mean == st.mean && c.sd == st.sd) {
                        #expect(m.text == RunSummary(run).text)
                    } else {
                        #expect(m.text.split(separator: "\n").dropFirst() == RunSummary(run).text.split(separator: "\n").dropFirst())
                    }
                } else {
                    #expect(!c.exact)
                    for (a, b) in [(c.p5, st.p5), (c.p50, st.p50), (c.p95, st.p95)] {
                        #expect(abs(a - b) <= DDSketch.defaultAlpha * abs(b) * (1 + 1e-9))
                    }
                    #expect(m.text.contains("p50 ≈ ") && m.text.contains("(±0.5%)"))
                    #expect(m.json.contains("\"exact\": false"))
                }
            }
        }
    }

    @Test("merge of one part equals that run bit for bit, in text, JSON and CSV")
    func onePart() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let values = Self.uniform(4_321, lo: 2.9e9, hi: 4.8e10)
        let col = RunResult.Column(name: "value", values: values, unit: Self.usd)
        let paths = try Self.writeParts([col], shards: 1, exact: false, dir: dir)
        let m = try Merge.merge(paths: paths)
        let st = RunSummary.stats(values)
        let c = m.columns[0]
        #expect(c.mean == st.mean && c.sd == st.sd && c.p5 == st.p5 && c.p50 == st.p50 && c.p95 == st.p95)
        #expect(m.text == RunSummary(RunResult(scenario: "mc", parameters: [], outputs: [col])).text)
        #expect(m.json.hasPrefix("{\"n\": 4321, \"mean\": "))
        #expect(m.csv.hasPrefix("column,n,mean,sd,min,p5,p50,p95,max,unit\nvalue,4321,"))
    }

    @Test("records of several outputs shard and merge per column, dates included")
    func perColumn() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let n = 9_999
        let a = RunResult.Column(name: "npv8", values: Self.lognormal(n), unit: Self.usd)
        let b = RunResult.Column(name: "owed", values: Self.uniform(n, seed: 5, lo: 3.7e9, hi: 5e9), unit: Self.usd)
        let d = RunResult.Column(name: "day", values: (0..<n).map { Double(20_605 + $0 % 977) }, unit: .none, isDate: true)
        let run = RunResult(scenario: "mc", parameters: [], outputs: [a, b, d])
        let paths = try Self.writeParts([a, b, d], shards: 3, exact: true, dir: dir)
        let m = try Merge.merge(paths: paths.reversed(), chunk: 10)
        #expect(m.columns.map(\.name) == ["npv8", "owed", "day"])
        for (c, col) in zip(m.columns, [a, b, d]) {
            let st = RunSummary.stats(col.values)
            #expect(c.n == n && c.min == st.min && c.max == st.max && c.p5 == st.p5 && c.p50 == st.p50 && c.p95 == st.p95)
            #expect(Self.relClose(c.mean, st.mean) && Self.relClose(c.sd, st.sd))
        }
        #expect(m.columns[2].isDate)
        let runLines = RunSummary(run).text.split(separator: "\n")
        let mergedLines = m.text.split(separator: "\n")
        #expect(runLines.count == mergedLines.count)
        #expect(mergedLines.contains { $0.hasPrefix("day: n = 9,999") })
        #expect(mergedLines.contains("min = 2026-06-01  p5 = \(CalendarDate.fromOrdinal(Int(m.columns[2].p5))?.description ?? "")  p50 = \(CalendarDate.fromOrdinal(Int(m.columns[2].p50))?.description ?? "")  p95 = \(CalendarDate.fromOrdinal(Int(m.columns[2].p95))?.description ?? "")  max = \(CalendarDate.fromOrdinal(Int(m.columns[2].max))?.description ?? "")"))
        #expect(m.json.hasPrefix("{\"npv8\": {\"n\": 9999, "))
    }

    @Test("merge order does not change a byte of the result")
    func mergeOrder() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let col = RunResult.Column(name: "value", values: Self.lognormal(7_777), unit: Self.usd)
        for exact in [false, true] {
            let paths = try Self.writeParts([col], shards: 7, exact: exact, dir: "\(dir)/\(exact)")
            let base = try Merge.merge(paths: paths)
            var r = Rand(state: 11)
            for _ in 0..<10 {
                var p = paths
                for i in p.indices.reversed() { p.swapAt(i, Int(r.next() * Double(i + 1))) }
                let m = try Merge.merge(paths: p)
                #expect(m == base)
                #expect(m.text == base.text && m.json == base.json && m.csv == base.csv)
            }
        }
    }

    @Test("--sketch answers from the sketches even when every part is exact")
    func sketchOnExactParts() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let values = Self.lognormal(5_000)
        let col = RunResult.Column(name: "value", values: values, unit: Self.usd)
        let paths = try Self.writeParts([col], shards: 3, exact: true, dir: dir)
        let exact = try Merge.merge(paths: paths)
        let sketched = try Merge.merge(paths: paths, sketch: true)
        #expect(exact.exact && !sketched.exact)
        let (e, k) = (exact.columns[0], sketched.columns[0])
        #expect(e.n == k.n && e.min == k.min && e.max == k.max && e.mean == k.mean && e.sd == k.sd)
        for (a, b) in [(k.p5, e.p5), (k.p50, e.p50), (k.p95, e.p95)] {
            #expect(abs(a - b) <= DDSketch.defaultAlpha * abs(b) * (1 + 1e-9))
        }
    }

    @Test("shards with no rows (more shards than rows) merge")
    func emptyShards() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let col = RunResult.Column(name: "value", values: [3, 1, 2], unit: .none)
        let m = try Merge.merge(paths: try Self.writeParts([col], shards: 7, exact: true, dir: dir))
        let c = m.columns[0]
        #expect(c.n == 3 && c.min == 1 && c.max == 3 && c.mean == 2 && c.sd == 1 && c.p50 == 2)
    }

    // MARK: Refusals

    func parts(_ dir: String, shards: Int = 4, exact: Bool = true) throws -> [String] {
        let col = RunResult.Column(name: "value", values: Self.uniform(1_000, lo: 1, hi: 2), unit: Self.usd)
        return try Self.writeParts([col], shards: shards, exact: exact, dir: dir)
    }

    func refusal(_ paths: [String]) -> String {
        do {
            _ = try Merge.merge(paths: paths)
            return ""
        } catch {
            return error.message
        }
    }

    @Test("merge refuses parts of different runs, naming the file")
    func refusesOtherRun() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try parts("\(dir)/a")
        let col = RunResult.Column(name: "value", values: Self.uniform(1_000, lo: 1, hi: 2), unit: Self.usd)
        let other = RunFingerprint(script: "s changed", scenario: "scenario mc {}", body: "x", runName: "mc")
        let b = try Self.writeParts([col], shards: 4, exact: true, dir: "\(dir)/b", fingerprint: other)
        let msg = refusal([a[0], a[1], b[2], a[3]])
        #expect(msg.hasPrefix(b[2] + ": part of a different run"), "\(msg)")
        #expect(msg.contains("fingerprint \(other)"))
        // Another split of the same run.
        let c = try parts("\(dir)/c", shards: 3)
        #expect(refusal([a[0], a[1], c[2], a[3]]).hasPrefix(c[2] + ": shard 2/3 of a run split into 3 shards"))
    }

    @Test("merge refuses a part of another format version")
    func refusesVersion() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try parts(dir)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: p[1])))
        bytes[8] = 2
        try Data(bytes).write(to: URL(fileURLWithPath: p[1]))
        #expect(refusal(p) == "\(p[1]): partial file format version 2; this lease reads version 1 only: merge parts written by the same lease")
    }

    @Test("merge refuses a missing or a repeated shard")
    func refusesMissingAndDuplicate() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try parts(dir)
        let missing = refusal([p[0], p[1], p[3]])
        #expect(missing.hasPrefix("run `mc` has 4 shards; missing: 2/4"), "\(missing)")
        #expect(refusal([p[0], p[1], p[2], p[3], p[2]]) == "\(p[2]): shard 2/4 appears twice: also \(p[2])")
        let copy = dir + "/copy.leasepart"
        try FileManager.default.copyItem(atPath: p[1], toPath: copy)
        #expect(refusal(p + [copy]) == "\(copy): shard 1/4 appears twice: also \(p[1])")
        #expect(refusal([]).hasPrefix("lease merge needs the parts"))
    }

    @Test("merge refuses a truncated file", arguments: [true, false])
    func refusesTruncated(exact: Bool) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try parts(dir, exact: exact)
        let url = URL(fileURLWithPath: p[2])
        let full = try Data(contentsOf: url)
        for cut in [full.count - 1, full.count - 9, full.count / 2, 30, 12, 3, 0] {
            try full.prefix(cut).write(to: url)
            let msg = refusal(p)
            #expect(msg.hasPrefix(p[2] + ": "), "\(cut): \(msg)")
            #expect(msg.contains("truncated") || msg.contains("not a lease partial file") || msg.contains("end marker"), "\(cut): \(msg)")
        }
        try (full + Data([0])).write(to: url)
        #expect(refusal(p).hasPrefix(p[2] + ": 1 bytes too many"))
    }

    @Test("merge refuses a corrupted file: header checksum, data checksum, not a part")
    func refusesCorrupted() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try parts(dir)
        let url = URL(fileURLWithPath: p[3])
        let full = try [UInt8](Data(contentsOf: url))
        var header = full
        header[40] ^= 0x10
        try Data(header).write(to: url)
        #expect(refusal(p) == "\(p[3]): corrupted: the header's checksum does not match")
        var data = full
        data[full.count - 100] ^= 0x01
        try Data(data).write(to: url)
        #expect(refusal(p) == "\(p[3]): corrupted: the checksum of column `value` does not match")
        try Data("cluster k {}\n".utf8).write(to: url)
        #expect(refusal(p).hasPrefix("\(p[3]): not a lease partial file"))
        try Data(full).write(to: url)
        #expect(refusal(p + [dir + "/nope.leasepart"]).hasPrefix(dir + "/nope.leasepart: cannot open"))
    }

    @Test("a writer refuses columns that are not its shard's rows")
    func writerChecksRows() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = PartialWriter(shard: try ShardSpec(index: 1, count: 2), directory: dir)
        let col = RunResult.Column(name: "value", values: [1, 2, 3], unit: .none)
        #expect(throws: ShardError.self) { try w.write(outputs: [col], runName: "mc", fingerprint: RunFingerprint(value: 1), totalRows: 10) }
        // No directory: rows only, nothing written.
        let plain = PartialWriter(shard: try ShardSpec(index: 0, count: 2))
        #expect(try plain.write(outputs: [col], runName: "mc", fingerprint: RunFingerprint(value: 1), totalRows: 6) == nil)
    }

    @Test("the fingerprint is stable and changes with each of its inputs")
    func fingerprint() {
        let f = RunFingerprint(script: "a", scenario: "b", body: "c", runName: "d")
        #expect(f == RunFingerprint(script: "a", scenario: "b", body: "c", runName: "d"))
        #expect(f != RunFingerprint(script: "a", scenario: "b", body: "c", runName: "e"))
        #expect(f != RunFingerprint(script: "ab", scenario: "", body: "c", runName: "d"))
        #expect(RunFingerprint(script: "", scenario: "", body: "", runName: "").description.count == 16)
        // FNV-1a 64 of nothing is its offset basis; the fields are length-prefixed, so this is pinned.
        #expect(f.value == RunFingerprint(script: "a", scenario: "b", body: "c", runName: "d").value)
    }
}

/// Sharded runs through the command line: `lease --shard K/N --partial DIR
/// [--exact] FILE`, then `lease merge`. These need the runs to honour
/// `--shard`; on a lease that does not yet, they are skipped.
@Suite struct ShardRunTests {
    static let slurmDir = CLI.root.appendingPathComponent("Tests/Slurm")

    static let binary: URL? = {
        if let p = ProcessInfo.processInfo.environment["LEASE_BINARY"], FileManager.default.isExecutableFile(atPath: p) {
            return URL(fileURLWithPath: p)
        }
        return CLI.binary
    }()

    static func lease(_ args: [String], environment: [String: String?] = [:]) throws -> CLI.Output {
        guard let binary else { throw CLI.NoBinary() }
        return try CLI.spawn(binary, args, stdin: "", environment: environment)
    }

    /// Whether runs accept `--shard` (the tests below check what they do with it).
    static let shardingAvailable: Bool = {
        guard let r = try? lease(["--shard", "0/2", "-e", "1"]) else { return false }
        return r.status == 0
    }()

    static let slurmInstalled: Bool = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch"]
        .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

    static func json(_ line: Substring) throws -> [String: Any] {
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(obj as? [String: Any])
    }

    /// The statistics of each output column of a run's JSON line.
    static func columns(_ obj: [String: Any]) -> [String: [String: Any]] {
        if obj["n"] != nil { return ["value": obj] }
        return obj.compactMapValues { $0 as? [String: Any] }
    }

    static func num(_ o: [String: Any], _ k: String) -> Double { (o[k] as? NSNumber)?.doubleValue ?? .nan }

    @Test("N ∈ {1, 2, 3, 7} shards of the §7 grid and sample merge to the unsharded run",
          .enabled(if: shardingAvailable, "runs do not honour --shard in this build"),
          arguments: [1, 2, 3, 7])
    func shardsMergeToRun(shards: Int) throws {
        let dir = try ShardTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for script in ["colossus.lease", "colossus-mc.lease"] {
            let path = Self.slurmDir.appendingPathComponent(script).path
            let single = try Self.lease(["--format", "json", path])
            #expect(single.status == 0, "\(single.stderr)")
            let runs = single.stdout.split(separator: "\n")
            for exact in [true, false] {
                let parts = "\(dir)/\(script)-\(exact)"
                for k in 0..<shards {
                    let r = try Self.lease(["--shard", "\(k)/\(shards)", "--partial", parts] + (exact ? ["--exact"] : []) + [path])
                    #expect(r.status == 0, "\(r.stderr)")
                }
                let files = try FileManager.default.contentsOfDirectory(atPath: parts).sorted()
                #expect(files.count == shards * runs.count)
                for (i, line) in runs.enumerated() {
                    let mine = files.filter { $0.contains("-\(i + 1).shard-") }.map { "\(parts)/\($0)" }
                    let merged = try Self.lease(["merge", "--format", "json"] + mine)
                    #expect(merged.status == 0, "\(merged.stderr)")
                    let want = Self.columns(try Self.json(line))
                    let got = Self.columns(try Self.json(Substring(merged.stdout.trimmingCharacters(in: .newlines))))
                    #expect(Set(want.keys) == Set(got.keys))
                    for (name, w) in want {
                        guard let g = got[name] else { continue }
                        for k in ["n", "min", "max"] { #expect(Self.num(g, k) == Self.num(w, k), "\(script) \(name) \(k)") }
                        #expect(g["unit"] as? String == w["unit"] as? String)
                        for k in ["mean", "sd"] {
                            #expect(ShardTests.relClose(Self.num(g, k), Self.num(w, k)), "\(script) \(name) \(k): \(Self.num(g, k)) vs \(Self.num(w, k))")
                        }
                        for k in ["p5", "p50", "p95"] {
                            let (a, b) = (Self.num(g, k), Self.num(w, k))
                            if exact || shards == 1 {
                                #expect(a == b, "\(script) \(name) \(k): \(a) vs \(b)")
                            } else {
                                #expect(abs(a - b) <= DDSketch.defaultAlpha * abs(b) * (1 + 1e-9), "\(script) \(name) \(k): \(a) vs \(b)")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("a shard's rows are the unsharded run's rows, bit for bit, for grids and samples",
          .enabled(if: shardingAvailable, "runs do not honour --shard in this build"))
    func shardRowsAreRunRows() throws {
        let dir = try ShardTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try String(contentsOf: Self.slurmDir.appendingPathComponent("colossus.lease"), encoding: .utf8)
            .components(separatedBy: "scenario grid")[0]
        let runs = """
            scenario gr { notice_on: 2026-06-01 .. 2026-09-30; discount: 0% .. 60% step 7% }
            scenario smc { rate: uniform($1.0B, $1.5B) / month; notice_on: uniform(2026-06-01, 2029-02-01); samples: 5_003; seed: 7 }
            export(run gr: exposure(anthropic with {discounts: [2026-05: discount]}, at: notice_on), "\(dir)/OUT-g.csv")
            export(run smc: {a: npv(anthropic with {rate: rate}, 8%), b: exposure(anthropic, at: notice_on)}, "\(dir)/OUT-s.csv")
            """
        let script = "\(dir)/rows.lease"
        try (model + runs).write(toFile: script, atomically: true, encoding: .utf8)
        func rows(_ tag: String, _ args: [String], environment: [String: String?] = [:]) throws -> [String: [Substring]] {
            let text = try String(contentsOfFile: script, encoding: .utf8).replacingOccurrences(of: "OUT-", with: "\(tag)-")
            let s = "\(dir)/\(tag).lease"
            try text.write(toFile: s, atomically: true, encoding: .utf8)
            let r = try Self.lease(args + [s], environment: environment)
            #expect(r.status == 0, "\(r.stderr)")
            var out: [String: [Substring]] = [:]
            for k in ["g", "s"] {
                out[k] = try String(contentsOfFile: "\(dir)/\(tag)-\(k).csv", encoding: .utf8).split(separator: "\n")
            }
            return out
        }
        let wholeVector = try rows("all", [])
        let wholeScalar = try rows("allscalar", [], environment: ["LEASE_ENGINE": "scalar"])
        // Vectorized, and row by row for one split: each as its unsharded run.
        for (shards, engine) in [(2, nil), (3, nil), (7, nil), (3, "scalar")] as [(Int, String?)] {
            let whole = engine == nil ? wholeVector : wholeScalar
            var joined: [String: [Substring]] = [:]
            for k in 0..<shards {
                let part = try rows("k\(k)of\(shards)\(engine ?? "")", ["--shard", "\(k)/\(shards)"], environment: ["LEASE_ENGINE": engine])
                for (name, lines) in part {
                    let n = (whole[name]?.count ?? 1) - 1
                    let r = try ShardSpec(index: k, count: shards).rows(of: n)
                    #expect(lines.count - 1 == r.count)
                    #expect(Array(lines.dropFirst()) == Array((whole[name] ?? [])[(r.lowerBound + 1)..<(r.upperBound + 1)]))
                    joined[name, default: [lines[0]]] += lines.dropFirst()
                }
            }
            #expect(joined == whole)
        }
    }

    /// The rows of a run, through `export`, as CSV lines without the header.
    static func exported(_ script: String, _ args: [String], environment: [String: String?] = [:]) throws -> [Substring] {
        let dir = try ShardTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try lease(args + ["-e", script.replacingOccurrences(of: "OUT", with: "\(dir)/out.csv")], environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        return try String(contentsOfFile: "\(dir)/out.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { $0 }
    }

    @Test("a one-axis grid's shard holds the shard's rows, also when the run is its parameter",
          .enabled(if: shardingAvailable, "runs do not honour --shard in this build"))
    func oneAxisGrid() throws {
        for body in ["x * 2", "x"] {
            let script = "scenario sc { x: 1 .. 10 }\nexport(run sc: \(body), \"OUT\")"
            let whole = try Self.exported(script, [])
            #expect(whole.count == 10)
            for engine in ["scalar", nil] as [String?] {
                var joined: [Substring] = []
                for k in 0..<3 { joined += try Self.exported(script, ["--shard", "\(k)/3"], environment: ["LEASE_ENGINE": engine]) }
                #expect(joined == whole, "\(body) \(engine ?? "vector"): \(joined) vs \(whole)")
            }
        }
    }

    @Test("--shard and --exact usage errors exit 2",
          .enabled(if: shardingAvailable, "runs do not honour --shard in this build"))
    func usageErrors() throws {
        for (args, message) in [(["--shard", "4/4"], "K must be from 0 to 3"), (["--shard", "x"], "takes K/N"),
                                (["--exact"], "--exact needs --partial DIR")] {
            let r = try Self.lease(args + ["-e", "1"])
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
    }

    @Test("lease merge refuses bad parts with a message naming the file and exit code 1")
    func mergeRefusesOnCLI() throws {
        guard Self.binary != nil else { return }
        let dir = try ShardTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let col = RunResult.Column(name: "value", values: ShardTests.uniform(100), unit: .none)
        let paths = try ShardTests.writeParts([col], shards: 3, exact: true, dir: dir)
        let ok = try Self.lease(["merge", "--format", "csv"] + paths)
        #expect(ok.status == 0)
        #expect(ok.stdout.hasPrefix("column,n,mean,sd,min,p5,p50,p95,max,unit\nvalue,100,"))
        let missing = try Self.lease(["merge"] + paths.dropLast())
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("lease merge: run `mc` has 3 shards; missing: 2/3"))
        try Data("junk".utf8).write(to: URL(fileURLWithPath: paths[1]))
        let junk = try Self.lease(["merge"] + paths)
        #expect(junk.status == 1)
        #expect(junk.stderr == "lease merge: \(paths[1]): not a lease partial file\n")
    }

    @Test("the Slurm integration test: a one-node cluster runs the grid as a job array and a dependent merge",
          .enabled(if: slurmInstalled, "Slurm is not installed: apt-get install -y slurm-wlm munge"),
          .enabled(if: shardingAvailable, "runs do not honour --shard in this build"),
          .enabled(if: getuid() == 0, "the test cluster runs as root"),
          .timeLimit(.minutes(10)))
    func slurm() throws {
        let binary = try #require(Self.binary)
        let r = try CLI.spawn(URL(fileURLWithPath: "/bin/bash"), [Self.slurmDir.appendingPathComponent("run-slurm-test.sh").path, binary.path],
                              stdin: "", environment: [:])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("PASSED: 4 Slurm array shards merged equal one unsharded run"), "\(r.stdout)\n\(r.stderr)")
    }
}
