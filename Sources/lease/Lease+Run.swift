import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseREPL
import LeaseVector

struct RunScripts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run scripts, an expression, or the REPL.", shouldDisplay: false)

    @OptionGroup var options: CommonOptions

    @Option(name: [.short, .customLong("eval")], parsing: .unconditionalSingleValue,
            help: "Evaluate an expression or statements and exit.")
    var expressions: [String] = []

    @ArgumentParser.Argument(help: "Scripts to run in order, sharing one session.")
    var files: [String] = []

    func run() throws {
        let session = options.session()
        let color = options.errorColor
        func report(_ d: Diagnostic) throws -> Never {
            FileHandle.standardError.write(Data((d.render(color: color) + "\n").utf8))
            throw ExitCode(1)
        }
        for path in files {
            let text: String
            if path == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard FileManager.default.fileExists(atPath: path) else {
                    FileHandle.standardError.write(Data("lease: no such file: \(path)\n".utf8))
                    throw ExitCode(2)
                }
                guard let t = try? String(contentsOfFile: path, encoding: .utf8) else {
                    FileHandle.standardError.write(Data("lease: cannot read \(path) as UTF-8 text\n".utf8))
                    throw ExitCode(2)
                }
                text = t
            }
            if let d = session.run(SourceFile(name: path, text: text)) { try report(d) }
        }
        for (i, e) in expressions.enumerated() {
            let name = expressions.count == 1 ? "<expr>" : "<expr \(i + 1)>"
            if let d = session.run(SourceFile(name: name, text: e)) { try report(d) }
        }
        if !files.isEmpty || !expressions.isEmpty { return }
        if isatty(0) == 1 {
            let valueColor = color && isatty(1) == 1
            let repl = REPL.terminal(session: session, format: options.format, color: valueColor)
                ?? REPL(session: session, editor: PlainLineEditor(showPrompt: true), format: options.format, color: valueColor)
            repl.run(welcome: true)
        } else {
            let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            if let d = session.run(SourceFile(name: "<stdin>", text: text)) { try report(d) }
        }
    }
}

