import Foundation
import LeaseCore
import LeaseLanguage

/// `:tutorial` (LANGUAGE.md section 13): lessons built from the graded
/// `examples/` series, 01 to 09. Each lesson explains a little, then asks for
/// a few expressions or answers; what the learner types runs in a session of
/// its own, and its printed value is compared with what the example's
/// `# expect:` comment says, as `lease test` would. A wrong answer gets a
/// hint, the third the answer. Progress is kept in `~/.lease_tutorial`.
///
/// The lessons are compiled in, so the binary teaches from any directory; a
/// test compares every exercise with its example file so the two cannot drift.
public struct Lesson: Sendable {
    /// One question of a lesson.
    public struct Exercise: Sendable {
        public enum Kind: Sendable {
            /// Type an expression; it must contain each of these fragments.
            case expression(requires: [String])
            /// Say what `answer` prints: typing the value itself (or any
            /// expression with that value other than `answer`) is right.
            case answer
        }
        public var kind: Kind
        public var question: String
        /// The expression as it is written in the example.
        public var answer: String
        /// The lines the example expects it to print.
        public var expected: [String]
        public var hint: String
    }

    public var title: String
    /// The example file the lesson is drawn from, relative to the repository.
    public var example: String
    public var explanation: String
    /// Declarations from the example that the exercises use; run silently
    /// when the lesson starts.
    public var setup: String
    public var exercises: [Exercise]
}

extension Lesson {
    static func expr(_ question: String, _ answer: String, _ expected: String, requires: [String] = [], hint: String) -> Exercise {
        Exercise(kind: .expression(requires: requires), question: question, answer: answer, expected: [expected], hint: hint)
    }

    static func say(_ question: String, _ answer: String, _ expected: String, hint: String) -> Exercise {
        Exercise(kind: .answer, question: question, answer: answer, expected: [expected], hint: hint)
    }

