import Foundation
import LeaseCore

/// What a script or REPL line produces besides errors.
public enum OutputEvent: Sendable {
    /// The value of an expression statement.
    case value(Value)
    /// A line written by `print`.
    case text(String)
}

/// A scenario as declared: parameters in order, evaluated when it runs.
public struct ScenarioDecl: Sendable {
    public var name: String
    public var fields: [FieldInit]
    public var source: String
}

/// The state of one lease session: the model, bindings and functions that
/// scripts and REPL lines build up, and where output goes.
///
/// Confined to one thread at a time: statements run on a worker thread with
/// a large stack (see `run`), never concurrently.
public final class Session: @unchecked Sendable {
    public internal(set) var model = Model()
    public internal(set) var globals: [String: Value] = [:]
    /// Binding names in the order they were first bound, for `:ls` and `:save`.
    public internal(set) var globalOrder: [String] = []
    public internal(set) var functions: [String: FunctionDecl] = [:]
    public internal(set) var functionOrder: [String] = []
    public internal(set) var scenarios: [String: ScenarioDecl] = [:]
    public internal(set) var scenarioOrder: [String] = []
    /// The source of each `fx` statement still in force, for `:save`.
    public internal(set) var fxSources: [String] = []

    public var output: @Sendable (OutputEvent) -> Void
    /// Worker threads for scenario runs; 0 means every core.
    public var threads: Int = 0
    /// Set from a signal handler to stop a long evaluation.
    public let interrupt = InterruptFlag()
    /// Runs scenarios column by column; nil runs them row by row.
    package var engine: (any ScenarioEngine)?
    /// Sharded runs (LANGUAGE.md section 12): the rows of a run of n rows this
    /// process evaluates, and what to do with each finished run's part.
    public var shardRows: (@Sendable (Int) -> Range<Int>)?
    public var runCompleted: (@Sendable (RunResult, RunInfo) throws -> Void)?
    /// Files being run through `use`, to refuse cycles.
    var useStack: [String] = []

    public init(output: @escaping @Sendable (OutputEvent) -> Void = { _ in }) {
        self.output = output
    }

    /// Forgets everything, as `:reset` does.
    public func reset() {
        model = Model()
        globals = [:]
        globalOrder = []
        functions = [:]
        functionOrder = []
        scenarios = [:]
        scenarioOrder = []
        fxSources = []
    }

    /// Where check warnings go (`file:line:col: warning: …`); the script goes on.
    public var warn: @Sendable (Diagnostic) -> Void = { _ in }

    /// Parses, checks and runs a whole script. Returns the first error, with
    /// everything before it done and everything after it not.
    @discardableResult
    public func run(_ file: SourceFile) -> Diagnostic? { run([file]) }

    /// Checks the files as one session, in order, and only then runs them:
    /// an error anywhere means nothing runs.
    @discardableResult
    public func run(_ files: [SourceFile]) -> Diagnostic? {
        interrupt.clear()
        return LargeStack.run { () -> Diagnostic? in
            do throws(Diagnostic) {
                var checker = Checker(session: self)
                var checked: [(SourceFile, [Statement])] = []
                for file in files {
                    let statements = try Parser.parse(file)
                    checked.append((file, try checker.check(statements, file: file)))
                }
                for w in checker.warnings { self.warn(w) }
                var interp = Interpreter(session: self)
                for (file, statements) in checked {
                    self.useStack = [Interpreter.canonical(file.name)]
                    defer { self.useStack = [] }
                    for s in statements { try interp.execute(s) }
                }
                return nil
            } catch {
                return error
            }
        }
    }

    /// Parses and checks without running; every error and warning found, in order.
    public func check(_ file: SourceFile) -> [Diagnostic] { check([file]) }

    /// Checks the files as one session, in order, recovering at statement
    /// boundaries; runs nothing.
    public func check(_ files: [SourceFile]) -> [Diagnostic] {
        LargeStack.run { () -> [Diagnostic] in
            var checker = Checker(session: self)
            checker.collectAll = true
            var out: [Diagnostic] = []
            for file in files {
                let (statements, errors, names) = Parser.parseRecovering(file)
                out += errors
                for n in names { checker.globals[n] = .any }
                do throws(Diagnostic) {
                    _ = try checker.check(statements, file: file)
                } catch {
                    out.append(error)
                }
            }
            return (out + checker.errors + checker.warnings).sorted { a, b in
                guard let x = a.span, let y = b.span else { return false }
                let fx = files.firstIndex { $0 === x.file } ?? Int.max, fy = files.firstIndex { $0 === y.file } ?? Int.max
                if fx != fy { return fx < fy }
                return x.start < y.start
            }
        }
    }

