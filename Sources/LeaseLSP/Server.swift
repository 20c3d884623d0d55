import Foundation
import LeaseCore
import LeaseLanguage

/// `lease lsp`: the Language Server Protocol over standard input and output
/// (LANGUAGE.md section 13, docs/editors.md). Full document sync; the
/// checker's diagnostics on every open and change; hover, completion,
/// go to definition and document symbols from the checked tree.
///
/// The server answers every request, with an error reply when it cannot,
/// and reads on after malformed input: no message makes it stop.
public final class LanguageServer {
    let version: String
    let workspace = Workspace()
    private let send: ([UInt8]) -> Bool
    private var initialized = false
    private var shutdownRequested = false
    /// Set by `exit`: the process's exit code.
    private(set) var exitCode: Int32?
    private let log: (String) -> Void

    public init(version: String, send: @escaping ([UInt8]) -> Bool, log: @escaping (String) -> Void = { _ in }) {
        self.version = version
        self.send = send
        self.log = log
    }

    /// Serves standard input and output until `exit` or the end of input;
    /// returns the exit code (0 after `shutdown`, else 1, as the protocol says).
    public static func serve(version: String) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let box = ExitBox()
        let done = DispatchSemaphore(value: 0)
        // The work runs on a thread with a large stack: deep but legal nesting is walked safely.
        let thread = Thread {
            let writer = MessageWriter(fd: 1)
            let server = LanguageServer(version: version, send: { writer.write($0) }, log: { message in
                FileHandle.standardError.write(Data("lease lsp: \(message)\n".utf8))
            })
            var reader = MessageReader.fileDescriptor(0)
            box.code = server.run(&reader)
            done.signal()
        }
        thread.stackSize = 256 << 20
        thread.start()
        done.wait()
        return box.code
    }

    final class ExitBox: @unchecked Sendable { var code: Int32 = 1 }

    /// Reads and handles messages until `exit`, the end of input, or a closed output.
    public func run(_ reader: inout MessageReader) -> Int32 {
        while exitCode == nil {
            switch reader.next() {
            case .end:
                return shutdownRequested ? 0 : 1
            case .malformed(let why):
                log("skipped malformed input: \(why)")
            case .tooLarge(let n):
                log("skipped a message of \(n) bytes (the limit is \(MessageReader.maxBody))")
                reply(id: nil, error: RequestError(ErrorCode.invalidRequest, "message too large: \(n) bytes"))
            case .message(let body):
                handle(body: body)
                // Diagnostics wait while more messages are already here: a burst of
                // changes is checked once, at its last version.
                if !reader.hasCompleteMessage { flush() }
            }
        }
        return exitCode ?? 1
    }

    /// Handles one message body (a JSON object, or a batch of them).
    public func handle(body: [UInt8]) {
        guard let json = J.decode(body) else {
            reply(id: nil, error: RequestError(ErrorCode.parseError, "the message is not JSON"))
            return
        }
        if let batch = json as? [Any] {
            if batch.isEmpty { reply(id: nil, error: RequestError(ErrorCode.invalidRequest, "empty batch")) }
            for m in batch { handle(message: m) }
        } else {
            handle(message: json)
        }
    }

    private func handle(message: Any) {
        guard let m = J.object(message) else {
            reply(id: nil, error: RequestError(ErrorCode.invalidRequest, "a message must be a JSON object"))
            return
        }
        let id = J.id(m["id"])
        let hasID = m["id"] != nil && !(m["id"] is NSNull)
        guard let method = J.string(m["method"]) else {
            // A reply to something we sent (we send no requests), or junk.
            if m["result"] == nil && m["error"] == nil {
                reply(id: id, error: RequestError(ErrorCode.invalidRequest, "a request needs a method"))
            }
            return
        }
        let params = m["params"]
        if hasID {
            flush()
            guard let id else {
                reply(id: nil, error: RequestError(ErrorCode.invalidRequest, "a request id must be a number or a string"))
                return
            }
            do {
                let result = try request(method, params)
                reply(id: id, result: result)
            } catch let e as RequestError {
                reply(id: id, error: e)
            } catch {
                reply(id: id, error: RequestError(ErrorCode.internalError, "\(error)"))
            }
        } else {
            do {
                try notification(method, params)
            } catch {
                log("\(method): \(error)")
            }
        }
    }

    // MARK: Requests

    private func request(_ method: String, _ params: Any?) throws -> Any {
        if shutdownRequested && method != "shutdown" {
            throw RequestError(ErrorCode.invalidRequest, "the server is shutting down")
        }
        if !initialized && method != "initialize" {
            throw RequestError(ErrorCode.serverNotInitialized, "initialize first")
        }
        let p = J.object(params) ?? [:]
        switch method {
        case "initialize":
            initialized = true
            return initializeResult()
        case "shutdown":
            shutdownRequested = true
            return NSNull()
        case "textDocument/hover":
            let (doc, o) = try position(p)
            return hover(doc, o) ?? NSNull()
        case "textDocument/completion":
            let (doc, o) = try position(p)
            return completion(doc, o)
        case "textDocument/definition":
            let (doc, o) = try position(p)
            return definition(doc, o) ?? NSNull()
        case "textDocument/documentSymbol":
            return symbols(try document(p))
        default:
            throw RequestError(ErrorCode.methodNotFound, "no method \(method)")
        }
    }

    private func initializeResult() -> [String: Any] {
        [
            "capabilities": [
                "positionEncoding": "utf-16",
                "textDocumentSync": ["openClose": true, "change": 1, "save": ["includeText": false]] as [String: Any],
                "hoverProvider": true,
                "completionProvider": ["triggerCharacters": ["."], "resolveProvider": false] as [String: Any],
                "definitionProvider": true,
                "documentSymbolProvider": true,
            ] as [String: Any],
            "serverInfo": ["name": "lease", "version": version],
        ]
    }

    private func document(_ p: [String: Any]) throws -> Document {
        guard let uri = J.string(J.object(p["textDocument"])?["uri"]) else {
            throw RequestError(ErrorCode.invalidParams, "textDocument.uri is missing")
        }
        guard let doc = workspace.documents[uri] else {
            throw RequestError(ErrorCode.requestFailed, "\(uri) is not open")
        }
        return doc
    }

    /// The document and the byte offset of `position` in it.
    private func position(_ p: [String: Any]) throws -> (Document, Int) {
        let doc = try document(p)
        guard let pos = J.object(p["position"]), let line = J.int(pos["line"]), let ch = J.int(pos["character"]) else {
            throw RequestError(ErrorCode.invalidParams, "position is missing")
        }
        return (doc, doc.analysis().index.byteOffset(line: line, character: ch))
    }

    // MARK: Notifications

    private func notification(_ method: String, _ params: Any?) throws {
        let p = J.object(params) ?? [:]
        switch method {
        case "exit":
            exitCode = shutdownRequested ? 0 : 1
        case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
            break
        case "textDocument/didOpen":
            guard initialized else { return }
            guard let td = J.object(p["textDocument"]), let uri = J.string(td["uri"]), let text = J.string(td["text"]) else {
                throw RequestError(ErrorCode.invalidParams, "didOpen needs textDocument.uri and .text")
            }
            let doc = Document(uri: uri, text: text, version: J.int(td["version"]))
            workspace.documents[uri] = doc
            schedule(doc)
        case "textDocument/didChange":
            guard initialized else { return }
            let doc = try document(p)
            doc.version = J.int(J.object(p["textDocument"])?["version"]) ?? doc.version
            for change in J.array(p["contentChanges"]) ?? [] {
                guard let c = J.object(change), let text = J.string(c["text"]) else { continue }
                if let r = J.object(c["range"]), let s = J.object(r["start"]), let e = J.object(r["end"]),
                    let sl = J.int(s["line"]), let sc = J.int(s["character"]), let el = J.int(e["line"]), let ec = J.int(e["character"])
                {
                    doc.apply(range: (sl, sc, el, ec), text: text)
                } else {
                    doc.replace(text)
                }
            }
            schedule(doc)
        case "textDocument/didSave":
            guard initialized else { return }
            // Files that `use` the saved one see its new text.
            for d in workspace.documents.values { d.replace(d.text) }
            for d in workspace.documents.values.sorted(by: { $0.uri < $1.uri }) { schedule(d) }
        case "textDocument/didClose":
            guard let uri = J.string(J.object(p["textDocument"])?["uri"]) else { return }
            workspace.documents[uri] = nil
            due.removeAll { $0 == uri }
            notify("textDocument/publishDiagnostics", ["uri": uri, "diagnostics": [Any]()])
        default:
            break  // notifications we do not know are ignored, as the protocol asks
        }
    }

    /// Documents whose diagnostics are due, in the order they changed.
    private var due: [String] = []

    private func schedule(_ doc: Document) {
        if !due.contains(doc.uri) { due.append(doc.uri) }
    }

    /// Publishes the diagnostics that are due.
    func flush() {
        let uris = due
        due = []
        for uri in uris {
            if let doc = workspace.documents[uri] { publish(doc) }
        }
    }

    private func publish(_ doc: Document) {
        var params: [String: Any] = ["uri": doc.uri, "diagnostics": diagnostics(doc)]
        if let v = doc.version { params["version"] = v }
        notify("textDocument/publishDiagnostics", params)
    }

    // MARK: Output

    private func reply(id: Any?, result: Any) {
        output(["jsonrpc": "2.0", "id": id ?? NSNull(), "result": result])
    }

    private func reply(id: Any?, error: RequestError) {
        output(["jsonrpc": "2.0", "id": id ?? NSNull(),
                "error": ["code": error.code, "message": error.message] as [String: Any]])
    }

    private func notify(_ method: String, _ params: [String: Any]) {
        output(["jsonrpc": "2.0", "method": method, "params": params])
    }

    /// Sends a message; once the editor has gone away there is no one to serve.
    private func output(_ message: [String: Any]) {
        if !send(J.encode(message)) && exitCode == nil {
            log("the output is closed; stopping")
            exitCode = shutdownRequested ? 0 : 1
        }
    }
}
