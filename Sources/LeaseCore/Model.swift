import Foundation

/// The declared world of a session: clusters, contracts and exchange rates.
///
/// A value type on purpose: a declaration builds a changed copy, checks it
/// whole, and only then replaces the session's model, so a rejected
/// declaration leaves the model exactly as it was.
public struct Model: Hashable, Sendable {
    public private(set) var clusters: [Cluster] = []
    public private(set) var contracts: [Contract] = []
    /// `fx 1 A = r B` entries in declaration order; a redeclared pair replaces its rate.
    public private(set) var rates: [FxRate] = []

    public struct FxRate: Hashable, Sendable {
        public var from: String
        public var to: String
        /// Units of `to` per unit of `from`.
        public var rate: Double
    }

    public init() {}

    public func cluster(named name: String) -> Cluster? { clusters.first { $0.name == name } }
    public func contract(named name: String) -> Contract? { contracts.first { $0.name == name } }
    public func contracts(on cluster: String) -> [Contract] { contracts.filter { $0.cluster.name == cluster } }

    /// Adds or replaces a cluster. Contracts on it see the new cluster, and the
    /// whole model is re-checked for over-commitment.
    public mutating func declare(_ k: Cluster) throws(ModelError) {
        var next = self
        if let i = next.clusters.firstIndex(where: { $0.name == k.name }) {
            next.clusters[i] = k
        } else {
            next.clusters.append(k)
        }
        for i in next.contracts.indices where next.contracts[i].cluster.name == k.name {
            next.contracts[i].cluster = k
        }
        try next.checkCapacity(of: k.name)
        self = next
    }

    /// Adds or replaces a contract after checking that its cluster is not over-committed.
    public mutating func declare(_ c: Contract) throws(ModelError) {
        var next = self
        if let i = next.contracts.firstIndex(where: { $0.name == c.name }) {
            next.contracts[i] = c
        } else {
            next.contracts.append(c)
        }
        // A new contract can only over-commit its own months; a replaced one may free others.
        try next.checkCapacity(of: c.cluster.name, months: contract(named: c.name) == nil ? c : nil)
        self = next
    }

    /// Forgets the rate between two currencies, in either direction.
    public mutating func removeRate(between a: String, and b: String) {
        rates.removeAll { ($0.from == a && $0.to == b) || ($0.from == b && $0.to == a) }
    }

    public mutating func declareRate(from: String, to: String, rate: Double) {
        rates.removeAll { ($0.from == from && $0.to == to) || ($0.from == to && $0.to == from) }
        rates.append(FxRate(from: from, to: to, rate: rate))
    }

    /// Units of `to` per unit of `from`, through a chain of declared rates.
    public func rate(from: String, to: String) -> Double? {
        if from == to { return 1 }
        var best: [String: Double] = [from: 1]
        var queue = [from]
        while !queue.isEmpty {
            let cur = queue.removeFirst()
            guard let here = best[cur] else { continue }
            for r in rates {
                var next: (String, Double)?
                if r.from == cur { next = (r.to, here * r.rate) }
                if r.to == cur, r.rate != 0 { next = (r.from, here / r.rate) }
                if let (n, v) = next, best[n] == nil {
                    best[n] = v
                    if n == to { return v }
                    queue.append(n)
                }
            }
        }
        return nil
    }

    /// Share of the cluster leased in month index `m` by all its contracts.
    public func leasedShare(of cluster: String, month m: Int) -> Double {
        Model.double(exactLeasedShare(of: cluster, month: m))
    }

    /// The same share summed exactly: each share as the decimal it was
    /// written as, so ten contracts of 10% lease exactly 100%.
    public func exactLeasedShare(of cluster: String, month m: Int) -> Decimal {
        Model.exactSum(contracts(on: cluster).filter { $0.isActive(m) }.map(\.share))
    }

    /// A share as the decimal it reads as (its shortest round-trip text).
    public static func decimal(_ x: Double) -> Decimal {
        Decimal(string: x.description) ?? Decimal(x)
    }

    public static func exactSum(_ xs: [Double]) -> Decimal {
        var total = Decimal(0)
        for x in xs { total += decimal(x) }
        return total
    }

    public static func double(_ d: Decimal) -> Double {
        Double(d.description) ?? NSDecimalNumber(decimal: d).doubleValue
    }

    /// `amount` × (1 − leased), exactly in decimal, then as the nearest double.
    public static func free(_ amount: Double, leased: Decimal) -> Double {
        let rest = max(0, 1 - leased)
        return double(decimal(amount) * rest)
    }

    /// A share in whole trillionths: exact for every share written with up to
    /// ten decimals of a percent, so sums and the 100% limit are exact.
    static func parts(_ share: Double) -> Int64 {
        let d = decimal(share) * 1_000_000_000_000
        return Int64(exactly: NSDecimalNumber(decimal: d).doubleValue.rounded()) ?? Int64.max / 4
    }

    /// Refuses a model whose cluster is leased over 100% in some month; only
    /// the months of `contract` when given (the others were checked before).
    private func checkCapacity(of cluster: String, months contract: Contract? = nil) throws(ModelError) {
        let cs = contracts(on: cluster)
        var lo = cs.map(\.firstMonth).min() ?? 0, hi = cs.map(\.lastMonth).max() ?? -1
        if let c = contract {
            lo = c.firstMonth
            hi = c.lastMonth
        }
        guard lo <= hi else { return }
        let overlapping = cs.filter { $0.lastMonth >= lo && $0.firstMonth <= hi }.map { ($0, Model.parts($0.share)) }
        let whole: Int64 = 1_000_000_000_000
        for m in lo...hi {
            var total: Int64 = 0
            for (c, p) in overlapping where c.isActive(m) { total += p }
            if total > whole {
                let active = overlapping.map(\.0).filter { $0.isActive(m) }
                let month = CalendarDate.fromMonthIndex(m)?.description ?? "?"
                let names = active.map { "\($0.name) (\(Format.percent($0.share)))" }.joined(separator: ", ")
                throw ModelError(
                    "cluster \(cluster) would be \(Format.percent(Model.double(Model.exactSum(active.map(\.share))))) leased in \(month): \(names)",
                    field: "share",
                    help: "lower a share or move a start or end so the shares on \(cluster) add up to at most 100%")
            }
        }
    }
}
