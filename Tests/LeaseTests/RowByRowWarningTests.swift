import Foundation
import Testing

/// A large run that still goes row by row says so, once, on stderr, with
/// the reason (issue 11); `LEASE_ENGINE_TRACE=1` and `LEASE_ENGINE=scalar`
/// work as before.
@Suite("row-by-row warning", .serialized)
struct RowByRowWarningTests {
    /// A draw inside `if` runs row by row: the scalar evaluator draws only in the branch it takes.
    static func script(samples: Int) -> String {
        """
        scenario sc {
          x: if 1 > 0 then uniform(1, 2) else 0
          samples: \(samples)
          seed: 7
        }
        (run sc: x * 2).n

        """
    }

    static func write(_ text: String) throws -> (URL, URL) {
        let dir = try CLI.tempDirectory()
        let file = dir.appendingPathComponent("slow.lease")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    @Test("more than 100,000 rows row by row: one warning naming the reason")
    func warns() throws {
        let (dir, file) = try Self.write(Self.script(samples: 100_001))
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run([file.path], environment: ["LEASE_ENGINE_TRACE": nil, "LEASE_ENGINE": nil])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "100,001\n")
        #expect(r.stderr.components(separatedBy: "warning:").count == 2, "one warning: \(r.stderr)")
        #expect(r.stderr.contains("slow.lease:6:"), "file:line:col: \(r.stderr)")
        #expect(r.stderr.contains("warning: `sc` runs row by row (100,001 rows)"), "\(r.stderr)")
        #expect(r.stderr.contains("a distribution inside `if`"), "the reason: \(r.stderr)")
    }

    @Test("no warning for a small run, or when the row-by-row evaluator is asked for")
    func quiet() throws {
        let (dir, file) = try Self.write(Self.script(samples: 100_000))
        defer { try? FileManager.default.removeItem(at: dir) }
        let small = try CLI.run([file.path], environment: ["LEASE_ENGINE_TRACE": nil, "LEASE_ENGINE": nil])
        #expect(small.status == 0)
        #expect(small.stderr.isEmpty, "\(small.stderr)")
        let (dir2, big) = try Self.write(Self.script(samples: 150_000))
        defer { try? FileManager.default.removeItem(at: dir2) }
        let scalar = try CLI.run([big.path], environment: ["LEASE_ENGINE": "scalar", "LEASE_ENGINE_TRACE": nil])
        #expect(scalar.status == 0)
        #expect(scalar.stdout == "150,000\n")
        #expect(scalar.stderr.isEmpty, "LEASE_ENGINE=scalar is a choice, not a fallback: \(scalar.stderr)")
    }

    @Test("LEASE_ENGINE_TRACE=1 still names every fallback, small runs too")
    func trace() throws {
        let (dir, file) = try Self.write(Self.script(samples: 1_000))
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run([file.path], environment: ["LEASE_ENGINE_TRACE": "1", "LEASE_ENGINE": nil])
        #expect(r.status == 0)
        #expect(r.stderr == "lease: running `sc` row by row: a distribution inside `if`\n", "\(r.stderr)")
    }
}