    /// The lessons, in order: one per example file 01–09.
    public static let all: [Lesson] = [
        Lesson(
            title: "Numbers and units", example: "examples/01-numbers-and-units.lease",
            explanation: """
                Every line that is just an expression prints its value. Numbers take
                scale suffixes (300k, 1.25B) and units (300 MW, 90 days, 220_000 gpu).
                `->` (or `to`) converts for display; it never changes the dimension.
                `+` and `-` need the same dimension, and the result keeps the LEFT unit.
                `*` and `/` combine dimensions: power × time is energy.
                """,
            setup: "",
            exercises: [
                expr("Convert 1 MW to kW with `->`.", "1 MW -> kW", "1,000 kW", requires: ["->"],
                     hint: "write the quantity, then `->` and the unit: `1 MW -> …`"),
                say("What does `30 min + 3 h` print? Type the value.", "30 min + 3 h", "210 min",
                    hint: "the result keeps the left unit, minutes; 3 h is 180 min"),
                expr("One month of Colossus 1 at full power: multiply 300 MW by 730.485 h and show it in MWh.",
                     "300 MW * 730.485 h -> MWh", "219,146 MWh", requires: ["*", "->"],
                     hint: "`300 MW * 730.485 h` is energy; add `-> MWh`"),
            ]),
        Lesson(
            title: "Money and exchange rates", example: "examples/02-money-and-fx.lease",
            explanation: """
                Money is a quantity whose unit is a currency: $1.25B, €3M, ₩1.87T, 1.5M CHF.
                Each currency is its own dimension, so dollars and won never mix by accident.
                Money per something is a rate, and `->` re-expresses it per another unit.
                Exchange rates are declared, never fetched. This lesson has declared
                  fx 1 USD = 1500 KRW
                  fx 1 EUR = 1.08 USD
                and rates work both ways and chain (EUR -> USD -> KRW).
                """,
            setup: "fx 1 USD = 1500 KRW\nfx 1 EUR = 1.08 USD",
            exercises: [
                expr("Express $1.25B a month as dollars per day.", "$1.25B / month -> $/day", "$41.069M/day",
                     requires: ["->"], hint: "`$1.25B / month` is a rate; convert it with `-> $/day`"),
                expr("Convert $45B to Korean won.", "$45B -> KRW", "₩67.5T", requires: ["->"],
                     hint: "`-> KRW` converts through the declared rate"),
                expr("No EUR/KRW rate is declared. Convert €1M to KRW anyway.", "€1M -> KRW", "₩1.62B", requires: ["->"],
                     hint: "rates chain through USD: just write `€1M -> KRW`"),
            ]),
        Lesson(
            title: "Dates and durations", example: "examples/03-dates-and-durations.lease",
            explanation: """
                A date is a month (2026-05) or a day (2026-05-20), ISO 8601.
                Days move by days; months and years move by CALENDAR months, clamping to
                the end of a shorter month. The difference of two dates is in days.
                `a .. b` is a range that includes both ends; months step by one month.
                """,
            setup: "",
            exercises: [
                expr("Which day is 90 days after 2026-05-20? Type an expression.", "2026-05-20 + 90 days", "2026-08-18",
                     hint: "add a duration to a day: `2026-05-20 + 90 days`"),
                expr("How many billed months are in 2026-05 .. 2029-05? Use count(…).", "count(2026-05 .. 2029-05)", "37",
                     requires: ["count("], hint: "`count(…)` of the range `2026-05 .. 2029-05`"),
                say("What does `2026-01-31 + 1 month` print? Type the date.", "2026-01-31 + 1 month", "2026-02-28",
                    hint: "a month later is a calendar month later, clamped to the end of February"),
            ]),
        Lesson(
            title: "Clusters and capacity", example: "examples/04-clusters-and-capacity.lease",
            explanation: """
                A cluster is a data center: its power and its accelerators. Contracts
                lease a share of it, and `share` applies to the cluster's power and gpus.
                Read fields with a dot. capacity(k, at: month) is a record of what is
                leased and what is free. This lesson has declared cluster colossus2
                (1 GW, 550,000 gpus) and two contracts on it: lab_a (25%, from 2026-07,
                $500M/month) and lab_b (40%, during 2027, $700M/month).
                """,
            setup: """
                cluster colossus2 { owner: "xAI"; site: "Memphis, TN"; power: 1 GW; gpus: 550_000 gpu; gpu_model: "GB200" }
                contract lab_a { lessor: "xAI"; lessee: "Lab A"; cluster: colossus2; share: 25%; start: 2026-07; end: 2029-06; rate: $500M / month }
                contract lab_b { lessor: "xAI"; lessee: "Lab B"; cluster: colossus2; share: 40%; start: 2027-01; end: 2027-12; rate: $700M / month }
                """,
            exercises: [
                expr("How many GPUs does lab_a lease? Read the field with a dot.", "lab_a.gpus", "137,500 gpus",
                     requires: ["."], hint: "a contract's derived field: `lab_a.gpus`"),
                expr("What does a GPU-hour cost under lab_a? Divide its rate by its gpus, in $/gpu/h.",
                     "lab_a.rate / lab_a.gpus -> $/gpu/h", "$4.98/gpu/h", requires: ["->"],
                     hint: "`lab_a.rate / lab_a.gpus`, then `-> $/gpu/h`"),
                expr("Which share of colossus2 is leased in 2027-03? Use capacity(…, at: …) and its field `leased`.",
                     "capacity(colossus2, at: 2027-03).leased", "65%", requires: ["capacity("],
                     hint: "`capacity(colossus2, at: 2027-03)` is a record; add `.leased`"),
            ]),
        Lesson(
            title: "Contracts and queries", example: "examples/05-contracts-and-queries.lease",
            explanation: """
                A contract says who pays whom, for which cluster, from which month to
                which month, at what rate. A month's payment is
                  rate × (1 + escalation)^(whole years since start) × (1 − discount of the month)
                total(c) sums every payment; npv(c, 8%) discounts them; and
                `c with {field: value}` is a re-checked copy for what-ifs.
                This lesson has declared contract deal: $500M/month from 2026-07 to
                2029-05, 30% off the first month, +3% on each anniversary.
                """,
            setup: """
                cluster colossus2 { owner: "xAI"; site: "Memphis, TN"; power: 1 GW; gpus: 550_000 gpu }
                contract deal { lessor: "xAI"; lessee: "Lab A"; cluster: colossus2; share: 25%; start: 2026-07; end: 2029-05; rate: $500M / month; discounts: [2026-07: 30%]; escalation: 3%; notice: 90 days }
                """,
            exercises: [
                expr("What does deal pay in 2027-07, its first anniversary? Use payment(…).", "payment(deal, 2027-07)", "$515M",
                     requires: ["payment("], hint: "`payment(deal, MONTH)` with the month 2027-07"),
                expr("What is deal worth over its whole term?", "total(deal)", "$17.865B", requires: ["total("],
                     hint: "`total(…)` sums every payment"),
                expr("What if the rate were $450M / month? The total of a copy of deal made with `with`.",
                     "total(deal with {rate: $450M / month})", "$16.078B", requires: ["with"],
                     hint: "`deal with {rate: $450M / month}` is the changed copy; take its total"),
            ]),
        Lesson(
            title: "Termination and what-ifs", example: "examples/06-termination-what-ifs.lease",
            explanation: """
                Most lease questions are "what if someone walks away?".
                terminate(c, notice_on: day) is a shortened copy of the contract: notice on
                day d takes effect on d + notice. exposure(c, at: day) is what the payer
                still owes if it gives notice that day (the month of the notice included).
                This lesson has declared contract bridge ($100M/month, 2026-05 to 2027-04,
                90 days' notice) and long_notice = bridge with {notice: 180 days}.
                """,
            setup: """
                cluster memphis { power: 300 MW; gpus: 220_000 gpu }
                contract bridge { lessor: "xAI"; lessee: "Lab A"; cluster: memphis; start: 2026-05; end: 2027-04; rate: $100M / month; notice: 90 days }
                let long_notice = bridge with {notice: 180 days}
                """,
            exercises: [
                expr("Notice given in the month 2026-07 means on its first day. When does bridge end then? Read `.end` of terminate(…).",
                     "terminate(bridge, notice_on: 2026-07).end", "2026-09-29", requires: ["terminate("],
                     hint: "`terminate(bridge, notice_on: 2026-07)` is the shortened contract; add `.end`"),
                expr("How much does the lessee still owe if it gives notice on 2026-07-15?", "exposure(bridge, at: 2026-07-15)",
                     "$341.935M", requires: ["exposure("], hint: "`exposure(bridge, at: DAY)`"),
                expr("And under long_notice, with 180 days' notice?", "exposure(long_notice, at: 2026-07-15)", "$635.484M",
                     requires: ["long_notice"], hint: "the same exposure, of `long_notice`"),
            ]),
        Lesson(
            title: "Scenarios", example: "examples/07-scenarios.lease",
            explanation: """
                A scenario declares the unknowns once; `run` evaluates one expression for
                every case and summarizes the answers. A grid tries every combination.
                This lesson has declared the Colossus 1 deal (anthropic), the grid
                  scenario early_exit { notice_on: 2026-05-01 .. 2026-08-31; discount: 0% .. 60% step 20% }
                and r = run early_exit: exposure(anthropic with {discounts: …}, at: notice_on).
                A result answers .n .mean .min .max .p95 and percentile(r, p).
                """,
            setup: """
                cluster colossus1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
                contract anthropic { lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1; start: 2026-05; end: 2029-05; rate: $1.25B / month; discounts: [2026-05: 50%, 2026-06: 50%]; notice: 90 days }
                scenario early_exit { notice_on: 2026-05-01 .. 2026-08-31; discount: 0% .. 60% step 20% }
                let r = run early_exit: exposure(anthropic with {discounts: [2026-05: discount, 2026-06: discount]}, at: notice_on)
                """,
            exercises: [
                expr("How many rows (cases) does r have?", "r.n", "492", requires: ["r."],
                     hint: "a run result's field `.n`: `r.n`"),
                expr("95% of the cases owe at most how much? Read r's 95th percentile.", "r.p95", "$4.839B", requires: ["r"],
                     hint: "the field is `.p95`"),
                expr("Any percentile is exact: the 99th percentile of r, with percentile(…).", "percentile(r, 99%)", "$4.919B",
                     requires: ["percentile("], hint: "`percentile(r, 99%)`"),
            ]),
        Lesson(
            title: "Returns", example: "examples/08-returns.lease",
            explanation: """
                npv(c, r, at: m) values, on the first day of m's month, the payments from
                that month on. irr(c, price: p) is the annual rate at which paying p at the
                start buys the payments: npv(c, irr(c, price: p)) == p. For lists,
                npv(xs, r) and irr(xs) follow numpy-financial; xnpv and xirr follow Excel.
                `solve x in a .. b: lhs == rhs` finds the x where the two sides meet.
                asc842(c, r) and ifrs16(c, r) are the lessee's lease tables.
                This lesson has declared the Colossus 1 deal (anthropic: $1.25B/month,
                2026-05 to 2029-05, 50% off May and June 2026).
                """,
            setup: """
                cluster colossus1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
                contract anthropic { lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1; start: 2026-05; end: 2029-05; rate: $1.25B / month; discounts: [2026-05: 50%, 2026-06: 50%]; notice: 90 days }
                """,
            exercises: [
                expr("What are the payments from May 2027 on worth on 2027-05-01, at 8%? Use npv(…) with `at:`.",
                     "npv(anthropic, 8%, at: 2027-05)", "$28.966B", requires: ["at:"],
                     hint: "`npv(anthropic, 8%, at: 2027-05)`"),
                expr("Which annual rate would an investor earn paying $30B for the whole deal? Use irr(…) with `price:`.",
                     "irr(anthropic, price: $30B)", "32.6598%", requires: ["price:"],
                     hint: "`irr(anthropic, price: $30B)`"),
                expr("Which discount d on May and June 2026 makes the deal worth $40B at 8%? Solve for it between 0% and 100%.",
                     "solve d in 0% .. 100%: npv(anthropic with {discounts: [2026-05: d, 2026-06: d]}, 8%) == $40B",
                     "52.3339%", requires: ["solve"],
                     hint: "`solve d in 0% .. 100%: npv(anthropic with {discounts: [2026-05: d, 2026-06: d]}, 8%) == $40B`"),
                expr("How many rows (months) does the ASC 842 table of anthropic at 5% have? Count them.",
                     "count(asc842(anthropic, 5%))", "37", requires: ["asc842("],
                     hint: "`asc842(anthropic, 5%)` is a table; `count(…)` counts its rows"),
            ]),
        Lesson(
            title: "Deal terms", example: "examples/09-deal-terms.lease",
            explanation: """
                Optional contract fields: timing ("advance" or "arrears"), termination_fee
                (an amount, or a duration such as 3 months of rent), minimum (take-or-pay:
                termination bills the shortfall), usage with utilization (a metered part),
                escalation by an index map, and renewal ({months: 6, rate: …}, used by
                renew(c) and renew(c, times: 2)). Every query honours them.
                This lesson has declared contract bridge ($100M/month, 2026-05 to 2027-04,
                60% of cluster memphis, 90 days' notice) and
                  with_fee = bridge with {termination_fee: $50M}
                  committed = bridge with {minimum: $1B}
                  renewable = bridge with {renewal: {months: 6, rate: $120M / month}}
                """,
            setup: """
                cluster memphis { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
                contract bridge { lessor: "xAI"; lessee: "Lab A"; cluster: memphis; share: 60%; start: 2026-05; end: 2027-04; rate: $100M / month; notice: 90 days }
                let with_fee = bridge with {termination_fee: $50M}
                let committed = bridge with {minimum: $1B}
                let renewable = bridge with {renewal: {months: 6, rate: $120M / month}}
                """,
            exercises: [
                expr("What does the lessee still owe under with_fee if it gives notice on 2026-07-15?",
                     "exposure(with_fee, at: 2026-07-15)", "$391.935M", requires: ["with_fee"],
                     hint: "`exposure(with_fee, at: DAY)`: the fee is billed when the notice takes effect"),
                expr("And under committed, whose $1B minimum bills the shortfall?", "exposure(committed, at: 2026-07-15)",
                     "$800M", requires: ["committed"], hint: "the same exposure, of `committed`"),
                expr("Renew renewable twice with renew(…, times: 2). When does it end then? Read `.end`.",
                     "renew(renewable, times: 2).end", "2028-04", requires: ["times:"],
                     hint: "`renew(renewable, times: 2)` is the renewed copy; add `.end`"),
            ]),
    ]
}

