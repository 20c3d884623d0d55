import Foundation
import LeaseCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one shard knows about one output column: enough to merge its n,
/// mean, sd, min and max exactly, its percentiles through the sketch, and,
/// with `--exact`, where its sorted values lie in the file.
public struct ColumnPart: Equatable, Sendable {
    public var name: String
    public var unit: UnitExpr
    public var isDate: Bool
    /// Rows, NaN included.
    public var count: Int
    public var nanCount: Int
    /// Compensated sum of the values: `sumHigh + sumLow`.
    public var sumHigh: Double
    public var sumLow: Double
    /// The part's own mean, and the sum of squared deviations from it (two passes).
    public var mean: Double
    public var m2: Double
    /// +∞ and −∞ for an empty part.
    public var min: Double
    public var max: Double
    /// The part's statistics exactly as the run computes them (`RunSummary.stats`),
    /// so that merging a single part gives back that run's figures bit for bit.
    public var runMean: Double
    public var runSD: Double
    public var p5: Double
    public var p50: Double
    public var p95: Double
    public var sketch: DDSketch
    /// The part's own histogram, as the run prints it (ten bins between its min and max).
    public var runHistogram: [Int]
    /// CRC-32 of the sorted values' bytes (0 when the part has none).
    public var dataCRC: UInt32
    /// Byte offset of the sorted values in the file, when the part is exact.
    public internal(set) var dataOffset: Int = 0

    /// Summarises a column of the shard's rows.
    public init(_ column: RunResult.Column, alpha: Double = DDSketch.defaultAlpha) {
        name = column.name
        unit = column.unit
        isDate = column.isDate
        let values = column.values
        count = values.count
        var s = Neumaier()
        var lo = Double.infinity, hi = -Double.infinity
        var nans = 0
        var sk = DDSketch(alpha: alpha)
        for x in values {
            s.add(x)
            if x < lo { lo = x }
            if x > hi { hi = x }
            if x.isNaN { nans += 1 }
            sk.add(x)
        }
        nanCount = nans
        sumHigh = s.high
        sumLow = s.low
        min = lo
        max = hi
        let mu = count > 0 ? s.value / Double(count) : .nan
        mean = mu
        var q = Neumaier()
        for x in values {
            let d = x - mu
            q.add(d * d)
        }
        m2 = count > 0 ? q.value : 0
        sketch = sk
        let st = RunSummary.stats(values)
        runMean = st.mean
        runSD = st.sd
        p5 = st.p5
        p50 = st.p50
        p95 = st.p95
        runHistogram = []
        if count > 1, hi > lo, lo.isFinite, hi.isFinite {
            let w = (hi - lo) / 10
            var bins = [Int](repeating: 0, count: 10)
            for v in values where !v.isNaN { bins[Merge.bin(v, lo: lo, w: w, bins: 10)] += 1 }
            runHistogram = bins
        }
        dataCRC = 0
    }

    func encode(into w: inout ByteWriter, exact: Bool) {
        w.string(name)
        w.u8(isDate ? 1 : 0)
        w.u32(UInt32(unit.terms.count))
        for t in unit.terms {
            w.string(t.def.symbol)
            w.u32(UInt32(t.unit))
            w.i32(Int32(t.exponent))
        }
        w.u64(UInt64(count))
        w.u64(UInt64(nanCount))
        for x in [sumHigh, sumLow, mean, m2, min, max, runMean, runSD, p5, p50, p95] { w.double(x) }
        w.u32(UInt32(runHistogram.count))
        for b in runHistogram { w.u64(UInt64(b)) }
        w.u32(exact ? dataCRC : 0)
        var sk = ByteWriter()
        sketch.encode(into: &sk)
        w.u32(UInt32(sk.bytes.count))
        w.raw(sk.bytes)
    }

