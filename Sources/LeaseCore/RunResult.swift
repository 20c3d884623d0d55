/// The outcome of a scenario run: one column per parameter and per output.
public struct RunResult: Hashable, Sendable {
    public struct Column: Hashable, Sendable {
        public var name: String
        /// Values in `unit` (dates as days since 1970-01-01 when `isDate`).
        public var values: [Double]
        public var unit: UnitExpr
        public var isDate: Bool
        public init(name: String, values: [Double], unit: UnitExpr, isDate: Bool = false) {
            self.name = name
            self.values = values
            self.unit = unit
            self.isDate = isDate
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
    public var count: Int { outputs.first?.values.count ?? 0 }
}