/// Where a learner is: lesson and exercise, both from 1; lesson
/// `Lesson.all.count + 1` means finished.
public struct TutorialProgress: Equatable, Sendable {
    public var lesson: Int
    public var exercise: Int

    public init(lesson: Int = 1, exercise: Int = 1) {
        self.lesson = lesson
        self.exercise = exercise
    }

    public var isFinished: Bool { lesson > Lesson.all.count }

    /// `$HOME/.lease_tutorial`.
    public static var defaultPath: String? {
        guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".lease_tutorial")
    }

    /// The text kept in the file: two lines, `lesson N` and `exercise N`.
    public var text: String { "lesson \(lesson)\nexercise \(exercise)\n" }

    /// Reads the file's text; anything unreadable or out of range starts over.
    public static func parse(_ text: String) -> TutorialProgress {
        var p = TutorialProgress()
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            guard words.count == 2, let n = Int(words[1]), n >= 1 else { continue }
            if words[0] == "lesson" { p.lesson = min(n, Lesson.all.count + 1) }
            if words[0] == "exercise" { p.exercise = n }
        }
        if p.isFinished {
            p.exercise = 1
        } else if p.exercise > Lesson.all[p.lesson - 1].exercises.count {
            p.exercise = 1
        }
        return p
    }

    public static func load(from path: String?) -> TutorialProgress {
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return TutorialProgress() }
        return parse(text)
    }
}

