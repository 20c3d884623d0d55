import Foundation
import LeaseLanguage
import Testing

@testable import LeaseREPL

/// `:tutorial` as a learner meets it: the real binary on a pseudo-terminal
/// (the terminal tests' driver), with HOME in a temporary directory so the
/// progress file is `$HOME/.lease_tutorial`. `LEASE_TEST_BINARY` overrides
/// the binary.
@Suite("Tutorial on a terminal", .serialized, .timeLimit(.minutes(2)))
struct TutorialTerminalTests {
    static func start(_ box: TerminalSandbox, sourceLocation: SourceLocation = #_sourceLocation) throws -> PseudoTerminal {
        let env = ProcessInfo.processInfo.environment
        guard let binary = env["LEASE_TEST_BINARY"].flatMap({ $0.isEmpty ? nil : $0 }) ?? PseudoTerminal.binary else {
            Issue.record("no lease binary: run `swift build -c release --product lease` first", sourceLocation: sourceLocation)
            throw TerminalError(description: "no lease binary")
        }
        let term = try PseudoTerminal(path: binary, environment: [
            "LEASE_HISTORY": box.history, "TERM": "xterm", "HOME": box.dir, "PATH": "/usr/bin:/bin", "NO_COLOR": "1",
        ])
        do {
            try term.expect("lease 0.1.0 — :help for help, Ctrl-D to quit\n", sourceLocation: sourceLocation)
            try term.prompt(sourceLocation: sourceLocation)
        } catch {
            term.terminate()
            throw error
        }
        return term
    }

    static func progress(_ box: TerminalSandbox) -> String? {
        try? String(contentsOfFile: box.dir + "/.lease_tutorial", encoding: .utf8)
    }

    /// What a learner who knows the answer types: the expression, or for a
    /// "what does it print" question the value.
    static func rightAnswer(_ e: Lesson.Exercise) -> String {
        if case .answer = e.kind { return e.expected[0] }
        return e.answer
    }

    @Test("a learner who answers every exercise right finishes every lesson")
    func allRight() throws {
        let box = try TerminalSandbox()
        let term = try Self.start(box)
        defer { term.terminate() }
        term.line(":tutorial")
        try term.expect("The lease tutorial: \(Lesson.all.count) lessons")
        for (i, lesson) in Lesson.all.enumerated() {
            try term.expect("Lesson \(i + 1) of \(Lesson.all.count): \(lesson.title)")
            for (j, e) in lesson.exercises.enumerated() {
                try term.expect("Exercise \(j + 1) of \(lesson.exercises.count): \(e.question)")
                try term.prompt()
                term.line(Self.rightAnswer(e))
                try term.expect("\nRight!\n", timeout: 20)
            }
            try term.expect("Lesson \(i + 1) done.")
        }
        try term.expect("You have finished the tutorial")
        try term.prompt()
        #expect(Self.progress(box) == "lesson \(Lesson.all.count + 1)\nexercise 1\n")
        // The REPL is itself again: lines are evaluated, and none of the
        // lessons' names leaked into the learner's session.
        try term.evaluate("40 + 2", "42")
        term.line("deal")
        try term.expect("unknown name `deal`")
        try term.prompt()
        term.line(":tutorial")
        try term.expect("You have finished all \(Lesson.all.count) lessons")
        try term.prompt()
    }

    @Test("a wrong answer gets a hint, the third the answer, then the next exercise")
    func wrongAnswers() throws {
        let box = try TerminalSandbox()
        let term = try Self.start(box)
        defer { term.terminate() }
        let first = Lesson.all[0].exercises[0]
        term.line(":tutorial")
        try term.expect("Exercise 1 of 3: \(first.question)")
        try term.prompt()
        term.line("2 + 2")
        try term.expect("\n4\n")
        try term.expect("Hint: \(first.hint). Try again (2 more before the answer).")
        try term.prompt()
        term.line("1 MW +")
        try term.expect("error:")
        try term.expect("That is an error. Hint: \(first.hint). Try again (1 more before the answer).")
        try term.prompt()
        term.line("1000 kW")
        try term.expect("Right value, but write it with `->`.")
        try term.expect("The answer: `\(first.answer)`, which prints \(first.expected[0])")
        try term.expect("Exercise 2 of 3: \(Lesson.all[0].exercises[1].question)")
        try term.prompt()
        // A "what does it print" question wants the value, not the question.
        term.line("30 min   + 3 h")
        try term.expect("That is the question; type what it prints. Hint:")
        try term.prompt()
        term.line("210 min")
        try term.expect("\nRight!\n")
        try term.prompt()
        #expect(Self.progress(box) == "lesson 1\nexercise 3\n")
    }

    @Test("progress survives a restart; :tutorial quit leaves and :tutorial resumes")
    func progressSurvivesRestart() throws {
        let box = try TerminalSandbox()
        do {
            let term = try Self.start(box)
            defer { term.terminate() }
            term.line(":tutorial")
            try term.expect("Exercise 1 of 3")
            try term.prompt()
            term.line(Lesson.all[0].exercises[0].answer)
            try term.expect("\nRight!\n")
            try term.prompt()
            term.line(":tutorial quit")
            try term.expect("Left the tutorial at lesson 1, exercise 2; `:tutorial` resumes.")
            try term.prompt()
            // Out of the tutorial, lines are the REPL's again.
            try term.evaluate("1 + 1", "2")
            term.send("\u{04}")
            #expect(term.waitForExit() == 0)
        }
        #expect(Self.progress(box) == "lesson 1\nexercise 2\n")
        let term = try Self.start(box)
        defer { term.terminate() }
        term.line(":tutorial")
        try term.expect("Welcome back: lesson 1, exercise 2.")
        try term.expect("Lesson 1 of \(Lesson.all.count): \(Lesson.all[0].title)")
        try term.expect("Exercise 2 of 3: \(Lesson.all[0].exercises[1].question)")
        try term.prompt()
    }