    static func decode(from r: inout ByteReader) throws(ShardError) -> ColumnPart {
        let name = try r.string()
        let isDate = try r.u8() != 0
        let nterms = try r.u32()
        guard nterms <= 64 else { throw ShardError("a column's unit is malformed") }
        var terms: [UnitExpr.Term] = []
        for _ in 0..<nterms {
            let symbol = try r.string()
            let hint = Int(try r.u32())
            let exponent = Int(try r.i32())
            // The symbol decides; the index is a hint from the writing version.
            let index: Int
            if hint < Units.all.count, Units.all[hint].symbol == symbol {
                index = hint
            } else if let i = Units.all.firstIndex(where: { $0.symbol == symbol }) {
                index = i
            } else {
                throw ShardError("a column is in the unit `\(symbol)`, which this lease does not know")
            }
            terms.append(UnitExpr.Term(unit: index, exponent: exponent))
        }
        var c = ColumnPart(RunResult.Column(name: name, values: [], unit: UnitExpr(terms: terms), isDate: isDate))
        let count = try r.u64()
        let nans = try r.u64()
        guard count < 1 << 50, nans <= count else { throw ShardError("a column's row count is malformed") }
        c.count = Int(count)
        c.nanCount = Int(nans)
        var xs: [Double] = []
        for _ in 0..<11 { xs.append(try r.double()) }
        (c.sumHigh, c.sumLow, c.mean, c.m2, c.min, c.max) = (xs[0], xs[1], xs[2], xs[3], xs[4], xs[5])
        (c.runMean, c.runSD, c.p5, c.p50, c.p95) = (xs[6], xs[7], xs[8], xs[9], xs[10])
        let bins = try r.u32()
        guard bins <= 1024 else { throw ShardError("a column's histogram is malformed") }
        for _ in 0..<bins { c.runHistogram.append(Int(truncatingIfNeeded: try r.u64())) }
        c.dataCRC = try r.u32()
        let n = Int(try r.u32())
        guard n <= r.remaining else { throw ShardError("a column's sketch is cut short") }
        var sr = ByteReader(Array(try r.take(n)))
        c.sketch = try DDSketch.decode(from: &sr)
        guard sr.remaining == 0 else { throw ShardError("a column's sketch has stray bytes") }
        guard c.sketch.count + c.sketch.nanCount == count else {
            throw ShardError("a column's sketch counts \(c.sketch.count + c.sketch.nanCount) values, not \(count)")
        }
        return c
    }
}

/// The self-describing part of a partial file: which run, which shard, and
/// each output column's summary.
public struct PartialHeader: Equatable, Sendable {
    public var fingerprint: RunFingerprint
    /// The scenario's name, as the run names it.
    public var runName: String
    /// 1 for a script's first sharded run, 2 for its second, …
    public var ordinal: Int
    public var shard: ShardSpec
    /// Rows of the whole run, and this shard's.
    public var totalRows: Int
    public var rows: Range<Int>
    /// Whether each column's sorted values follow the header.
    public var exact: Bool
    public var columns: [ColumnPart]

    public init(fingerprint: RunFingerprint, runName: String, ordinal: Int, shard: ShardSpec, totalRows: Int,
                rows: Range<Int>, exact: Bool, columns: [ColumnPart]) {
        self.fingerprint = fingerprint
        self.runName = runName
        self.ordinal = ordinal
        self.shard = shard
        self.totalRows = totalRows
        self.rows = rows
        self.exact = exact
        self.columns = columns
    }

    /// "run `mc` #1 (fingerprint …)", for messages.
    public var runDescription: String { "run `\(runName)` #\(ordinal) (fingerprint \(fingerprint))" }
}

