import Foundation
import LeaseCore
import LeaseLanguage

/// One script as the checker saw it: statements with every expression
/// typed as far as checking got, the diagnostics, and a line index.
final class Analyzed {
    let file: SourceFile
    let index: LineIndex
    let statements: [Statement]
    let diagnostics: [Diagnostic]
    /// The typed body of each user function (from its first call), for hover inside it.
    let bodies: [String: Expr]

    init(file: SourceFile, statements: [Statement], diagnostics: [Diagnostic]) {
        self.file = file
        index = LineIndex(file.bytes)
        self.statements = statements
        self.diagnostics = diagnostics
        bodies = Tree.instanceBodies(statements)
    }

    static func run(_ file: SourceFile) -> Analyzed {
        let a = Session().analyze([file])
        return Analyzed(file: file, statements: a.statements.first ?? [], diagnostics: a.diagnostics)
    }

    /// The statement whose span holds the offset.
    func statement(at offset: Int) -> Statement? {
        statements.first { Tree.contains($0.span, offset) }
    }

    /// The roots to search in a statement: a function's body as typed at a call when there is one.
    func roots(_ s: Statement) -> [Expr] {
        if case .fn(let name, _, _, let body) = s.kind, let typed = bodies[name], typed.span == body.span { return [typed] }
        return Tree.roots(s)
    }

    /// Every expression of every statement.
    func allExpressions(_ f: (Expr) -> Void) {
        for s in statements { Tree.visit(roots(s), f) }
    }
}

/// A name a script declares: a binding, function, cluster, contract,
/// scenario, a function's parameter or a scenario's parameter.
struct Declaration {
    enum Kind: String { case value = "let", function = "fn", cluster, contract, scenario, parameter, scenarioParameter, row }
    var name: String
    var kind: Kind
    var nameSpan: Span
    /// The whole statement (a CSV row for declarations from a CSV file).
    var span: Span
    var type: LType?
    /// The declaration's fields (clusters, contracts, scenarios).
    var fields: [FieldInit] = []
    /// The bound expression of a `let`.
    var value: Expr?
    /// The parameters of a function.
    var params: [String] = []
    /// Where in the document it comes into scope (a `use`d file's: the `use`).
    var position: Int
}

/// An open document.
final class Document {
    let uri: String
    /// The file path of a `file:` URI (spans are named by it, so `use` resolves from it).
    let path: String?
    var version: Int?
    private(set) var bytes: [UInt8]
    private(set) var analyzed: Analyzed?

    init(uri: String, text: String, version: Int?) {
        self.uri = uri
        path = Document.path(fromURI: uri)
        self.version = version
        bytes = Array(text.utf8)
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var name: String { path ?? "<\(uri)>" }

    func replace(_ text: String) {
        bytes = Array(text.utf8)
        analyzed = nil
    }

    /// Applies a ranged change (for clients that send one though full sync was asked for).
    func apply(range: (Int, Int, Int, Int), text: String) {
        let index = LineIndex(bytes)
        let a = index.byteOffset(line: range.0, character: range.1)
        let b = max(a, index.byteOffset(line: range.2, character: range.3))
        bytes.replaceSubrange(a..<b, with: Array(text.utf8))
        analyzed = nil
    }

    /// Checks the text (once per version).
    func analysis() -> Analyzed {
        if let analyzed { return analyzed }
        let a = Analyzed.run(SourceFile(name: name, text: text))
        analyzed = a
        return a
    }

    static func path(fromURI uri: String) -> String? {
        guard uri.lowercased().hasPrefix("file:") else { return nil }
        if let url = URL(string: uri), url.isFileURL, !url.path.isEmpty { return url.path }
        var rest = String(uri.dropFirst(5))
        if rest.hasPrefix("//") {
            rest.removeFirst(2)
            // `file://host/path`: keep the path.
            if let slash = rest.firstIndex(of: "/") { rest = String(rest[slash...]) } else { return nil }
        }
        return rest.removingPercentEncoding ?? rest
    }

    static func uri(fromPath path: String) -> String { URL(fileURLWithPath: path).absoluteString }
}

/// Open documents and the files they `use`.
final class Workspace {
    var documents: [String: Document] = [:]
    /// `use`d files read from disk, by path, with the modification date they were read at.
    private var disk: [String: (date: Date?, analyzed: Analyzed)] = [:]

    static let maxFileBytes = 16 * 1024 * 1024

    func document(forPath path: String) -> Document? {
        let canonical = Workspace.canonical(path)
        return documents.values.first { $0.path.map(Workspace.canonical) == canonical }
    }

    static func canonical(_ path: String) -> String {
        ((path as NSString).resolvingSymlinksInPath as NSString).standardizingPath
    }