    @Test(":tutorial 3 jumps to lesson 3; :tutorial reset starts over")
    func jumpAndReset() throws {
        let box = try TerminalSandbox()
        let term = try Self.start(box)
        defer { term.terminate() }
        try term.enter("let deal = 5")
        term.line(":tutorial 3")
        try term.expect("Lesson 3 of \(Lesson.all.count): \(Lesson.all[2].title)")
        try term.expect("Exercise 1 of 3: \(Lesson.all[2].exercises[0].question)")
        try term.prompt()
        #expect(Self.progress(box) == "lesson 3\nexercise 1\n")
        term.line(Lesson.all[2].exercises[0].answer)
        try term.expect("\nRight!\n")
        try term.prompt()
        #expect(Self.progress(box) == "lesson 3\nexercise 2\n")
        term.line(":tutorial 5")
        try term.expect("Lesson 5 of")
        try term.expect("Exercise 1 of 3")
        try term.prompt()
        term.line(Lesson.all[4].exercises[0].answer)
        try term.expect("\nRight!\n")
        try term.prompt()
        term.line(":tutorial 99")
        try term.expect("usage: :tutorial [N | reset | skip | list | quit]")
        try term.prompt()
        term.line(":tutorial reset")
        try term.expect("Tutorial progress reset.")
        try term.expect("Lesson 1 of \(Lesson.all.count)")
        try term.prompt()
        #expect(Self.progress(box) == "lesson 1\nexercise 1\n")
        term.line(":tutorial quit")
        try term.expect("Left the tutorial")
        try term.prompt()
        // The lesson's `deal` never replaced the learner's.
        try term.evaluate("deal", "5")
    }
}

/// The lessons and the examples cannot drift: each exercise's answer is an
/// expression of its example file, with the output that file expects, and
/// the tutorial's own check accepts it.
@Suite("Tutorial lessons")
struct TutorialLessonTests {
    /// A line's code, without its comment (outside strings).
    static func code(_ line: String) -> String {
        var inString = false
        var out = ""
        for ch in line {
            if ch == "\"" { inString.toggle() }
            if ch == "#" && !inString { break }
            out.append(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    @Test("one lesson per example 01–09, in order")
    func onePerExample() {
        #expect(Lesson.all.count == 9)
        for (i, lesson) in Lesson.all.enumerated() {
            #expect(lesson.example.hasPrefix("examples/0\(i + 1)-"), "\(lesson.example)")
            #expect(FileManager.default.fileExists(atPath: Corpus.root.appendingPathComponent(lesson.example).path))
            #expect(!lesson.exercises.isEmpty)
        }
    }

    @Test("each exercise's answer and expected output are in its example", arguments: Array(Lesson.all.indices))
    func matchesExample(_ index: Int) throws {
        let lesson = Lesson.all[index]
        let text = try String(contentsOfFile: Corpus.root.appendingPathComponent(lesson.example).path, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let expectations = ScriptExpectations.parse(text).outputs
        for e in lesson.exercises {
            guard let i = lines.firstIndex(where: { Self.code($0) == e.answer }) else {
                Issue.record("`\(e.answer)` is not a line of \(lesson.example)")
                continue
            }
            // The expect comment on the line itself, else those right after it.
            var expected = expectations.filter { $0.line == i + 1 }.map(\.text)
            if expected.isEmpty {
                var n = i + 2
                while let x = expectations.first(where: { $0.line == n }), Self.code(lines[n - 1]).isEmpty {
                    expected.append(x.text)
                    n += 1
                }
            }
            #expect(expected == e.expected, "\(lesson.example): `\(e.answer)`")
        }
    }

    @Test("the tutorial's check accepts each answer after the lesson's setup", arguments: Array(Lesson.all.indices))
    func checkAccepts(_ index: Int) {
        let lesson = Lesson.all[index]
        let lines = TutorialLines()
        let session = Tutorial.session(for: lesson, lines: lines)
        for e in lesson.exercises {
            let typed = TutorialTerminalTests.rightAnswer(e)
            #expect(Tutorial.judge(typed, e, in: session, lines: lines, color: false, echo: false) == .right, "\(lesson.title): \(typed)")
            if case .answer = e.kind {
                // The question itself prints the expected value.
                lines.start(echo: false)
                #expect(session.run(SourceFile(name: "<t>", text: e.answer)) == nil)
                #expect(lines.stop() == e.expected, "\(e.answer)")
            }
            #expect(Tutorial.judge("\"nonsense\"", e, in: session, lines: lines, color: false, echo: false) != .right)
        }
    }

    @Test("progress text round-trips; anything out of range starts over")
    func progressFile() {
        let p = TutorialProgress(lesson: 4, exercise: 2)
        #expect(TutorialProgress.parse(p.text) == p)
        #expect(TutorialProgress.parse("garbage") == TutorialProgress())
        #expect(TutorialProgress.parse("lesson 2\nexercise 99\n") == TutorialProgress(lesson: 2, exercise: 1))
        #expect(TutorialProgress.parse("lesson 50\n").isFinished)
    }
}
