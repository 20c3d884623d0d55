import Foundation
import LeaseCore

/// What `--shard K/N`, `--partial DIR` and `--exact` ask of a session's runs.
///
/// Every `run` evaluates only `rows(of: n)` of its n rows, drawing by global
/// row index, then hands its output columns to `write`, which saves the
/// shard's part in `directory` (when there is one). Runs are numbered in the
/// order they happen, so the parts of a script's second run never mix with
/// its first's.
public final class PartialWriter: @unchecked Sendable {
    public let shard: ShardSpec
    public let directory: String?
    public let exact: Bool
    public let alpha: Double
    /// Paths written so far, in order.
    public private(set) var written: [String] = []
    private var ordinal = 0

    public init(shard: ShardSpec, directory: String? = nil, exact: Bool = false, alpha: Double = DDSketch.defaultAlpha) {
        self.shard = shard
        self.directory = directory
        self.exact = exact
        self.alpha = alpha
    }

    /// The rows of a run of `n` rows this process evaluates.
    public func rows(of n: Int) -> Range<Int> { shard.rows(of: n) }

    /// Saves one run's part: `outputs` are the run's output columns over this
    /// shard's rows only (row `rows.lowerBound` first). Returns the file
    /// written, or nil without `--partial`.
    @discardableResult
    public func write(outputs: [RunResult.Column], runName: String, fingerprint: RunFingerprint, totalRows: Int) throws(ShardError) -> String? {
        ordinal += 1
        guard let directory else { return nil }
        let rows = shard.rows(of: totalRows)
        for c in outputs where c.values.count != rows.count {
            throw ShardError("run `\(runName)` gave \(c.values.count) values of `\(c.name)` for shard \(shard)'s \(rows.count) rows")
        }
        guard !outputs.isEmpty else { throw ShardError("run `\(runName)` has no output column to write") }
        let header = PartialHeader(fingerprint: fingerprint, runName: runName, ordinal: ordinal, shard: shard, totalRows: totalRows,
                                   rows: rows, exact: exact, columns: outputs.map { ColumnPart($0, alpha: alpha) })
        let sorted: [[Double]]? = exact ? outputs.map { Self.sortedNaNLast($0.values) } : nil
        let path = (directory as NSString).appendingPathComponent(PartialFile.fileName(runName: runName, ordinal: ordinal, shard: shard))
        try Self.makeDirectory(directory)
        try PartialFile.write(header, sorted: sorted, to: path)
        written.append(path)
        return path
    }

    /// The convenience form for a whole result.
    @discardableResult
    public func write(_ result: RunResult, fingerprint: RunFingerprint, totalRows: Int) throws(ShardError) -> String? {
        try write(outputs: result.outputs, runName: result.scenario, fingerprint: fingerprint, totalRows: totalRows)
    }

    /// Ascending, NaN at the end (a total order the merge can rely on).
    static func sortedNaNLast(_ values: [Double]) -> [Double] {
        var xs = values
        var end = xs.count
        var i = 0
        while i < end {
            if xs[i].isNaN {
                end -= 1
                xs.swapAt(i, end)
            } else {
                i += 1
            }
        }
        xs[0..<end].sort()
        return xs
    }

    static func makeDirectory(_ path: String) throws(ShardError) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ShardError("--partial \(path): exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ShardError("--partial \(path): cannot create the directory: \(error.localizedDescription)")
        }
    }
}