/// The tutorial's state in one REPL: whether it is on, where the learner
/// is, and the session the exercises run in (apart from the REPL's own, so
/// the lessons' declarations never replace the learner's).
final class Tutorial {
    private(set) var isActive = false
    private(set) var progress = TutorialProgress()
    private var wrongTries = 0
    private var session: Session?
    private let lines = TutorialLines()
    private let replSession: Session
    private let color: Bool
    /// Where progress is kept; nil keeps it for this run only.
    let path: String?

    init(sharingEngineOf replSession: Session, color: Bool, path: String? = TutorialProgress.defaultPath) {
        self.replSession = replSession
        self.color = color
        self.path = path
    }

    static let usage = ":tutorial [N | reset | skip | list | quit]"

    /// `:tutorial ARG`.
    func command(_ arg: String) {
        let words = arg.split(separator: " ").map(String.init)
        switch words.first ?? "" {
        case "":
            // Without a home directory, progress lasts as long as this REPL.
            if path != nil { progress = TutorialProgress.load(from: path) }
            if progress.isFinished {
                write("You have finished all \(Lesson.all.count) lessons. `:tutorial N` goes back to lesson N; `:tutorial reset` starts over.")
                return
            }
            isActive = true
            if progress != TutorialProgress() {
                write("Welcome back: lesson \(progress.lesson), exercise \(progress.exercise). (`:tutorial quit` leaves; progress is kept.)")
            } else {
                write("The lease tutorial: \(Lesson.all.count) lessons from the examples. Type each answer at the prompt;"
                      + " `:tutorial quit` leaves and your progress is kept.")
            }
            startLesson()
        case "reset":
            progress = TutorialProgress()
            save()
            write("Tutorial progress reset.")
            isActive = true
            startLesson()
        case "quit", "stop", "exit":
            if isActive {
                isActive = false
                session = nil
                write("Left the tutorial at lesson \(progress.lesson), exercise \(progress.exercise); `:tutorial` resumes.")
            } else {
                write("The tutorial is not running; `:tutorial` starts it.")
            }
        case "skip":
            guard isActive else { return writeError("error: the tutorial is not running\n  help: `:tutorial` starts it") }
            write("Skipped.")
            advance()
        case "list":
            let current = isActive || path == nil ? progress : TutorialProgress.load(from: path)
            for (i, l) in Lesson.all.enumerated() {
                let mark = i + 1 < current.lesson ? "✓" : i + 1 == current.lesson ? "›" : " "
                write("\(mark) \(i + 1). \(l.title)  (\(l.example))")
            }
        default:
            guard words.count == 1, let n = Int(words[0]), n >= 1, n <= Lesson.all.count else {
                return writeError("usage: \(Self.usage)\n  help: the lessons are 1 to \(Lesson.all.count); `:tutorial list` shows them")
            }
            progress = TutorialProgress(lesson: n, exercise: 1)
            save()
            isActive = true
            startLesson()
        }
    }

