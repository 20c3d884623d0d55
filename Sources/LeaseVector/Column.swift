import Dispatch
import Foundation
import LeaseLanguage

/// A column of numbers that varies over some of the run's axes only.
///
/// A grid's rows are the product of its parameters' axes. Most of an
/// expression depends on one or two of them (the effective day of a notice
/// depends on the notice date alone), so each column is computed over just
/// the axes it varies over and expanded only where axes meet. A sample has
/// a single axis of all its rows.
struct Col {
    /// Axis numbers, ascending; data is row-major over them (first axis slowest).
    var axes: [Int]
    var data: [Double]

    static func scalar(_ x: Double) -> Col { Col(axes: [], data: [x]) }
    var isScalar: Bool { axes.isEmpty }
}

/// The run's axes and how many threads may work on one column.
struct Space: Sendable {
    var sizes: [Int]
    var threads: Int
    /// Raised by Ctrl-C: kernels stop between pieces and the run is abandoned.
    var interrupt: InterruptFlag?
    /// A shard's block of rows. Columns over every axis then hold just these
    /// rows (data[0] is row `rows.lowerBound`); columns over fewer axes are whole.
    var rows: Range<Int>? = nil

    /// The global index of a full column's first element.
    var offset: Int { rows?.lowerBound ?? 0 }

    func count(_ axes: [Int]) -> Int { axes.reduce(1) { $0 * sizes[$1] } }

    /// Element strides of a column laid out over `axes`, for each axis of `union` (0 where absent).
    func strides(of axes: [Int], in union: [Int]) -> [Int] {
        var stride = 1
        var own: [Int: Int] = [:]
        for a in axes.reversed() {
            own[a] = stride
            stride *= sizes[a]
        }
        return union.map { own[$0] ?? 0 }
    }

    static func union(_ cols: [[Int]]) -> [Int] { Array(Set(cols.joined())).sorted() }

