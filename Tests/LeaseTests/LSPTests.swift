import Foundation
import LeaseLSP
import Testing

/// `lease lsp` as an editor drives it (LANGUAGE.md section 13, docs/editors.md):
/// the built binary is spawned and spoken to over pipes with framed JSON-RPC.
@Suite("Language server", .serialized)
struct LSPTests {
    static let script = """
        cluster colossus1 {
          owner: "xAI"
          power: 300 MW
          gpus: 220_000 gpu
        }
        contract anthropic {
          lessor: "xAI"; lessee: "Anthropic"
          cluster: colossus1
          start: 2026-05; end: 2029-05
          rate: $1.25B / month
          notice: 90 days
        }
        let label = "₩ → €"; let bad = $1B + 300 MW
        let k = $1.25B / month * 36 months

        """

    @Test("initialize, diagnostics as you type, hover, completion, definition, symbols, shutdown and exit 0")
    func session() throws {
        let c = try LSPClient()
        let caps = try c.initialize()
        #expect(LSPJSON(caps)["capabilities"]["hoverProvider"].bool == true)
        #expect(LSPJSON(caps)["capabilities"]["textDocumentSync"]["change"].int == 1)
        let uri = "file:///tmp/lsp-test/deal.lease"

        // A dimension error after non-ASCII text: the range counts UTF-16 units.
        c.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "lease", "version": 1, "text": Self.script]])
        let open = try c.diagnostics(uri)
        #expect(open["version"].int == 1)
        let ds = open["diagnostics"].array
        try #require(ds.count == 1, "\(ds.map(\.value))")
        #expect(ds[0]["severity"].int == 1)
        #expect(ds[0]["message"].string?.contains("USD") == true)
        #expect(ds[0]["message"].string?.contains("power") == true)
        // `let label = "₩ → €"; let bad = ` is 31 UTF-16 units (and 37 bytes) before `$1B`.
        #expect(ds[0]["range"]["start"]["line"].int == 12)
        #expect(ds[0]["range"]["start"]["character"].int == 31)
        #expect(ds[0]["range"]["end"]["line"].int == 12)
        #expect(ds[0]["range"]["end"]["character"].int == 43)

        // Fixing it clears the diagnostics.
        let fixed = Self.script.replacingOccurrences(of: "$1B + 300 MW", with: "$1B + $300M")
        c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 2], "contentChanges": [["text": fixed]]])
        let clean = try c.diagnostics(uri)
        #expect(clean["version"].int == 2)
        #expect(clean["diagnostics"].array.isEmpty, "\(clean.value)")

        // Hover: the dimension of a quantity, a declaration's text, a constant's value.
        let h = try c.request("textDocument/hover", Self.at(uri, 2, 10))
        #expect(h["contents"]["value"].string?.contains("quantity of power") == true, "\(h.value)")
        #expect(h["range"]["start"]["character"].int == 9)
        #expect(h["range"]["end"]["character"].int == 15)
        let hk = try c.request("textDocument/hover", Self.at(uri, 13, 4))
        #expect(hk["contents"]["value"].string?.contains("$45B") == true, "\(hk.value)")
        let hc = try c.request("textDocument/hover", Self.at(uri, 5, 12))
        #expect(hc["contents"]["value"].string?.contains("contract anthropic {") == true, "\(hc.value)")

        // Completion: fields after `anthropic.`, units after `3 `, built-ins with signatures.
        let dot = fixed + "anthropic."
        c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 3], "contentChanges": [["text": dot]]])
        _ = try c.diagnostics(uri)
        let fields = try c.request("textDocument/completion", Self.at(uri, 14, 10))["items"].array.compactMap { $0["label"].string }
        for f in ["rate", "gpus", "notice", "start", "cluster", "months"] { #expect(fields.contains(f), "\(fields)") }
        #expect(!fields.contains("npv"))

        let three = fixed + "let q = 3 "
        c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 4], "contentChanges": [["text": three]]])
        _ = try c.diagnostics(uri)
        let units = try c.request("textDocument/completion", Self.at(uri, 14, 10))["items"].array.compactMap { $0["label"].string }
        for u in ["MW", "days", "month", "gpu", "USD"] { #expect(units.contains(u), "\(units.prefix(30))") }
        #expect(!units.contains("anthropic"))

        let date = fixed + "let d = 2026-06-01 "
        c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 40], "contentChanges": [["text": date]]])
        _ = try c.diagnostics(uri)
        let afterDate = try c.request("textDocument/completion", Self.at(uri, 14, 19))["items"].array.compactMap { $0["label"].string }
        #expect(!afterDate.contains("MW"), "a date is not followed by a unit")

        let np = fixed + "np"
        c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 5], "contentChanges": [["text": np]]])
        _ = try c.diagnostics(uri)
        let items = try c.request("textDocument/completion", Self.at(uri, 14, 2))["items"].array
        let npv = items.first { $0["label"].string == "npv" }
        #expect(npv?["detail"].string == "npv(c, r, at?)", "\(items.map(\.value))")
        let names = try c.request("textDocument/completion", Self.at(uri, 14, 0))["items"].array.compactMap { $0["label"].string }
        for n in ["anthropic", "colossus1", "k", "total", "let"] { #expect(names.contains(n), "\(names.prefix(40))") }

        // Definition of a contract name: its declaration.
        c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 6], "contentChanges": [["text": fixed + "total(anthropic)\n"]]])
        _ = try c.diagnostics(uri)
        let def = try c.request("textDocument/definition", Self.at(uri, 14, 8))
        #expect(def["uri"].string == uri)
        #expect(def["range"]["start"]["line"].int == 5)
        #expect(def["range"]["start"]["character"].int == 9)
        #expect(def["range"]["end"]["character"].int == 18)
        let defCluster = try c.request("textDocument/definition", Self.at(uri, 7, 14))
        #expect(defCluster["range"]["start"]["line"].int == 0, "\(defCluster.value)")

        // Document symbols: the declarations, with their fields.
        let symbols = try c.request("textDocument/documentSymbol", ["textDocument": ["uri": uri]]).array
        #expect(symbols.compactMap { $0["name"].string } == ["colossus1", "anthropic", "label", "bad", "k"])
        #expect(symbols[1]["children"].array.compactMap { $0["name"].string }.contains("rate"))

        // Unknown methods are refused, and the server goes on.
        let unknown = try c.requestRaw("lease/bogus", [:])
        #expect(unknown["error"]["code"].int == -32601)

        #expect(try c.shutdown() == 0)
    }

    @Test("definitions and diagnostics reach across `use`d files")
    func acrossUse() throws {
        let dir = try CLI.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try """
            cluster k1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 1000 gpu }
            contract deal { lessor: "xAI"; lessee: "A"; cluster: k1; start: 2026-05; end: 2026-12; rate: $1M / month; notice: 90 days }
            fn double(x) = x * 2

            """.write(to: dir.appendingPathComponent("lib/deal.lease"), atomically: true, encoding: .utf8)
        try "let oops = 1 MW + $1\n".write(to: dir.appendingPathComponent("lib/bad.lease"), atomically: true, encoding: .utf8)
        let main = dir.appendingPathComponent("main.lease")
        let text = "use \"lib/deal.lease\"\ntotal(deal)\ndouble(deal.rate)\nuse \"lib/bad.lease\"\n"
        try text.write(to: main, atomically: true, encoding: .utf8)
        let uri = main.absoluteString

        let c = try LSPClient()
        _ = try c.initialize()
        c.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "lease", "version": 1, "text": text]])
        let ds = try c.diagnostics(uri)["diagnostics"].array
        try #require(ds.count == 1, "\(ds.map(\.value))")
        #expect(ds[0]["range"]["start"]["line"].int == 3, "shown on the `use` that brings it in")
        #expect(ds[0]["message"].string?.contains("bad.lease:1:") == true, "\(ds[0].value)")
        #expect(ds[0]["relatedInformation"].array.first?["location"]["uri"].string?.hasSuffix("lib/bad.lease") == true)

        let def = try c.request("textDocument/definition", Self.at(uri, 1, 8))
        #expect(def["uri"].string?.hasSuffix("lib/deal.lease") == true, "\(def.value)")
        #expect(def["range"]["start"]["line"].int == 1)
        #expect(def["range"]["start"]["character"].int == 9)
        let fn = try c.request("textDocument/definition", Self.at(uri, 2, 2))
        #expect(fn["uri"].string?.hasSuffix("lib/deal.lease") == true)
        #expect(fn["range"]["start"]["line"].int == 2)
        let field = try c.request("textDocument/definition", Self.at(uri, 2, 13))
        #expect(field["range"]["start"]["line"].int == 1, "`deal.rate` goes to the `rate:` field: \(field.value)")
        let file = try c.request("textDocument/definition", Self.at(uri, 0, 8))
        #expect(file["uri"].string?.hasSuffix("lib/deal.lease") == true)
        let hover = try c.request("textDocument/hover", Self.at(uri, 2, 13))
        #expect(hover["contents"]["value"].string?.contains("USD") == true, "\(hover.value)")
        #expect(try c.shutdown() == 0)
    }

    @Test("hover types a function's body as called, a run's parameters, and statements that did not check")
    func hoverInside() throws {
        let text = """
            fn f(x) = x * 2 + 1 MW
            f(3 MW)
            let bad = $1B + 300 MW
            scenario mc { rate: uniform($1B, $2B); samples: 10; seed: 1 }
            let r = run mc: rate * 2
            r.

            """
        let uri = "file:///tmp/lsp-test/inside.lease"
        let c = try LSPClient()
        _ = try c.initialize()
        c.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": text]])
        let ds = try c.diagnostics(uri)["diagnostics"].array
        #expect(ds.count == 2, "the dimension error and the unfinished `r.`: \(ds.map(\.value))")
        func hover(_ line: Int, _ ch: Int) throws -> String {
            try c.request("textDocument/hover", Self.at(uri, line, ch))["contents"]["value"].string ?? ""
        }
        #expect(try hover(0, 10).contains("quantity of power"), "x as `f(3 MW)` calls it")
        #expect(try hover(2, 11).contains("quantity of USD"), "`$1B` in a statement that did not check")
        #expect(try hover(4, 17).contains("scenario parameter"))
        #expect(try hover(4, 9).contains("run result"))
        let def = try c.request("textDocument/definition", Self.at(uri, 4, 17))
        #expect(def["range"]["start"]["line"].int == 3)
        #expect(def["range"]["start"]["character"].int == 14)
        let stats = try c.request("textDocument/completion", Self.at(uri, 5, 2))["items"].array.compactMap { $0["label"].string }
        #expect(stats == ["n", "mean", "sd", "min", "max", "p5", "p50", "p95"])
        #expect(try c.shutdown() == 0)
    }

    @Test("malformed input is answered or skipped, and the server goes on")
    func malformed() throws {
        let c = try LSPClient()
        // Before initialize, requests are refused.
        #expect(try c.requestRaw("textDocument/hover", [:])["error"]["code"].int == -32002)
        _ = try c.initialize()
        c.raw(Array("Content-Length: 8\r\n\r\nnot json".utf8))
        #expect(try c.next()["error"]["code"].int == -32700)
        c.raw(Array("Content-Type: x\r\n\r\n".utf8))  // no length: skipped
        c.raw(Array("Content-Length: banana\r\n\r\n".utf8))  // no usable length: skipped
        c.raw(Array("content-length: 2\n\n[]".utf8))  // lower case and bare newlines are accepted
        #expect(try c.next()["error"]["code"].int == -32600)
        c.raw(Array("Content-Length: 2\r\n\r\n42".utf8))
        #expect(try c.next()["error"]["code"].int == -32600)
        c.send(["jsonrpc": "2.0", "id": ["no"], "method": "shutdown"])
        #expect(try c.next()["error"]["code"].int == -32600)
        // Requests about documents that are not open, or without the fields they need.
        #expect(try c.requestRaw("textDocument/hover", ["textDocument": ["uri": "file:///nowhere.lease"], "position": ["line": 0, "character": 0]])["error"].value != nil)
        #expect(try c.requestRaw("textDocument/completion", ["position": 3])["error"]["code"].int == -32602)
        c.notify("textDocument/didChange", ["textDocument": ["uri": "file:///nowhere.lease"]])
        c.notify("textDocument/didOpen", ["textDocument": 7])
        // Positions far outside the text are clamped.
        let uri = "file:///tmp/lsp-test/m.lease"
        c.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "version": 1, "text": "let x = 3 MW\n"]])
        _ = try c.diagnostics(uri)
        for (l, ch) in [(-5, -5), (0, 10_000), (10_000, 0), (0, 11)] {
            let r = try c.requestRaw("textDocument/hover", Self.at(uri, l, ch))
            #expect(r["error"].value == nil, "\(r.value)")
            _ = try c.requestRaw("textDocument/completion", Self.at(uri, l, ch))
            _ = try c.requestRaw("textDocument/definition", Self.at(uri, l, ch))
        }
        // A ranged change is applied even though full sync was asked for.
        c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 2], "contentChanges": [
            ["range": ["start": ["line": 0, "character": 10], "end": ["line": 0, "character": 12]], "text": "$"]]])
        let d = try c.diagnostics(uri)["diagnostics"].array
        #expect(d.count == 1, "`3 $` is a syntax error: \(d.map(\.value))")
        // Still alive and answering.
        #expect(try c.request("textDocument/documentSymbol", ["textDocument": ["uri": uri]]).array.count <= 1)
        #expect(try c.shutdown() == 0)
    }

    @Test("a burst of changes is checked once it ends, at its last version")
    func burst() throws {
        let c = try LSPClient()
        _ = try c.initialize()
        let uri = "file:///tmp/lsp-test/burst.lease"
        var bytes: [UInt8] = []
        func frame(_ m: [String: Any]) -> [UInt8] {
            let body = [UInt8]((try? JSONSerialization.data(withJSONObject: m)) ?? Data())
            return Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
        }
        bytes += frame(["jsonrpc": "2.0", "method": "textDocument/didOpen",
                        "params": ["textDocument": ["uri": uri, "version": 0, "text": ""]]])
        var text = ""
        for v in 1...40 {
            text += v == 40 ? "$1B + 1 MW\n" : "let x\(v) = \(v) MW\n"
            bytes += frame(["jsonrpc": "2.0", "method": "textDocument/didChange",
                            "params": ["textDocument": ["uri": uri, "version": v], "contentChanges": [["text": text]]]])
        }
        c.raw(bytes)
        var versions: [Int] = []
        while versions.last != 40 {
            versions.append(try c.diagnostics(uri)["version"].int ?? -1)
        }
        #expect(versions == versions.sorted(), "\(versions)")
        #expect(versions.count <= 41)
        // Requests are answered after the diagnostics of the changes before them.
        c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 41], "contentChanges": [["text": "1 MW\n"]]])
        _ = try c.request("textDocument/documentSymbol", ["textDocument": ["uri": uri]])
        #expect(try c.diagnostics(uri)["version"].int == 41)
        #expect(try c.shutdown() == 0)
    }

    @Test("exit without shutdown exits 1")
    func exitWithoutShutdown() throws {
        let c = try LSPClient()
        _ = try c.initialize()
        c.notify("exit", nil)
        #expect(c.waitForExit() == 1)
    }

    /// Every prefix of every example (each line, and a spread of character
    /// prefixes) as the document: each gets its diagnostics, nothing crashes.
    @Test("fuzz: every prefix of every example is answered with diagnostics")
    func prefixes() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".lease") }.sorted()
        try #require(!examples.isEmpty)
        let c = try LSPClient()
        _ = try c.initialize()
        let uri = CLI.root.appendingPathComponent("examples/prefix.lease").absoluteString
        c.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "version": 0, "text": ""]])
        _ = try c.diagnostics(uri)
        var version = 0, sent = 0
        let started = Date()
        for name in examples {
            let text = try String(contentsOf: CLI.root.appendingPathComponent("examples/\(name)"), encoding: .utf8)
            let chars = Array(text)
            var cuts: [Int] = []
            for (i, ch) in chars.enumerated() where ch == "\n" { cuts.append(i + 1) }
            // Character prefixes: a spread through the file, cutting inside words, strings and brackets.
            var i = 7
            while i < chars.count {
                cuts.append(i)
                i += 97
            }
            cuts.append(chars.count)
            for cut in cuts {
                version += 1
                let doc = String(chars[..<cut])
                c.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": version], "contentChanges": [["text": doc]]])
                let p = try c.diagnostics(uri)
                #expect(p["version"].int == version)
                sent += 1
                // Ask at the end of the prefix, as an editor does while typing.
                let lines = doc.split(separator: "\n", omittingEmptySubsequences: false)
                let at = Self.at(uri, lines.count - 1, lines.last.map { $0.utf16.count } ?? 0)
                if sent % 4 == 0 {
                    #expect(try c.requestRaw("textDocument/completion", at)["error"].value == nil)
                    #expect(try c.requestRaw("textDocument/hover", at)["error"].value == nil)
                }
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(sent > 500)
        #expect(elapsed < 120, "\(sent) documents took \(elapsed) s")
        #expect(c.isRunning)
        #expect(try c.shutdown() == 0)
    }

    // MARK: Units of the server

    @Test("positions count UTF-16 code units on lines ending in \\n, \\r\\n or \\r")
    func positions() {
        let text = "€3M ₩→x\r\nlet 😀 = 1\rz\n"
        let index = LineIndex(text)
        let bytes = Array(text.utf8)
        func offset(of s: String) -> Int {
            let r = text.range(of: s)!
            return text.utf8.distance(from: text.startIndex, to: r.lowerBound)
        }
        #expect(bytes.count == 30)
        #expect(index.lineCount == 4)
        #expect(index.position(ofByte: offset(of: "x")) == (0, 6))
        #expect(index.position(ofByte: offset(of: "= 1")) == (1, 7), "😀 is two UTF-16 units")
        #expect(index.position(ofByte: offset(of: "z")) == (2, 0))
        #expect(index.byteOffset(line: 0, character: 6) == offset(of: "x"))
        #expect(index.byteOffset(line: 1, character: 7) == offset(of: "= 1"))
        #expect(index.byteOffset(line: 1, character: 5) == offset(of: "😀"), "inside a surrogate pair: the character's start")
        #expect(index.byteOffset(line: 0, character: 99) == offset(of: "\r\n"), "past the end of a line: its end")
        #expect(index.byteOffset(line: 9, character: 0) == bytes.count)
        for o in 0...bytes.count where o == bytes.count || bytes[o] & 0xC0 != 0x80 {
            let p = index.position(ofByte: o)
            if o < bytes.count && (bytes[o] == 0x0A || bytes[o] == 0x0D) { continue }
            #expect(index.byteOffset(line: p.line, character: p.character) == o)
        }
    }

    @Test("framing: split reads, header case, bare newlines, junk, and bodies over the limit")
    func framing() {
        let input = Array(("\r\n" + "content-length: 2\r\n\r\n{}" + "Content-Length: 3\nContent-Type: x\n\n[1]"
            + "Bogus\r\n\r\n" + "Content-Length: 20\r\n\r\n" + String(repeating: "x", count: 20) + "Content-Length: 1\r\n\r\n7").utf8)
        var pos = 0
        var reader = MessageReader(maxBody: 10) { buffer in
            guard pos < input.count else { return false }
            let n = min(3, input.count - pos)
            buffer.append(contentsOf: input[pos..<(pos + n)])
            pos += n
            return true
        }
        #expect(!reader.hasCompleteMessage)
        #expect(reader.next() == .message(Array("{}".utf8)))
        #expect(reader.next() == .message(Array("[1]".utf8)))
        if case .malformed = reader.next() {} else { Issue.record("a header block without a length is reported") }
        #expect(reader.next() == .tooLarge(20))
        #expect(reader.next() == .message(Array("7".utf8)))
        #expect(reader.next() == .end)

        var cut = MessageReader { buffer in
            defer { pos = -1 }
            guard pos != -1 else { return false }
            buffer.append(contentsOf: Array("Content-Length: 10\r\n\r\n{}".utf8))
            return true
        }
        pos = 0
        if case .malformed = cut.next() {} else { Issue.record("a body cut short is reported") }
        #expect(cut.next() == .end)
    }

    static func at(_ uri: String, _ line: Int, _ character: Int) -> [String: Any] {
        ["textDocument": ["uri": uri], "position": ["line": line, "character": character]]
    }
}