    /// A `use` path as the interpreter resolves it: relative to the using file.
    static func resolve(_ path: String, from file: SourceFile) -> String {
        let base = file.name.hasPrefix("<") ? FileManager.default.currentDirectoryPath
            : (file.name as NSString).deletingLastPathComponent
        return path.hasPrefix("/") ? path : (base.isEmpty ? path : base + "/" + path)
    }

    /// The URI to name a file by: an open document's own URI when it is open.
    func uri(for file: SourceFile) -> String {
        if let d = documents.values.first(where: { $0.name == file.name }) { return d.uri }
        if file.name.hasPrefix("<") && file.name.hasSuffix(">") { return String(file.name.dropFirst().dropLast()) }
        if let d = document(forPath: file.name) { return d.uri }
        return Document.uri(fromPath: file.name)
    }

    /// A `use`d script, from the editor when it is open there, else from disk.
    func used(_ path: String) -> Analyzed? {
        if let d = document(forPath: path) { return d.analysis() }
        let attributes = try? FileManager.default.attributesOfItem(atPath: (path as NSString).resolvingSymlinksInPath)
        let date = attributes?[.modificationDate] as? Date
        if let hit = disk[path], hit.date == date, date != nil { return hit.analyzed }
        guard let size = attributes?[.size] as? Int, size <= Workspace.maxFileBytes,
            (attributes?[.type] as? FileAttributeType) == .typeRegular,
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        let file = SourceFile(name: path, text: text)
        let a = path.lowercased().hasSuffix(".csv")
            ? Analyzed(file: file, statements: [], diagnostics: []) : Analyzed.run(file)
        disk[path] = (date, a)
        return a
    }

    /// Everything a document declares, in order, with the declarations of
    /// the files it uses spliced in where it uses them.
    func declarations(_ a: Analyzed) -> [Declaration] {
        var out: [Declaration] = []
        var visited: Set<String> = [Workspace.canonical(a.file.name)]
        collect(a, position: nil, into: &out, visited: &visited, depth: 0)
        return out
    }

    private func collect(_ a: Analyzed, position: Int?, into out: inout [Declaration], visited: inout Set<String>, depth: Int) {
        if a.file.name.lowercased().hasSuffix(".csv") {
            out += Workspace.csvDeclarations(a.file, position: position ?? 0)
            return
        }
        for s in a.statements {
            let at = position ?? s.span.start
            switch s.kind {
            case .let(let n, let sp, let v):
                out.append(Declaration(name: n, kind: .value, nameSpan: sp, span: s.span, type: v.type, value: v, position: at))
            case .fn(let n, let sp, let ps, _):
                out.append(Declaration(name: n, kind: .function, nameSpan: sp, span: s.span, type: a.bodies[n]?.type,
                                       params: ps.map(\.name), position: at))
            case .cluster(let n, let sp, let fs):
                out.append(Declaration(name: n, kind: .cluster, nameSpan: sp, span: s.span, type: .cluster, fields: fs, position: at))
            case .contract(let n, let sp, let fs):
                let currency = fs.first { $0.name == "rate" }?.value.type?.dimension?.currency?.code
                out.append(Declaration(name: n, kind: .contract, nameSpan: sp, span: s.span, type: .contract(currency: currency),
                                       fields: fs, position: at))
            case .scenario(let n, let sp, let fs):
                out.append(Declaration(name: n, kind: .scenario, nameSpan: sp, span: s.span, type: nil, fields: fs, position: at))
            case .use(let p, _):
                guard depth < 50 else { continue }
                let full = Workspace.resolve(p, from: a.file)
                let key = Workspace.canonical(full)
                guard !visited.contains(key), let inner = used(full) else { continue }
                visited.insert(key)
                collect(inner, position: at, into: &out, visited: &visited, depth: depth + 1)
            default: break
            }
        }
    }

    /// A CSV deal sheet declares one object per row, named by its first cell.
    static func csvDeclarations(_ file: SourceFile, position: Int) -> [Declaration] {
        let bytes = file.bytes
        var out: [Declaration] = []
        var lineStart = 0
        var kind: Declaration.Kind?
        var i = 0
        while lineStart < bytes.count {
            i = lineStart
            while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            var cell = lineStart
            while cell < i && bytes[cell] != 0x2C && bytes[cell] != 0x0D { cell += 1 }
            let first = String(decoding: bytes[lineStart..<cell], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if kind == nil {
                kind = first == "cluster" ? .cluster : first == "contract" ? .contract : .row
            } else if !first.isEmpty, let k = kind {
                let name = Span(file, lineStart, cell)
                out.append(Declaration(name: first, kind: k, nameSpan: name, span: Span(file, lineStart, i),
                                       type: k == .cluster ? .cluster : k == .contract ? .contract(currency: nil) : nil,
                                       position: position))
            }
            lineStart = i + 1
        }
        return out
    }
}