    /// Runs `kernel` over the union of the operands' axes in pieces along the
    /// innermost axis, split across threads. For operand j, element k of a
    /// piece is `data_j[bases[j] + k * steps[j]]`.
    func drive(
        _ operands: [[Int]], over: [Int]? = nil,
        _ kernel: (_ out: UnsafeMutablePointer<Double>, _ count: Int, _ bases: UnsafePointer<Int>, _ steps: UnsafePointer<Int>) -> Void
    ) -> Col {
        let union = over ?? Space.union(operands)
        let length = block(union).count
        var out = [Double](unsafeUninitializedCapacity: length) { buffer, n in
            // A large fresh column faults in 2 MB pages, not 4 KB ones.
            if let base = buffer.baseAddress { ColumnBuffer.adviseHugePages(UnsafeMutableRawPointer(base), bytes: length * 8) }
            n = length
        }
        out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let outPtr = UnsafeSendable(base)
            forEach(operands, over: union) { start, n, bases, steps in kernel(outPtr.value + start, n, bases, steps) }
        }
        return Col(axes: union, data: out)
    }

    /// The rows of a column over `union`: a shard's block over every axis, else all of them.
    func block(_ union: [Int]) -> Range<Int> {
        union == Array(sizes.indices) && rows != nil ? rows ?? 0..<0 : 0..<count(union)
    }

    /// `drive` without an output column: `body` gets each piece's first
    /// position in the block (`block(union)`), its length, and the operands'
    /// bases and steps, on as many threads as `drive` would use.
    func forEach(
        _ operands: [[Int]], over union: [Int],
        _ body: (_ start: Int, _ count: Int, _ bases: UnsafePointer<Int>, _ steps: UnsafePointer<Int>) -> Void
    ) {
        let full = Array(sizes.indices)
        // Over every axis of a shard, only its rows are computed and held.
        let block = self.block(union)
        let lo = block.lowerBound
        let total = block.upperBound
        let shifted = operands.map { $0 == full && rows != nil && !full.isEmpty }
        let strides = operands.map { self.strides(of: $0, in: union) }
        let inner = union.last.map { sizes[$0] } ?? 1
        let outerSizes = union.dropLast().map { sizes[$0] }
        let length = total - lo
        let parts = length >= 1 << 16 ? max(1, threads) : 1
        withoutActuallyEscaping(body) { escaping in
            let body = UnsafeSendable(escaping)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let from = lo + length * part / parts, to = lo + length * (part + 1) / parts
                var bases = [Int](repeating: 0, count: operands.count)
                let steps = strides.map { $0.last ?? 0 }
                var p = from
                var pieces = 0
                while p < to {
                    pieces += 1
                    if pieces & 63 == 0, interrupt?.isRaised == true { return }
                    let c = p % inner
                    var run = p / inner
                    // Pieces of at most 16K elements, so Ctrl-C is seen within one piece.
                    let n = min(inner - c, to - p, 1 << 14)
                    for j in operands.indices { bases[j] = c * steps[j] }
                    var axis = outerSizes.count - 1
                    while axis >= 0 {
                        let coord = run % outerSizes[axis]
                        run /= outerSizes[axis]
                        for j in operands.indices { bases[j] += coord * strides[j][axis] }
                        axis -= 1
                    }
                    for j in operands.indices where shifted[j] { bases[j] -= lo }
                    bases.withUnsafeBufferPointer { b in
                        steps.withUnsafeBufferPointer { s in
                            if let bp = b.baseAddress, let sp = s.baseAddress { body.value(p - lo, n, bp, sp) }
                        }
                    }
                    p += n
                }
            }
        }
    }

    @inline(__always)
    func map(_ a: Col, _ f: (Double) -> Double) -> Col {
        a.data.withUnsafeBufferPointer { ap in
            guard let pa = ap.baseAddress else { return a }
            return drive([a.axes]) { out, n, b, s in
                var i = b[0]
                for k in 0..<n {
                    out[k] = f(pa[i])
                    i += s[0]
                }
            }
        }
    }

    /// `map(a, f)` for a column of whole numbers in a short range (days drawn
    /// from a few years): f once per value of the range, then a table lookup
    /// a row. The same values as `map`, f being a function of its argument.
    @inline(__always)
    func mapWhole(_ a: Col, _ f: (Double) -> Double) -> Col {
        let n = a.data.count
        guard n >= 1 << 12 else { return map(a, f) }
        // One pass: the range, and whether every value is a whole number
        // (adding and taking off 1.5 × 2^52 keeps x only then; NaN never).
        // An infinity fails the range check, a huge value the bound below.
        let magic = 0x1.8p52
        var lo = Double.infinity, hi = -Double.infinity, whole = true
        for x in a.data {
            lo = Swift.min(lo, x)
            hi = Swift.max(hi, x)
            whole = whole && (x + magic) - magic == x
        }
        guard whole, hi - lo < Double(Swift.min(1 << 16, n / 4)), Swift.abs(lo) < 0x1p50, Swift.abs(hi) < 0x1p50
        else { return map(a, f) }
        let base = Int(lo)
        let table = (0...Int(hi - lo)).map { f(Double(base + $0)) }
        // x − lo from the same sum's low bits: a whole number below 2^50, without a conversion check.
        let offset = Int64(bitPattern: (lo + magic).bitPattern)
        return table.withUnsafeBufferPointer { t in
            map(a) { x in t[Int(Int64(bitPattern: (x + magic).bitPattern) &- offset)] }
        }
    }

    @inline(__always)
    func map(_ a: Col, _ b: Col, _ f: (Double, Double) -> Double) -> Col {
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                guard let pa = ap.baseAddress, let pb = bp.baseAddress else { return a }
                return drive([a.axes, b.axes]) { out, n, base, s in
                    var i = base[0], j = base[1]
                    for k in 0..<n {
                        out[k] = f(pa[i], pb[j])
                        i += s[0]
                        j += s[1]
                    }
                }
            }
        }
    }

    @inline(__always)
    func map(_ a: Col, _ b: Col, _ c: Col, _ f: (Double, Double, Double) -> Double) -> Col {
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                c.data.withUnsafeBufferPointer { cp in
                    guard let pa = ap.baseAddress, let pb = bp.baseAddress, let pc = cp.baseAddress else { return a }
                    return drive([a.axes, b.axes, c.axes]) { out, n, base, s in
                        var i = base[0], j = base[1], l = base[2]
                        for k in 0..<n {
                            out[k] = f(pa[i], pb[j], pc[l])
                            i += s[0]
                            j += s[1]
                            l += s[2]
                        }
                    }
                }
            }
        }
    }

    /// The column spread over every axis: one value per row of the run.
    func expand(_ a: Col) -> [Double] {
        let all = Array(sizes.indices)
        if a.axes == all, rows == nil || !all.isEmpty { return a.data }
        return a.data.withUnsafeBufferPointer { ap in
            guard let pa = ap.baseAddress else { return [] }
            return drive([a.axes], over: all) { out, n, b, s in
                var i = b[0]
                for k in 0..<n {
                    out[k] = pa[i]
                    i += s[0]
                }
            }.data
        }
    }
}

struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// A result column of a batched run, allocated once at its full length;
/// batches copy their rows into it from any thread, each into its own block.
final class ColumnBuffer {
    var values: [Double]

    init(count: Int) {
        values = [Double](unsafeUninitializedCapacity: count) { buffer, n in
            if let base = buffer.baseAddress { ColumnBuffer.adviseHugePages(UnsafeMutableRawPointer(base), bytes: count * 8) }
            n = count
        }
    }

    /// Large pages for a large, fresh column: one page fault per 2 MB
    /// instead of one per 4 KB when the rows are first written.
    static func adviseHugePages(_ base: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let page = 1 << 21
        guard bytes >= 4 * page else { return }
        let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: base) + bytes) & ~(page - 1)
        if end > start, let p = UnsafeMutableRawPointer(bitPattern: start) { _ = madvise(p, end - start, 14) }  // MADV_HUGEPAGE
        #endif
    }

    /// Base pointers of every buffer's values, stable while `body` runs.
    static func withPointers<R>(_ buffers: [ColumnBuffer], _ body: ([UnsafeMutablePointer<Double>]) -> R) -> R {
        func nest(_ i: Int, _ acc: [UnsafeMutablePointer<Double>]) -> R {
            guard i < buffers.count else { return body(acc) }
            return buffers[i].values.withUnsafeMutableBufferPointer { b in
                guard let base = b.baseAddress else { return nest(i + 1, acc + [UnsafeMutablePointer<Double>.allocate(capacity: 1)]) }
                return nest(i + 1, acc + [base])
            }
        }
        return nest(0, [])
    }
}
