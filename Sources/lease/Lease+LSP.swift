import ArgumentParser
import Foundation
import LeaseLSP
import LeaseREPL

/// `lease lsp`: the language server for editors (docs/editors.md), on
/// standard input and output.
struct LSP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Serve the Language Server Protocol on stdin/stdout, for editors (see docs/editors.md).",
        discussion: "Diagnostics from the checker, hover with type and dimension, completion and go to definition.")

    @Flag(name: .long, help: "Talk over standard input and output (the default and only transport; accepted for editors that pass it).")
    var stdio = false

    func run() throws {
        let status = LanguageServer.serve(version: REPL.version)
        if status != 0 { throw ExitCode(status) }
    }
}