/// The partial file format, version 1. All numbers little-endian.
///
///     "LEASEPRT"  u32 version  u32 header length H
///     header (H bytes)  u32 CRC-32 of every byte before it
///     exact parts: each column's sorted values, f64 × count, in column order
///     "LEASEEND"
///
/// The header holds the run's fingerprint, name and ordinal, shard K of N,
/// the run's rows and the shard's, the exact flag, and per column: name,
/// unit, isDate, count, NaN count, compensated sum, mean, M2, min, max, the
/// run's own statistics, the CRC-32 of its sorted values and its sketch.
public enum PartialFile {
    public static let magic = Array("LEASEPRT".utf8)
    public static let trailer = Array("LEASEEND".utf8)
    public static let version: UInt32 = 1
    public static let fileExtension = "leasepart"

    /// The file name of a run's part: `mc-1.shard-0-of-4.leasepart`.
    public static func fileName(runName: String, ordinal: Int, shard: ShardSpec) -> String {
        let safe = String(runName.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "_" ? Character($0) : "_" })
        return "\(safe)-\(ordinal).shard-\(shard.index)-of-\(shard.count).\(fileExtension)"
    }

    static func headerBytes(_ h: PartialHeader) -> [UInt8] {
        var w = ByteWriter()
        w.u64(h.fingerprint.value)
        w.string(h.runName)
        w.u32(UInt32(h.ordinal))
        w.u32(UInt32(h.shard.index))
        w.u32(UInt32(h.shard.count))
        w.u64(UInt64(h.totalRows))
        w.u64(UInt64(h.rows.lowerBound))
        w.u64(UInt64(h.rows.upperBound))
        w.u8(h.exact ? 1 : 0)
        w.u32(UInt32(h.columns.count))
        for c in h.columns { c.encode(into: &w, exact: h.exact) }
        return w.bytes
    }

    /// Writes a part. With `sorted` (one ascending array per column, NaN
    /// last) the part is exact. Written beside the target, then renamed, so
    /// a shard that dies leaves no file that looks whole.
    public static func write(_ header: PartialHeader, sorted: [[Double]]?, to path: String) throws(ShardError) {
        var h = header
        h.exact = sorted != nil
        if let sorted {
            guard sorted.count == h.columns.count else { throw ShardError("\(path): \(sorted.count) sorted columns for \(h.columns.count) outputs") }
            for (i, col) in sorted.enumerated() {
                guard col.count == h.columns[i].count else { throw ShardError("\(path): sorted column `\(h.columns[i].name)` has the wrong length") }
                var crc = CRC32()
                writeChunks(col) { crc.update($0) }
                h.columns[i].dataCRC = crc.value
            }
        }
        let body = headerBytes(h)
        var w = ByteWriter()
        w.raw(magic)
        w.u32(version)
        w.u32(UInt32(body.count))
        w.raw(body)
        w.u32(CRC32.of(w.bytes))
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ShardError("cannot write \(path): \(String(cString: strerror(errno)))") }
        var failure: String?
        func put(_ raw: UnsafeRawBufferPointer) {
            guard failure == nil, var p = raw.baseAddress else { return }
            var left = raw.count
            while left > 0 {
                let k = posixWrite(fd, p, left)
                if k < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                left -= k
                p += k
            }
        }
        w.bytes.withUnsafeBytes { put($0) }
        for col in sorted ?? [] { writeChunks(col, put) }
        trailer.withUnsafeBytes { put($0) }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if let failure {
            unlink(temp)
            throw ShardError("cannot write \(path): \(failure)")
        }
        guard rename(temp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temp)
            throw ShardError("cannot write \(path): \(why)")
        }
    }

    /// Hands the little-endian bytes of `xs` to `body`, a few megabytes at a time.
    static func writeChunks(_ xs: [Double], _ body: (UnsafeRawBufferPointer) -> Void) {
        let chunk = 1 << 20
        xs.withUnsafeBufferPointer { all in
            var i = 0
            while i < all.count {
                let part = UnsafeBufferPointer(rebasing: all[i..<Swift.min(all.count, i + chunk)])
                #if _endian(little)
                body(UnsafeRawBufferPointer(part))
                #else
                let swapped = part.map { $0.bitPattern.littleEndian }
                swapped.withUnsafeBytes { body($0) }
                #endif
                i += chunk
            }
        }
    }

    /// Reads and validates a part's header: magic, version, checksum, the
    /// shard's rows, and that the file is exactly as long as it says.
    public static func read(_ path: String) throws(ShardError) -> PartialHeader {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ShardError("\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ShardError("\(path): cannot read: \(String(cString: strerror(errno)))") }
        let size = Int(st.st_size)
        guard size >= 16 else {
            throw ShardError(size >= magic.count && (try? readBytes(fd, 0, magic.count)) == magic
                ? "\(path): truncated (\(size) bytes, not even a header)" : "\(path): not a lease partial file")
        }
        let start = try readBytes(fd, 0, 16, path)
        guard Array(start[0..<8]) == magic else { throw ShardError("\(path): not a lease partial file (no LEASEPRT at its start)") }
        var r = ByteReader(start, at: 8)
        let v = try r.u32()
        guard v == version else {
            throw ShardError("\(path): partial file format version \(v); this lease reads version \(version) only: merge parts written by the same lease")
        }
        let hlen = Int(try r.u32())
        guard 16 + hlen + 4 <= size else { throw ShardError("\(path): truncated (\(size) bytes, the header alone needs \(16 + hlen + 4))") }
        let rest = try readBytes(fd, 16, hlen + 4, path)
        var crc = CRC32()
        crc.update(start)
        crc.update(Array(rest[0..<hlen]))
        var cr = ByteReader(rest, at: hlen)
        guard crc.value == (try cr.u32()) else { throw ShardError("\(path): corrupted: the header's checksum does not match") }
        var h: PartialHeader
        do throws(ShardError) {
            var hr = ByteReader(Array(rest[0..<hlen]))
            let fp = RunFingerprint(value: try hr.u64())
            let name = try hr.string()
            let ordinal = Int(try hr.u32())
            let k = Int(try hr.u32()), n = Int(try hr.u32())
            let shard = try ShardSpec(index: k, count: n)
            let total = try hr.u64(), lo = try hr.u64(), hi = try hr.u64()
            guard total < 1 << 50, lo <= hi, hi <= total else { throw ShardError("row range is malformed") }
            let exact = try hr.u8() != 0
            let ncols = try hr.u32()
            guard ncols >= 1, ncols <= 1 << 16 else { throw ShardError("column count is malformed") }
            var cols: [ColumnPart] = []
            for _ in 0..<ncols { cols.append(try ColumnPart.decode(from: &hr)) }
            guard hr.remaining == 0 else { throw ShardError("stray bytes after the columns") }
            h = PartialHeader(fingerprint: fp, runName: name, ordinal: ordinal, shard: shard, totalRows: Int(total),
                              rows: Int(lo)..<Int(hi), exact: exact, columns: cols)
        } catch {
            throw ShardError("\(path): malformed header: \(error.message)")
        }
        guard h.rows == h.shard.rows(of: h.totalRows) else {
            throw ShardError("\(path): rows \(h.rows.lowerBound)..<\(h.rows.upperBound) are not shard \(h.shard) of \(h.totalRows) rows")
        }
        for c in h.columns where c.count != h.rows.count {
            throw ShardError("\(path): column `\(c.name)` has \(c.count) rows, the shard \(h.rows.count)")
        }
        var offset = 16 + hlen + 4
        for i in h.columns.indices where h.exact {
            h.columns[i].dataOffset = offset
            offset += 8 * h.columns[i].count
        }
        let expected = offset + trailer.count
        if size < expected { throw ShardError("\(path): truncated (\(size) bytes of \(expected))") }
        if size > expected { throw ShardError("\(path): \(size - expected) bytes too many after the part (\(size) bytes, expected \(expected))") }
        guard try readBytes(fd, size - trailer.count, trailer.count, path) == trailer else {
            throw ShardError("\(path): corrupted: the end marker is missing")
        }
        return h
    }

    /// Streams each exact column's values once: checksum, ascending order,
    /// NaN only at the end. Memory stays at one chunk.
    public static func verifyData(_ path: String, _ h: PartialHeader) throws(ShardError) {
        guard h.exact else { return }
        for c in h.columns {
            let reader = try SortedColumnReader(path: path, offset: c.dataOffset, count: c.count)
            var crc = CRC32()
            var last = -Double.infinity
            var seenNaN = 0
            while let chunk = try reader.nextChunk() {
                chunk.withUnsafeBytes { crc.update($0) }
                for x in chunk {
                    if x.isNaN {
                        seenNaN += 1
                    } else {
                        guard seenNaN == 0, x >= last else {
                            throw ShardError("\(path): corrupted: column `\(c.name)` is not in ascending order")
                        }
                        last = x
                    }
                }
            }
            guard crc.value == c.dataCRC else { throw ShardError("\(path): corrupted: the checksum of column `\(c.name)` does not match") }
            guard seenNaN == c.nanCount else { throw ShardError("\(path): corrupted: column `\(c.name)` has the wrong number of NaN") }
        }
    }

    static func readBytes(_ fd: Int32, _ offset: Int, _ count: Int, _ path: String = "") throws(ShardError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let k = out.withUnsafeMutableBytes { b in pread(fd, b.baseAddress! + got, count - got, off_t(offset + got)) }
            if k < 0, errno == EINTR { continue }
            guard k > 0 else { throw ShardError("\(path): truncated") }
            got += k
        }
        return out
    }
}

