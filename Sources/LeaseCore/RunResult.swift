import Foundation

/// The outcome of a scenario run: one column per parameter and per output.
public struct RunResult: Hashable, Sendable {
    public struct Column: Hashable, Sendable {
        public var name: String
        /// Values in `unit` (dates as days since 1970-01-01 when `isDate`).
        /// A column made with `init(name:count:unit:isDate:generate:)`
        /// computes them on the first read, once, whatever the thread.
        public var values: [Double] {
            get {
                switch storage {
                case .values(let v): return v
                case .deferred(let d): return d.values
                }
            }
            set { storage = .values(newValue) }
            _modify {
                var v = values
                storage = .values([])  // `v` is then the only reference: changed in place
                defer { storage = .values(v) }
                yield &v
            }
        }
        public var unit: UnitExpr
        public var isDate: Bool
        /// 0 when `values` has one value per row; otherwise the values of a grid
        /// axis, each repeated for `stride` consecutive rows, cycling.
        public var stride: Int

        private enum Storage: Sendable {
            case values([Double])
            case deferred(DeferredValues)
        }
        private var storage: Storage

        public init(name: String, values: [Double], unit: UnitExpr, isDate: Bool = false, stride: Int = 0) {
            self.name = name
            self.storage = .values(values)
            self.unit = unit
            self.isDate = isDate
            self.stride = stride
        }

        /// A column of `count` values (one per row) that `generate` computes
        /// when `values` is first read, and never before. `generate` must be
        /// total: a result of another length is cut or padded with NaN.
        public init(name: String, count: Int, unit: UnitExpr, isDate: Bool = false,
                    generate: @escaping @Sendable () -> [Double]) {
            self.name = name
            self.storage = .deferred(DeferredValues(count: max(0, count), generate: generate))
            self.unit = unit
            self.isDate = isDate
            self.stride = 0
        }

        /// How many values the column holds (`values.count`), known without
        /// computing them; the run's rows unless `stride` is set.
        public var count: Int {
            switch storage {
            case .values(let v): return v.count
            case .deferred(let d): return d.count
            }
        }

        /// Whether `values` is at hand (false only until a deferred column is first read).
        public var isComputed: Bool {
            switch storage {
            case .values: return true
            case .deferred(let d): return d.isComputed
            }
        }

        public func value(at row: Int) -> Double {
            let v = values
            return stride == 0 ? v[row] : v[(row / stride) % v.count]
        }

        public static func == (a: Column, b: Column) -> Bool {
            guard a.name == b.name, a.unit == b.unit, a.isDate == b.isDate, a.stride == b.stride, a.count == b.count else {
                return false
            }
            // The same deferred values are the same array once computed (as
            // `[Double] ==` takes one array for equal to itself).
            if case .deferred(let x) = a.storage, case .deferred(let y) = b.storage, x === y { return true }
            return a.values == b.values
        }

        public func hash(into h: inout Hasher) {
            h.combine(name)
            h.combine(values)
            h.combine(unit)
            h.combine(isDate)
            h.combine(stride)
        }
    }
    public var scenario: String
    public var parameters: [Column]
    public var outputs: [Column]
    public init(scenario: String, parameters: [Column], outputs: [Column]) {
        self.scenario = scenario
        self.parameters = parameters
        self.outputs = outputs
    }
    public var count: Int { outputs.first?.count ?? 0 }
}

/// A column's values computed on first use: the generator runs once, under
/// the lock (other readers wait for it), and is then dropped with everything
/// it holds; the values stay.
private final class DeferredValues: @unchecked Sendable {
    let count: Int
    private let lock = NSLock()
    private var generate: (@Sendable () -> [Double])?
    private var computed: [Double]?

    init(count: Int, generate: @escaping @Sendable () -> [Double]) {
        self.count = count
        self.generate = generate
    }

    var isComputed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return computed != nil
    }

    var values: [Double] {
        lock.lock()
        defer { lock.unlock() }
        if let v = computed { return v }
        var v = generate?() ?? []
        if v.count > count { v.removeLast(v.count - count) }
        if v.count < count { v.append(contentsOf: repeatElement(.nan, count: count - v.count)) }
        computed = v
        generate = nil
        return v
    }
}
