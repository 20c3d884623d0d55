import Foundation

/// Small readers for the loosely typed objects `JSONSerialization` gives,
/// so a field of the wrong type reads as absent instead of trapping.
enum J {
    static func object(_ v: Any?) -> [String: Any]? { v as? [String: Any] }
    static func array(_ v: Any?) -> [Any]? { v as? [Any] }
    static func string(_ v: Any?) -> String? { v as? String }

    /// JSON's true and false (Foundation gives them as numbers of type `c`).
    static func isBool(_ v: Any?) -> Bool {
        guard let n = v as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }

    static func int(_ v: Any?) -> Int? {
        if v == nil || isBool(v) { return nil }
        if let n = v as? Int { return n }
        if let d = v as? Double, d.isFinite, d.rounded() == d, abs(d) < 1e15 { return Int(d) }
        return nil
    }

    static func bool(_ v: Any?) -> Bool? { isBool(v) ? v as? Bool : nil }

    /// A JSON-RPC id: a number or a string (anything else is no id).
    static func id(_ v: Any?) -> Any? {
        if let s = v as? String { return s }
        if let n = int(v) { return n }
        return nil
    }

    /// Serializes a reply; anything that is not valid JSON becomes an internal error.
    static func encode(_ object: [String: Any]) -> [UInt8] {
        if JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])
        {
            return [UInt8](data)
        }
        let fallback = #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"reply could not be encoded"}}"#
        return Array(fallback.utf8)
    }

    static func decode(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }
}

/// JSON-RPC and protocol error codes.
enum ErrorCode {
    static let parseError = -32700
    static let invalidRequest = -32600
    static let methodNotFound = -32601
    static let invalidParams = -32602
    static let internalError = -32603
    static let serverNotInitialized = -32002
    static let requestFailed = -32803
}

/// A request that cannot be answered, reported to the client as an error reply.
struct RequestError: Error {
    var code: Int
    var message: String
    init(_ code: Int, _ message: String) {
        self.code = code
        self.message = message
    }
}
