import Foundation

/// Where the REPL gets its lines: libedit on a terminal, plain reads otherwise.
public protocol LineEditor: AnyObject {
    /// The next line without its newline, or nil at end of input.
    func readLine(prompt: String) -> String?
    /// Remembers a line for recall with the arrow keys.
    func addHistory(_ line: String)
}

/// Reads standard input line by line with no prompt and no editing.
public final class PlainLineEditor: LineEditor {
    let showPrompt: Bool
    public init(showPrompt: Bool = false) { self.showPrompt = showPrompt }
    public func readLine(prompt: String) -> String? {
        if showPrompt {
            FileHandle.standardOutput.write(Data(prompt.utf8))
        }
        return Swift.readLine(strippingNewline: true)
    }
    public func addHistory(_ line: String) {}
}