    /// A line the learner typed while the tutorial is on.
    func answer(_ input: String) {
        guard isActive, !progress.isFinished else { return }
        let exercise = Lesson.all[progress.lesson - 1].exercises[progress.exercise - 1]
        let typed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        switch Self.judge(typed, exercise, in: ensureSession(), lines: lines, color: color) {
        case .right:
            write("Right!")
            advance()
        case .wrong(let note):
            wrongTries += 1
            if wrongTries >= 3 {
                write((note.map { $0 + " " } ?? "") + "The answer: `\(exercise.answer)`, which prints \(exercise.expected.joined(separator: "\n"))")
                advance()
            } else {
                write((note.map { $0 + " " } ?? "Not quite. ") + "Hint: \(exercise.hint). Try again (\(3 - wrongTries) more before the answer).")
            }
        }
    }

    enum Verdict: Equatable {
        case right
        /// A note that says why, beyond the hint.
        case wrong(String?)
    }

    /// Runs what the learner typed and compares what it prints with what the
    /// example expects, line for line, as `# expect:` does.
    static func judge(_ typed: String, _ exercise: Lesson.Exercise, in session: Session, lines: TutorialLines,
                      color: Bool, echo: Bool = true) -> Verdict {
        let squeezed = typed.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if case .answer = exercise.kind {
            if squeezed == exercise.answer { return .wrong("That is the question; type what it prints.") }
            if exercise.expected.count == 1 && squeezed == exercise.expected[0] { return .right }
        }
        lines.start(echo: echo)
        let error = session.run(SourceFile(name: "<tutorial>", text: typed))
        let printed = lines.stop()
        if let error {
            FileHandle.standardError.write(Data((error.render(color: color) + "\n").utf8))
            return .wrong("That is an error.")
        }
        guard printed == exercise.expected else { return .wrong(printed.isEmpty ? "That prints nothing." : nil) }
        if case .expression(let requires) = exercise.kind {
            for r in requires where !typed.contains(r) { return .wrong("Right value, but write it with `\(r)`.") }
        }
        return .right
    }

