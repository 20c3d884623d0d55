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


/// Scripts from files, `-` and stdin, read the same way: a missing file or a
/// directory is a usage error (exit 2); text that is not UTF-8 is an error at
/// the line and column of the first bad byte (exit 1), wherever it came from.
enum ScriptInput {
    static func read(_ path: String, name: String? = nil, color: Bool) throws -> SourceFile {
        let bytes: [UInt8]
        if path == "-" {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        } else {
            var st = stat()
            guard stat(path, &st) == 0 || errno != ENOENT else {
                FileHandle.standardError.write(Data("lease: no such file: \(path)\n".utf8))
                throw ExitCode(2)
            }
            do throws(FileError) {
                bytes = try SafeFile.readBytes(path)
            } catch {
                FileHandle.standardError.write(Data("lease: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        switch ScriptText.decode(bytes, name: name ?? (path == "-" ? "<stdin>" : path)) {
        case .success(let file): return file
        case .failure(let d):
            FileHandle.standardError.write(Data((d.render(color: color) + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
