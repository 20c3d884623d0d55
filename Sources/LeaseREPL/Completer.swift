import Foundation
import LeaseCore
import LeaseLanguage

/// Tab completion: REPL commands after `:`, file paths after `:load`/`:save`,
/// fields after `.`, units after a number, and otherwise names in scope,
/// built-ins and keywords.
public final class Completer {
    let session: Session
    public static let commands = [":help", ":load", ":save", ":ls", ":type", ":time", ":reset", ":tutorial", ":quit"]

    public init(session: Session) { self.session = session }

    /// The word being completed and its candidates (full words), sorted.
    public func complete(_ line: String) -> (String, [String]) {
        let trimmed = line.drop(while: { $0 == " " })
        if trimmed.hasPrefix(":") {
            if let space = trimmed.firstIndex(of: " ") {
                let cmd = String(trimmed[..<space])
                let arg = String(trimmed[trimmed.index(after: space)...])
                if cmd == ":load" || cmd == ":save" { return paths(arg) }
                if cmd == ":help" { return (arg, Help.topics.filter { $0.hasPrefix(arg) }) }
                if cmd == ":type" || cmd == ":time" { return complete(arg) }
                return (arg, [])
            }
            let w = String(trimmed)
            return (w, Self.commands.filter { $0.hasPrefix(w) })
        }
        let chars = Array(line)
        var i = chars.count
        while i > 0 && (chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_") { i -= 1 }
        let word = String(chars[i...])
        if i > 0 && chars[i - 1] == "." {
            return (word, fields(before: String(chars[..<(i - 1)]), prefix: word))
        }
        // After a number: units.
        var j = i
        while j > 0 && chars[j - 1] == " " { j -= 1 }
        if j < i, j > 0, chars[j - 1].isNumber || "kMBT%".contains(chars[j - 1]) {
            var k = j
            while k > 0 && (chars[k - 1].isNumber || chars[k - 1] == "_" || chars[k - 1] == "." || "kMBT".contains(chars[k - 1])) { k -= 1 }
            if k < j && (k == 0 || !(chars[k - 1].isLetter || chars[k - 1] == "_")) {
                return (word, Language.unitNames.filter { $0.hasPrefix(word) && !word.isEmpty || word.isEmpty && $0.first?.isLetter == true })
            }
        }
        guard !word.isEmpty, !(word.first?.isNumber ?? false) else { return (word, []) }
        var names = Set(session.globalOrder + session.functionOrder + session.scenarioOrder)
        names.formUnion(Language.builtinFunctions)
        names.formUnion(Language.keywords)
        names.formUnion(Language.unitNames.filter { $0.count > 1 && $0.first?.isLetter == true })
        return (word, names.filter { $0.hasPrefix(word) }.sorted())
    }

    /// Fields of the value the text before `.` names, such as `anthropic.cluster`.
    func fields(before text: String, prefix: String) -> [String] {
        let chars = Array(text)
        var i = chars.count
        while i > 0 && (chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_" || chars[i - 1] == ".") { i -= 1 }
        let expr = String(chars[i...])
        guard !expr.isEmpty, expr.first?.isLetter == true || expr.first == "_" else { return [] }
        guard case .success(let v) = session.evaluate(expr, name: "<completion>") else { return [] }
        return Language.fields(of: v).filter { $0.hasPrefix(prefix) }.sorted()
    }

    func paths(_ partial: String) -> (String, [String]) {
        let dir: String
        let base: String
        if let slash = partial.lastIndex(of: "/") {
            dir = String(partial[...slash])
            base = String(partial[partial.index(after: slash)...])
        } else {
            dir = ""
            base = partial
        }
        let listDir = dir.isEmpty ? "." : REPL.expandTilde(dir)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: listDir) else { return (partial, []) }
        var out: [String] = []
        for e in entries.sorted() where e.hasPrefix(base) && (!e.hasPrefix(".") || base.hasPrefix(".")) {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: (listDir as NSString).appendingPathComponent(e), isDirectory: &isDir)
            out.append(dir + e + (isDir.boolValue ? "/" : ""))
        }
        return (partial, out)
    }
}
