/// The outcome of a scenario run: one column per parameter and per output.
public struct RunResult: Hashable, Sendable {
    public struct Column: Hashable, Sendable {
        public var name: String
        /// Values in `unit` (dates as days since 1970-01-01 when `isDate`).
        public var values: [Double]
        public var unit: UnitExpr
        public var isDate: Bool
        /// 0 when `values` has one value per row; otherwise the values of a grid
        /// axis, each repeated for `stride` consecutive rows, cycling.
        public var stride: Int
        public init(name: String, values: [Double], unit: UnitExpr, isDate: Bool = false, stride: Int = 0) {
            self.name = name
            self.values = values
            self.unit = unit
            self.isDate = isDate
            self.stride = stride
        }

        public func value(at row: Int) -> Double {
            stride == 0 ? values[row] : values[(row / stride) % values.count]
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
