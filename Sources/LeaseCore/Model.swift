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
        try next.checkCapacity(of: c.cluster.name)
        self = next
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
        contracts(on: cluster).filter { $0.isActive(m) }.reduce(0) { $0 + $1.share }
    }

    private func checkCapacity(of cluster: String) throws(ModelError) {
        let cs = contracts(on: cluster)
        guard let lo = cs.map(\.firstMonth).min(), let hi = cs.map(\.lastMonth).max(), lo <= hi else { return }
        for m in lo...hi {
            let active = cs.filter { $0.isActive(m) }
            let total = active.reduce(0) { $0 + $1.share }
            if total > 1 + 1e-9 {
                let month = CalendarDate.fromMonthIndex(m)?.description ?? "?"
                let names = active.map { "\($0.name) (\(Format.percent($0.share)))" }.joined(separator: ", ")
                throw ModelError(
                    "cluster \(cluster) would be \(Format.percent(total)) leased in \(month): \(names)",
                    field: "share",
                    help: "lower a share or move a start or end so the shares on \(cluster) add up to at most 100%")
            }
        }
    }
}