    private func advance() {
        wrongTries = 0
        let lessons = Lesson.all
        if progress.exercise < lessons[progress.lesson - 1].exercises.count {
            progress.exercise += 1
            save()
            showExercise()
            return
        }
        write("Lesson \(progress.lesson) done.")
        progress = TutorialProgress(lesson: progress.lesson + 1, exercise: 1)
        save()
        if progress.isFinished {
            isActive = false
            session = nil
            write("You have finished the tutorial: all \(lessons.count) lessons. Try the examples in full with"
                  + " `:load examples/01-numbers-and-units.lease`, or check your own scripts with `lease test FILE`.")
            return
        }
        startLesson()
    }

    /// A fresh session with the lesson's declarations, then the lesson's
    /// text and its current exercise.
    private func startLesson() {
        wrongTries = 0
        session = nil
        _ = ensureSession()
        let lesson = Lesson.all[progress.lesson - 1]
        write("")
        write("Lesson \(progress.lesson) of \(Lesson.all.count): \(lesson.title)   (\(lesson.example))")
        write("")
        write(lesson.explanation)
        showExercise()
    }

    private func showExercise() {
        let lesson = Lesson.all[progress.lesson - 1]
        write("")
        write("Exercise \(progress.exercise) of \(lesson.exercises.count): \(lesson.exercises[progress.exercise - 1].question)")
    }

    private func ensureSession() -> Session {
        if let session { return session }
        let s = Self.session(for: Lesson.all[min(progress.lesson, Lesson.all.count) - 1], lines: lines)
        s.engine = replSession.engine
        s.threads = replSession.threads
        session = s
        return s
    }

    /// A session that has run a lesson's setup; its output goes to `lines`.
    static func session(for lesson: Lesson, lines: TutorialLines) -> Session {
        let s = Session { event in lines.append(OutputFormat.text.render(event)) }
        if !lesson.setup.isEmpty, let d = s.run(SourceFile(name: "<tutorial setup>", text: lesson.setup)) {
            FileHandle.standardError.write(Data((d.render(color: false) + "\n").utf8))
        }
        return s
    }

    private func save() {
        guard let path else { return }
        do throws(FileError) {
            try SafeFile.write(progress.text, to: path)
        } catch {
            writeError("error: cannot keep tutorial progress: \(error)")
        }
    }

    private func write(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    private func writeError(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}

/// What the tutorial's session prints while an answer runs: kept to compare,
/// and shown to the learner as the REPL would show it.
final class TutorialLines: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    private var recording = false
    private var echo = true

    func start(echo: Bool) {
        lock.lock()
        items = []
        recording = true
        self.echo = echo
        lock.unlock()
    }

    func stop() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        recording = false
        return items
    }

    func append(_ s: String) {
        lock.lock()
        let show = recording && echo
        if recording {
            items.append(contentsOf: s.split(separator: "\n", omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters(in: .whitespaces)
            })
        }
        lock.unlock()
        if show { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
    }
}
