import Foundation
import LeaseLanguage
import LeaseVector

#if canImport(Glibc)
import Glibc
#endif

/// The properties every input is held to. Each one that fails writes what
/// differed to standard error and aborts, so libFuzzer keeps the input.
///
/// 1. No crash: parse, check and run in a fresh session, row by row and
///    again with the vectorized engine (one thread).
/// 2. Same bytes: both sessions print the same text, JSON and CSV, and stop
///    at the same error.
/// 3. `:save` round trip: after a run without error, the session's script,
///    loaded into a fresh session, loads without error and writes back the
///    same script.
/// 4. Checker soundness (only with `LEASE_FUZZ_SOUNDNESS=1`): a script the
///    checker accepts raises no type or dimension error when it runs.
enum Harness {
    /// Longer inputs are ignored (scripts/fuzz also passes `-max_len`).
    static let maxBytes = 4096
    /// Wall-clock budget of one run before the session is interrupted.
    static let budget: DispatchTimeInterval = .milliseconds(400)
    /// The properties beyond "no crash" to check: `LEASE_FUZZ_PROPERTIES`, a
    /// comma-separated list of `bytes`, `save` and `soundness`, to look past a
    /// known finding; by default `bytes,save`, and `soundness` with `LEASE_FUZZ_SOUNDNESS=1`.
    static let properties: Set<String> = {
        let env = ProcessInfo.processInfo.environment
        var p: Set<String> = env["LEASE_FUZZ_PROPERTIES"].map { Set($0.split(separator: ",").map(String.init)) }
            ?? ["bytes", "save"]
        if env["LEASE_FUZZ_SOUNDNESS"] == "1" { p.insert("soundness") }
        return p
    }()
    static let soundness = properties.contains("soundness")

    static func test(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= maxBytes else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        guard Filter.accepts(text) else { return }
        let file = SourceFile(name: "fuzz.lease", text: text)

        let scalar = Outcome.run(file, vectorized: false)
        // A run that needed the interrupt may have stopped anywhere: compare nothing.
        if scalar.interrupted { return }
        let vector = Outcome.run(file, vectorized: true)
        if vector.interrupted { return }

        // 2. Same bytes, same error.
        if properties.contains("bytes") { sameBytes(text, scalar, vector) }
        // 3. :save round trip.
        if properties.contains("save"), scalar.error == nil { roundTrip(text, scalar) }
        // 4. Checker soundness.
        if soundness, let e = scalar.error, e.phase == .runtime, Soundness.isTypeError(e) {
            let checked = Session().check(file)
            if checked.isEmpty {
                Finding.report("the checker accepts a script that raises a type error", text,
                               details: [e.description])
            }
        }
    }

    static func sameBytes(_ text: String, _ scalar: Outcome, _ vector: Outcome) {
        for format in OutputFormat.allCases {
            let a = scalar.rendered(format), b = vector.rendered(format)
            if a != b {
                Finding.report("scalar and vectorized \(format.rawValue) output differ", text,
                               details: ["scalar:", a, "vectorized:", b])
            }
        }
        if scalar.error?.description != vector.error?.description {
            Finding.report("scalar and vectorized runs stop differently", text,
                           details: ["scalar: \(scalar.error?.description ?? "no error")",
                                     "vectorized: \(vector.error?.description ?? "no error")"])
        }
    }

    static func roundTrip(_ text: String, _ scalar: Outcome) {
        let saved = scalar.session.script()
        let reloaded = Outcome.run(SourceFile(name: "saved.lease", text: saved), vectorized: false)
        if reloaded.interrupted { return }
        if let e = reloaded.error {
            Finding.report("the :save script does not load", text, details: ["saved script:", saved, "error:", e.description])
        }
        // A binding that is no literal (a run result) is saved as a comment
        // saying so, and so is not there to save the second time.
        let expected = saved.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !($0.hasPrefix("# `") && $0.hasSuffix("cannot be written as a literal; recompute it")) }
            .joined(separator: "\n")
        let again = reloaded.session.script()
        if again != expected {
            Finding.report("the :save script does not write back the same", text,
                           details: ["first save:", saved, "second save:", again])
        }
    }
}

/// The output events of one run, as they came.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [OutputEvent] = []
    func append(_ e: OutputEvent) {
        lock.lock()
        items.append(e)
        lock.unlock()
    }
    var events: [OutputEvent] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// Set once the watchdog has interrupted a run.
final class Fired: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

struct Outcome {
    var session: Session
    var events: [OutputEvent]
    var error: Diagnostic?
    var interrupted: Bool

    /// Runs a script in a fresh session on one thread, interrupting it once
    /// it has taken `Harness.budget`.
    static func run(_ file: SourceFile, vectorized: Bool) -> Outcome {
        let recorder = Recorder()
        let session = Session { recorder.append($0) }
        session.threads = 1
        if vectorized { VectorEngine.install(in: session, threads: 1) }
        let fired = Fired()
        let flag = session.interrupt
        let watchdog = DispatchWorkItem {
            fired.set()
            flag.raise()
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + Harness.budget, execute: watchdog)
        let error = session.run(file)
        watchdog.cancel()
        // A watchdog that fires after the run only touches this finished session.
        let interrupted = fired.isSet || error?.message == "interrupted"
        return Outcome(session: session, events: recorder.events, error: error, interrupted: interrupted)
    }

    func rendered(_ format: OutputFormat) -> String {
        events.map { format.render($0) + "\n" }.joined()
    }
}

/// Inputs the harness does not run: ones that touch files (`use`,
/// `export`), and scenario sizes that would allocate more than the fuzzer
/// allows before the watchdog could stop them.
enum Filter {
    static func accepts(_ text: String) -> Bool {
        let words = identifiers(text)
        if words.contains("use") || words.contains("export") { return false }
        return true
    }

    /// The identifier-shaped words of a script (a superset of its keywords and names).
    static func identifiers(_ text: String) -> Set<String> {
        var out: Set<String> = []
        var current: [UInt8] = []
        for b in text.utf8 {
            let isIdent = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
            if isIdent {
                current.append(b)
            } else if !current.isEmpty {
                out.insert(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { out.insert(String(decoding: current, as: UTF8.self)) }
        return out
    }
}

/// Which runtime errors are about types or dimensions: the kind a static
/// checker can and should catch before a script runs.
enum Soundness {
    static let markers = [
        "cannot apply", "cannot compare", "cannot negate", "cannot index", "cannot convert", "cannot add",
        "cannot subtract", "one dimension", "one type", "not a ", "has no field", "has no fields",
        "unknown name", "unknown function", "unknown scenario", "missing argument", "too many arguments",
        "has no parameter", "is a function", "must be true or false", "must be a plain number", "must be money",
        "must have the range's dimension", "moves by a duration", "must all be dates", "runs between two",
    ]

    static func isTypeError(_ e: Diagnostic) -> Bool {
        markers.contains { e.message.contains($0) }
    }
}

enum Finding {
    static func report(_ what: String, _ input: String, details: [String]) -> Never {
        var message = "\n==== lease fuzz finding: \(what)\n---- input:\n\(input)\n"
        for d in details { message += "---- \(d)\n" }
        FileHandle.standardError.write(Data(message.utf8))
        abort()
    }
}
