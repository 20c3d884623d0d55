/// A data center or partition of one that contracts lease shares of.
public struct Cluster: Hashable, Sendable {
    public var name: String
    public var owner: String
    public var site: String
    /// Power in a unit of power (`300 MW`).
    public var power: Quantity
    /// Accelerators, in `gpu`.
    public var gpus: Quantity
    public var gpuModel: String?

    public static let fieldNames = ["owner", "site", "power", "gpus", "gpu_model"]
    public static let requiredFields = ["power", "gpus"]

    public init(name: String, owner: String, site: String, power: Quantity, gpus: Quantity, gpuModel: String?) {
        self.name = name
        self.owner = owner
        self.site = site
        self.power = power
        self.gpus = gpus
        self.gpuModel = gpuModel
    }

    /// The value of a readable field, or nil when there is no such field.
    public func field(_ name: String) -> Value? {
        switch name {
        case "name": return .string(self.name)
        case "owner": return .string(owner)
        case "site": return .string(site)
        case "power": return .quantity(power)
        case "gpus": return .quantity(gpus)
        case "gpu_model": return gpuModel.map { .string($0) }
        default: return nil
        }
    }

    public static let readableFields = ["name", "owner", "site", "power", "gpus", "gpu_model"]
}

/// Why a declaration or a `with` copy was refused; `field` names the culprit
/// so the language layer can point at it.
public struct ModelError: Error, Equatable, Sendable {
    public var message: String
    public var field: String?
    public var help: String?

    public init(_ message: String, field: String? = nil, help: String? = nil) {
        self.message = message
        self.field = field
        self.help = help
    }
}