    /// What the checker knows of some files, for editors: each file's
    /// statements with every expression typed (as far as checking got),
    /// and every error and warning. Nothing runs and the session is unchanged.
    public struct Analysis: Sendable {
        public var statements: [[Statement]]
        public var diagnostics: [Diagnostic]
    }

    public func analyze(_ files: [SourceFile]) -> Analysis {
        LargeStack.run { () -> Analysis in
            var checker = Checker(session: self)
            checker.collectAll = true
            var out: [Diagnostic] = []
            var all: [[Statement]] = []
            for file in files {
                let (statements, errors, names) = Parser.parseRecovering(file)
                out += errors
                for n in names { checker.globals[n] = .any }
                do throws(Diagnostic) {
                    all.append(try checker.check(statements, file: file))
                } catch {
                    out.append(error)
                    all.append(statements)
                }
            }
            return Analysis(statements: all, diagnostics: out + checker.errors + checker.warnings)
        }
    }

    /// The static type of an expression, from the checker alone: nothing is
    /// evaluated, so a run of any size answers at once.
    public func typeOf(_ source: String, name: String = "<type>") -> Result<LType, Diagnostic> {
        let file = SourceFile(name: name, text: source)
        return LargeStack.run { () -> Result<LType, Diagnostic> in
            do throws(Diagnostic) {
                let statements = try Parser.parse(file)
                guard statements.count == 1, case .expr = statements[0].kind else {
                    throw Diagnostic(.parse, "expected one expression", at: statements.first?.span)
                }
                var checker = Checker(session: self)
                let checked = try checker.check(statements, file: file)
                guard case .expr(let e) = checked[0].kind else { return .success(.any) }
                return .success(e.type ?? .any)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Evaluates one expression without printing or binding `_`.
    public func evaluate(_ source: String, name: String = "<expr>") -> Result<Value, Diagnostic> {
        let file = SourceFile(name: name, text: source)
        return LargeStack.run { () -> Result<Value, Diagnostic> in
            do throws(Diagnostic) {
                let statements = try Parser.parse(file)
                guard statements.count == 1, case .expr = statements[0].kind else {
                    throw Diagnostic(.parse, "expected one expression", at: statements.first?.span)
                }
                var checker = Checker(session: self)
                let checked = try checker.check(statements, file: file)
                guard case .expr(let e) = checked[0].kind else { return .success(.list([])) }
                var interp = Interpreter(session: self)
                return .success(try interp.eval(e))
            } catch {
                return .failure(error)
            }
        }
    }

    func bind(_ name: String, _ value: Value) {
        if globals[name] == nil { globalOrder.append(name) }
        globals[name] = value
    }

    func unbind(_ name: String) {
        globals[name] = nil
        globalOrder.removeAll { $0 == name }
    }
}

/// Where a finished run came from, for the parts of a sharded run.
public struct RunInfo: Sendable {
    public var scenario: String
    /// The scenario's declaration as written.
    public var scenarioSource: String
    /// The run's expression as written.
    public var body: String
    /// The whole text of the script the run is in.
    public var script: String
    public var totalRows: Int
    /// The rows this process evaluated.
    public var rows: Range<Int>
}

/// A flag a signal handler can set and the evaluator polls.
public final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    public init() {}
    public func raise() {
        lock.lock()
        raised = true
        lock.unlock()
    }
    public func clear() {
        lock.lock()
        raised = false
        lock.unlock()
    }
    public var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }
}

/// Runs work on a thread with a 512 MiB stack, so deep but legal nesting
/// and recursion end in a clear error from the depth limits, not a crash.
enum LargeStack {
    final class Box<T>: @unchecked Sendable { var value: T?; init() {} }

    static func run<T>(_ body: @escaping () -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        let work = UncheckedSendable(body)
        let thread = Thread {
            box.value = work.value()
            done.signal()
        }
        thread.stackSize = 512 << 20
        thread.start()
        done.wait()
        guard let value = box.value else { return body() }
        return value
    }
}

struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// A faster way to run scenarios. It returns nil for anything it cannot
/// compute exactly as the row-by-row evaluator would, which then runs instead.
package protocol ScenarioEngine: AnyObject, Sendable {
    func run(_ plan: Interpreter.ScenarioPlan, body: Expr, scenario: String, interpreter: inout Interpreter, span: Span)
        throws(Diagnostic) -> RunResult?
}
