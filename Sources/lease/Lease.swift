import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseREPL
import LeaseVector

/// Options every way of running lease shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json or csv.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Worker threads for scenario runs (default: every core).")
    var threads: Int?

    @Flag(name: .long, help: "Never colour output (also: the NO_COLOR environment variable).")
    var noColor = false

    func validate() throws {
        if let t = threads, t < 1 || t > 1024 { throw ValidationError("--threads must be between 1 and 1024") }
    }

    /// Colour only on a terminal, and never when asked not to.
    var errorColor: Bool {
        !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(2) == 1
    }

    func session() -> Session {
        let fmt = format
        let session = Session { event in
            let line = fmt.render(event)
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        session.threads = threads ?? 0
        if ProcessInfo.processInfo.environment["LEASE_ENGINE"] != "scalar" {
            VectorEngine.install(in: session, threads: threads ?? 0)
        }
        return session
    }
}

extension OutputFormat: ExpressibleByArgument {}

@main
struct Lease: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease",
        abstract: "A REPL and script runner for dimension-checked lease deals.",
        discussion: "With no file and a terminal, starts the REPL; with stdin not a terminal, runs it as a script.",
        version: REPL.version,
        subcommands: [RunScripts.self, Check.self],
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

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and check scripts without running them; print nothing when they are fine.")

    @OptionGroup var options: CommonOptions

    @ArgumentParser.Argument(help: "Scripts to check.")
    var files: [String]

    func run() throws {
        var failed = false
        for path in files {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                FileHandle.standardError.write(Data("lease: cannot read \(path)\n".utf8))
                throw ExitCode(2)
            }
            let session = options.session()
            for d in session.check(SourceFile(name: path, text: text)) {
                failed = true
                FileHandle.standardError.write(Data((d.render(color: options.errorColor) + "\n").utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }
}
