import LeaseCore

/// Names the language reserves or provides, for completion and help.
public enum Language {
    public static var builtinFunctions: [String] { Builtins.names }
    /// Keywords, and the words of the `solve` form (keywords only there).
    public static var keywords: [String] { Keyword.allCases.map(\.rawValue) + ["solve", "in"] }
    public static var unitNames: [String] { Array(Units.byName.keys).sorted() }

    /// One-line summaries of the built-in functions, as `name(params): summary`.
    public static var builtinSummaries: [String] {
        Builtins.list.map { s in
            let params = s.variadic ? "…" : s.params.enumerated().map { $0.offset < s.required ? $0.element : $0.element + "?" }
                .joined(separator: ", ")
            return "\(s.name)(\(params)): \(s.summary)"
        }
    }

    /// The fields `value.` can be followed by.
    public static func fields(of v: Value) -> [String] {
        switch v {
        case .record(let r): return r.fields.map(\.name)
        case .cluster: return Cluster.readableFields
        case .contract: return Contract.readableFields
        case .result(let r):
            let summary = ["n", "mean", "sd", "min", "max", "p5", "p50", "p95"]
            return r.outputs.count > 1 ? summary + r.outputs.map(\.name) : summary
        case .list(let xs): return xs.first.map(fields(of:)) ?? []
        default: return []
        }
    }
}