/// A column's sorted values read back in chunks.
final class SortedColumnReader {
    let fd: Int32
    private var isOpen = true
    let path: String
    var offset: Int
    var left: Int
    let chunk: Int

    init(path: String, offset: Int, count: Int, chunk: Int = 1 << 16) throws(ShardError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ShardError("\(path): cannot open: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.path = path
        self.offset = offset
        left = count
        self.chunk = chunk
    }

    func close() {
        if isOpen { posixClose(fd) }
        isOpen = false
    }

    deinit { close() }

    /// The next values, or nil at the end (the file is then closed).
    func nextChunk() throws(ShardError) -> [Double]? {
        guard left > 0 else {
            close()
            return nil
        }
        let n = Swift.min(left, chunk)
        var xs = [Double](repeating: 0, count: n)
        var got = 0
        let bytes = n * 8
        while got < bytes {
            let k = xs.withUnsafeMutableBytes { b in pread(fd, b.baseAddress! + got, bytes - got, off_t(offset + got)) }
            if k < 0, errno == EINTR { continue }
            guard k > 0 else {
                close()
                throw ShardError("\(path): truncated while reading sorted values")
            }
            got += k
        }
        #if !_endian(little)
        for i in xs.indices { xs[i] = Double(bitPattern: UInt64(littleEndian: xs[i].bitPattern)) }
        #endif
        offset += bytes
        left -= n
        return xs
    }

    /// The value at `index` of the column, for binary searches.
    func value(at index: Int, base: Int) throws(ShardError) -> Double {
        var x: UInt64 = 0
        let k = pread(fd, &x, 8, off_t(base + index * 8))
        guard k == 8 else { throw ShardError("\(path): truncated while reading sorted values") }
        return Double(bitPattern: UInt64(littleEndian: x))
    }
}

/// Neumaier's compensated sum, with both parts kept.
struct Neumaier {
    var high = 0.0
    var low = 0.0
    mutating func add(_ x: Double) {
        let t = high + x
        if abs(high) >= abs(x) { low += (high - t) + x } else { low += (x - t) + high }
        high = t
    }
    var value: Double { high + low }
}

private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
private func posixClose(_ fd: Int32) { close(fd) }