/// A JSON value read leniently: a missing key or a wrong type reads as nil.
struct LSPJSON {
    let value: Any?
    init(_ v: Any?) { value = v }
    subscript(_ key: String) -> LSPJSON { LSPJSON((value as? [String: Any])?[key]) }
    var array: [LSPJSON] { (value as? [Any])?.map { LSPJSON($0) } ?? [] }
    var string: String? { value as? String }
    var int: Int? { value as? Int }
    var bool: Bool? { value as? Bool }
}

/// An editor's side of `lease lsp`: framed JSON-RPC over the process's pipes.
final class LSPClient: @unchecked Sendable {
    let process = Process()
    private let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    private let condition = NSCondition()
    private var buffer: [UInt8] = []
    private var messages: [[String: Any]] = []
    private var closed = false
    private var nextID = 0
    static let timeout: TimeInterval = 30

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The `lease` built with these tests, else the one the CLI tests use.
    static let binary: URL? = {
        var dirs: [URL] = []
        if let exe = Bundle.main.executableURL { dirs.append(exe.deletingLastPathComponent()) }
        dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let first = CommandLine.arguments.first { dirs.append(URL(fileURLWithPath: first).deletingLastPathComponent()) }
        for d in dirs {
            let u = d.appendingPathComponent("lease")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return CLI.binary
    }()

    init() throws {
        guard let binary = Self.binary else { throw CLI.NoBinary() }
        process.executableURL = binary
        process.arguments = ["lsp"]
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        try process.run()
        stdout.fileHandleForReading.readabilityHandler = { [weak self] h in
            let data = h.availableData
            self?.received(data)
        }
        stderr.fileHandleForReading.readabilityHandler = { h in _ = h.availableData }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    var isRunning: Bool { process.isRunning }

    private func received(_ data: Data) {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        if data.isEmpty {
            closed = true
            stdout.fileHandleForReading.readabilityHandler = nil
            return
        }
        buffer.append(contentsOf: data)
        while let sep = Self.find([13, 10, 13, 10], in: buffer) {
            let header = String(decoding: buffer[..<sep], as: UTF8.self)
            guard let line = header.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                let n = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
            else {
                buffer.removeFirst(sep + 4)
                continue
            }
            guard buffer.count >= sep + 4 + n else { break }
            let body = Data(buffer[(sep + 4)..<(sep + 4 + n)])
            buffer.removeFirst(sep + 4 + n)
            if let m = try? JSONSerialization.jsonObject(with: body) as? [String: Any] { messages.append(m) }
        }
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }

    func raw(_ bytes: [UInt8]) { stdin.fileHandleForWriting.write(Data(bytes)) }

    func send(_ message: [String: Any]) {
        guard let body = try? JSONSerialization.data(withJSONObject: message) else { return }
        raw(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + [UInt8](body))
    }

    func notify(_ method: String, _ params: Any?) {
        var m: [String: Any] = ["jsonrpc": "2.0", "method": method]
        if let params { m["params"] = params }
        send(m)
    }

    /// The first message that matches, waiting for it; the others stay queued.
    private func take(_ matches: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(Self.timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let i = messages.firstIndex(where: matches) { return messages.remove(at: i) }
            if closed { throw Failure(description: "the server closed its output (exit \(process.isRunning ? "pending" : "\(process.terminationStatus)"))") }
            if !condition.wait(until: deadline) { throw Failure(description: "no answer within \(Self.timeout) s") }
        }
    }

    /// The next message, whatever it is.
    func next() throws -> LSPJSON { LSPJSON(try take { _ in true }) }

    /// The whole reply to a request.
    func requestRaw(_ method: String, _ params: Any?) throws -> LSPJSON {
        nextID += 1
        let id = nextID
        var m: [String: Any] = ["jsonrpc": "2.0", "id": id, "method": method]
        if let params { m["params"] = params }
        send(m)
        return LSPJSON(try take { ($0["id"] as? Int) == id && $0["method"] == nil })
    }

    /// A request's result; an error reply fails.
    func request(_ method: String, _ params: Any?) throws -> LSPJSON {
        let r = try requestRaw(method, params)
        if r["error"].value != nil { throw Failure(description: "\(method): \(r["error"].value ?? "")") }
        return r["result"]
    }

    func initialize() throws -> Any? {
        let r = try request("initialize", ["processId": NSNull(), "rootUri": NSNull(), "capabilities": [String: Any]()])
        notify("initialized", [String: Any]())
        return r.value
    }

    /// The next diagnostics published for a document.
    func diagnostics(_ uri: String) throws -> LSPJSON {
        let m = try take { ($0["method"] as? String) == "textDocument/publishDiagnostics" && (($0["params"] as? [String: Any])?["uri"] as? String) == uri }
        return LSPJSON(m)["params"]
    }

    func waitForExit() -> Int32 {
        let deadline = Date().addingTimeInterval(Self.timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            return -1
        }
        return process.terminationStatus
    }

    /// `shutdown`, then `exit`: the exit code.
    func shutdown() throws -> Int32 {
        _ = try request("shutdown", nil)
        notify("exit", nil)
        return waitForExit()
    }
}
