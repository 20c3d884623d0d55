import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseREPL
import LeaseVector

@main
struct Lease: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease",
        abstract: "A REPL and script runner for dimension-checked lease deals.",
        usage: """
            lease [--format text|json|csv] [--threads N] [--no-color] [--shard K/N --partial DIR [--exact]] [-e EXPR …] [FILE …]
              lease check [--strict] FILE …
              lease test FILE …
              lease merge PART …
              lease lsp
            """,
        discussion: RunScripts.helpText,
        version: REPL.version,
        // One line a subcommand; each lives in its own Lease+Name.swift.
        subcommands: [
            RunScripts.self,
            Check.self,
            TestScripts.self,
            Merge.self,
            Machine.self,
            LSP.self,
        ],
        defaultSubcommand: RunScripts.self)

    /// Usage errors exit 2 (LANGUAGE.md section 8), not argument-parser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

