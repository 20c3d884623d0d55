import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseREPL
import LeaseVector

struct RunScripts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run scripts, an expression, or the REPL.",
        usage: "lease [--format text|json|csv] [--threads N] [--no-color] [-e EXPR …] [FILE …]", shouldDisplay: false,
        // No help names of its own: `--help` anywhere shows `lease --help`, and
        // usage errors do not point at a `run` subcommand the docs do not have.
        helpNames: [])

    /// The `lease --help` text after its overview: how to run a file, an
    /// expression or the REPL, and the options (the root command lists only
    /// its subcommands by itself).
    static let helpText = """
        Run scripts, evaluate expressions, or start the REPL:

          lease [OPTIONS] [-e EXPR …] [FILE …]
          lease check FILE …
          lease test FILE …

          FILE …           run scripts in order, in one session (`-` reads stdin)
          -e, --eval EXPR  evaluate statements after the files; repeatable
          --format FORMAT  text (default), json or csv
          --threads N      worker threads for scenario runs, 1–1024 (default: all)
          --no-color       never colour output (also: NO_COLOR in the environment)

        With no FILE and no -e: on a terminal, the REPL (type :help there);
        otherwise stdin is run as a script.

        Examples:
          lease examples/colossus.lease
          lease -e '$1.25B/month * 36 months'
          lease deal.lease -e 'npv(anthropic, 8%)'
          lease check deals/*.lease
          lease test examples/*.lease
        """

    @OptionGroup var options: CommonOptions

    @OptionGroup var shardOptions: ShardOptions

    /// `--help` after other arguments (`lease -e 1 --help`) shows `lease --help`.
    @Flag(name: [.short, .long], help: .hidden) var help = false

    @Option(name: [.short, .customLong("eval")], parsing: .unconditionalSingleValue,
            help: "Evaluate an expression or statements and exit.")
    var expressions: [String] = []

    @ArgumentParser.Argument(help: "Scripts to run in order, sharing one session.")
    var files: [String] = []

    func run() throws {
        if help {
            print(Lease.helpMessage())
            return
        }
        let session = options.session()
        try shardOptions.install(in: session)
        let color = options.errorColor
        func report(_ d: Diagnostic) throws -> Never {
            FileHandle.standardError.write(Data((d.render(color: color) + "\n").utf8))
            throw ExitCode(1)
        }
        session.warn = { w in FileHandle.standardError.write(Data((w.render(color: color) + "\n").utf8)) }
        // Every file and expression is checked as one session before the first statement runs.
        var sources: [SourceFile] = []
        for path in files {
            sources.append(try ScriptInput.read(path, color: color))
        }
        for (i, e) in expressions.enumerated() {
            let name = expressions.count == 1 ? "<expr>" : "<expr \(i + 1)>"
            sources.append(SourceFile(name: name, text: e))
        }
        if !sources.isEmpty, let d = session.run(sources) { try report(d) }
        if !files.isEmpty || !expressions.isEmpty { return }
        if isatty(0) == 1 {
            let valueColor = color && isatty(1) == 1
            let repl = REPL.terminal(session: session, format: options.format, color: valueColor)
                ?? REPL(session: session, editor: PlainLineEditor(showPrompt: true), format: options.format, color: valueColor)
            repl.run(welcome: true)
        } else {
            if let d = session.run(try ScriptInput.read("-", name: "<stdin>", color: color)) { try report(d) }
        }
    }
}

