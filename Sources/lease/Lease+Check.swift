import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseREPL
import LeaseVector

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scripts as one session, in order, without running them; print nothing when they are fine.",
        discussion: "Reports every error (and warning) with file:line:col; exits 1 if there is an error.")

    @OptionGroup var options: CommonOptions

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    @ArgumentParser.Argument(help: "Scripts to check, in the order they would run.")
    var files: [String]

    func run() throws {
        var sources: [SourceFile] = []
        for path in files {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                FileHandle.standardError.write(Data("lease: \(path) is a directory, not a script\n".utf8))
                throw ExitCode(2)
            }
            sources.append(try ScriptInput.read(path, color: options.errorColor))
        }
        var failed = false
        for d in options.session().check(sources) {
            if d.severity == .error || strict { failed = true }
            FileHandle.standardError.write(Data((d.render(color: options.errorColor) + "\n").utf8))
        }
        if failed { throw ExitCode(1) }
    }
}
