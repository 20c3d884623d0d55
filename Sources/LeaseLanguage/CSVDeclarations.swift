import LeaseCore

/// Deal sheets (LANGUAGE.md section 13): a CSV file whose rows declare
/// clusters or contracts.
///
/// The header's first column is `contract` or `cluster` (each row's name);
/// the other columns are field names, optionally with a unit in parentheses
/// (`rate (USD/month)`), which plain numbers in that column are written in.
/// Every non-empty cell is a lease expression, parsed where it stands in the
/// file, so an error names the cell's own file:line:col; an empty cell
/// leaves the field out.
public enum CSVDeclarations {
    /// The declarations a deal sheet makes, one per row, in order.
    /// - Parameter file: the CSV text and the name errors should show.
    /// - Returns: `cluster` or `contract` statements whose spans point into
    ///   the sheet's own bytes (a copy without the byte order mark, if it has one).
    /// - Throws: the first malformed cell, header or row, at its position.
    public static func statements(for file: SourceFile) throws(Diagnostic) -> [Statement] {
        let sheet = try CSVReader.read(file)
        guard let header = sheet.rows.first else { return [] }
        let source = sheet.file
        let kind = try declarationKind(header, source)
        let columns = try headerColumns(header, source)
        var out: [Statement] = []
        var seen: [String: Int] = [:]
        // Line numbers counted as the rows go by, not from the top for each row.
        var cursor = 0, lineAtCursor = 1
        func line(at offset: Int) -> Int {
            while cursor < offset {
                if source.bytes[cursor] == 0x0A { lineAtCursor += 1 }
                cursor += 1
            }
            return lineAtCursor
        }
        for row in sheet.rows.dropFirst() {
            let nameCell = row.cells[0]
            let (name, nameSpan) = try rowName(nameCell, source, kind: kind)
            let line = line(at: nameCell.start)
            if let first = seen[name] {
                throw Diagnostic(.parse, "`\(name)` is declared twice in this sheet (lines \(first) and \(line))", at: nameSpan,
                                 help: "each row declares one \(kind); give this one another name")
            }
            seen[name] = line
            let overfull = row.cells.count > columns.count + 1
            var fields: [FieldInit] = []
            for (i, cell) in row.cells.dropFirst().prefix(columns.count).enumerated() where !cell.isBlank {
                let column = columns[i]
                var value = try expression(cell, source, overfull: overfull)
                if let unit = column.unit, Self.isPlainNumber(value) {
                    value = Expr(kind: .binary(op: .multiply, lhs: value, rhs: Expr(kind: .unit(unit), span: column.unitSpan),
                                               opSpan: column.unitSpan),
                                 span: value.span)
                }
                fields.append(FieldInit(name: column.name, nameSpan: column.span, value: value))
            }
            if overfull {
                let extra = row.cells[columns.count + 1]
                throw Diagnostic(.parse, "this row has \(row.cells.count) cells but the header names \(columns.count + 1) columns",
                                 at: Span(source, extra.rawStart, max(extra.rawEnd, extra.rawStart + 1)),
                                 help: "a cell that contains commas must be in double quotes: \"[2026-05: 50%, 2026-06: 50%]\"")
            }
            let span = Span(source, row.start, row.end)
            let k: Statement.Kind = kind == "cluster"
                ? .cluster(name: name, nameSpan: nameSpan, fields: fields)
                : .contract(name: name, nameSpan: nameSpan, fields: fields)
            out.append(Statement(kind: k, span: span))
        }
        return out
    }

    /// Declares every row of a sheet in `session`, all or nothing: the sheet
    /// is parsed and checked whole, and if any row fails while it runs (a
    /// cluster over-committed, `end` before `start`), the model and bindings
    /// are put back exactly as they were.
    /// - Throws: the first error, with nothing of the sheet declared.
    public static func declare(_ file: SourceFile, in session: Session) throws(Diagnostic) {
        let statements = try statements(for: file)
        var checker = Checker(session: session)
        let checked = try checker.check(statements, file: statements.first?.span.file ?? file)
        let model = session.model
        let globals = session.globals
        let order = session.globalOrder
        var interp = Interpreter(session: session)
        do throws(Diagnostic) {
            for s in checked { try interp.execute(s) }
        } catch {
            session.model = model
            session.globals = globals
            session.globalOrder = order
            throw error
        }
    }

    // MARK: Private API

    struct Column {
        var name: String
        var span: Span
        var unit: UnitExpr?
        var unitSpan: Span
    }

    private static func declarationKind(_ header: CSVReader.Row, _ source: SourceFile) throws(Diagnostic) -> String {
        let cell = header.cells[0]
        let text = cell.text.trimmedBlanks
        if text == "contract" || text == "cluster" { return text }
        let lower = text.lowercased()
        let help = lower == "contract" || lower == "cluster" ? "write it in lower case: `\(lower)`"
            : "name the first column `contract` (one contract per row) or `cluster`"
        throw Diagnostic(.parse, "a deal sheet's first column must be `contract` or `cluster`, not `\(text)`",
                         at: cell.span(in: source), help: help)
    }

    private static func headerColumns(_ header: CSVReader.Row, _ source: SourceFile) throws(Diagnostic) -> [Column] {
        var out: [Column] = []
        for cell in header.cells.dropFirst() {
            let span = cell.span(in: source)
            var text = cell.text.trimmedBlanks
            var unit: UnitExpr?
            var unitSpan = span
            if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
                let unitText = String(text[text.index(after: open)..<text.index(before: text.endIndex)]).trimmedBlanks
                text = String(text[..<open]).trimmedBlanks
                guard let u = parseUnit(unitText) else {
                    throw Diagnostic(.parse, "`\(unitText)` in the header is not a unit", at: span,
                                     help: "write a unit such as `rate (USD/month)` or `power (MW)`")
                }
                unit = u
                if let r = cell.text.range(of: unitText) {
                    let from = cell.start + cell.text[..<r.lowerBound].utf8.count
                    unitSpan = Span(source, from, from + unitText.utf8.count)
                }
            }
            if text.isEmpty {
                throw Diagnostic(.parse, "this column has no name", at: Span(source, cell.rawStart, cell.rawStart + 1),
                                 help: "the header names each column with a field, such as `rate` or `start`")
            }
            guard isFieldName(text) else {
                throw Diagnostic(.parse, "`\(text)` is not a field name", at: span,
                                 help: "field names are letters, digits and `_`, such as `gpu_model`")
            }
            if let twin = out.first(where: { $0.name == text }) {
                let (_, col) = twin.span.location
                throw Diagnostic(.parse, "the column `\(text)` appears twice in the header (also at column \(col))", at: span)
            }
            out.append(Column(name: text, span: span, unit: unit, unitSpan: unitSpan))
        }
        return out
    }

    private static func rowName(_ cell: CSVReader.Cell, _ source: SourceFile, kind: String) throws(Diagnostic) -> (String, Span) {
        let text = cell.text.trimmedBlanks
        if text.isEmpty {
            throw Diagnostic(.parse, "this row has no \(kind) name", at: Span(source, cell.rawStart, cell.rawStart + 1),
                             help: "the first cell of each row names the \(kind), such as `deal_001`")
        }
        let span = cell.span(in: source)
        guard isFieldName(text) else {
            throw Diagnostic(.parse, "`\(text)` is not a name for a \(kind)", at: span,
                             help: "names are letters, digits and `_`, not starting with a digit, such as `deal_001`")
        }
        if Keyword(rawValue: text) != nil {
            throw Diagnostic(.parse, "`\(text)` is a keyword and cannot name a \(kind)", at: span,
                             help: "choose another name, such as `\(text)_`")
        }
        if Units.isUnitName(text) {
            throw Diagnostic(.parse, "`\(text)` is a unit and cannot name a \(kind)", at: span)
        }
        return (text, span)
    }

    /// One cell's expression, lexed and parsed in place.
    private static func expression(_ cell: CSVReader.Cell, _ source: SourceFile, overfull: Bool) throws(Diagnostic) -> Expr {
        do throws(Diagnostic) {
            var tokens: [Token]
            if let offsets = cell.offsets {
                // `""` stands for `"`: lex the unescaped text, then point every
                // span back at the bytes of the sheet it came from.
                let local = SourceFile(name: source.name, text: cell.text)
                var lexer = Lexer(file: local)
                do throws(Diagnostic) {
                    tokens = try lexer.tokenize()
                } catch {
                    var d = error
                    d.span = d.span.map { remap($0, offsets, source) }
                    throw d
                }
                tokens = tokens.map { remap($0, offsets, source) }
            } else {
                var lexer = Lexer(file: source, start: cell.start, end: cell.end)
                tokens = try lexer.tokenize()
            }
            // A quoted cell may span lines; inside one cell a newline is a blank.
            tokens = tokens.filter { $0.kind != .newline }
            var parser = Parser(file: source, tokens: tokens)
            let e = try parser.expression()
            if let extra = tokens.first(where: { $0.kind != .end && $0.span.start >= e.span.end }) {
                throw Diagnostic(.parse, "expected the end of the cell, found \(extra.kind.display)", at: extra.span,
                                 help: "a cell holds one expression, such as `$1.25B / month` or `[2026-05: 50%]`")
            }
            return e
        } catch {
            var d = error
            if overfull && !cell.quoted && d.help == nil {
                d.help = "a cell that contains commas must be in double quotes: \"[2026-05: 50%, 2026-06: 50%]\""
            }
            throw d
        }
    }

    /// A span in a cell's unescaped text as the bytes of the sheet it stands for.
    private static func remap(_ s: Span, _ offsets: [Int], _ file: SourceFile) -> Span {
        let last = offsets.count - 1
        let start = offsets[min(max(0, s.start), last)]
        let end = s.end > s.start ? offsets[min(s.end - 1, last)] + 1 : start
        return Span(file, start, end)
    }

    private static func remap(_ t: Token, _ offsets: [Int], _ file: SourceFile) -> Token {
        var out = t
        out.span = remap(t.span, offsets, file)
        if case .string(let pieces) = t.kind {
            out.kind = .string(pieces.map { p in
                guard case .interpolation(let a, let b) = p else { return p }
                let r = remap(Span(t.span.file, a, b), offsets, file)
                return .interpolation(start: r.start, end: r.end)
            })
        }
        return out
    }

    private static func isPlainNumber(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal(.quantity(let q)): return q.unit.isEmpty
        case .negate(let inner): return isPlainNumber(inner)
        default: return false
        }
    }

    private static func isFieldName(_ s: String) -> Bool {
        func letter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F }
        guard let first = s.utf8.first, letter(first) else { return false }
        return s.utf8.allSatisfy { letter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// `USD/month`, `$/gpu/h`, `MW`, `kW·h`, `gpu^2`: a unit as a header writes it.
    static func parseUnit(_ text: String) -> UnitExpr? {
        var terms: [UnitExpr.Term] = []
        var sign = 1
        var name = ""
        func flush() -> Bool {
            guard !name.isEmpty else { return false }
            var exponent = 1
            var base = name
            if let caret = name.firstIndex(of: "^") {
                guard let e = Int(name[name.index(after: caret)...]), e != 0, abs(e) < 10 else { return false }
                exponent = e
                base = String(name[..<caret])
            }
            if base.count == 1, let ch = base.first, let code = Currency.signs[ch] { base = code }
            guard let u = Units.index(base) else { return false }
            terms.append(UnitExpr.Term(unit: u, exponent: sign * exponent))
            name = ""
            return true
        }
        for ch in text where ch != " " {
            switch ch {
            case "/":
                guard flush() else { return nil }
                sign = -1
            case "·", "*":
                guard flush() else { return nil }
            default:
                name.append(ch)
            }
        }
        guard flush() else { return nil }
        return UnitExpr(terms: terms)
    }
}

/// An RFC 4180 reader that keeps the byte range of every cell, so a cell's
/// errors can point at its line and column.
///
/// Rows end at LF or CRLF; fields are separated by commas; a field in double
/// quotes may hold commas, newlines and `""` (one quote). Blanks around a
/// quoted field are allowed. A UTF-8 byte order mark is skipped.
struct CSVReader {
    struct Cell {
        /// The cell's text, quotes removed and `""` unescaped.
        var text: String
        /// Where the cell's text lies in `Sheet.file`, in bytes (inside the quotes).
        var start: Int
        var end: Int
        /// The whole cell as written, quotes included, in bytes.
        var rawStart: Int
        var rawEnd: Int
        var quoted: Bool
        /// For a quoted cell with `""` in it: the sheet's byte offset of each
        /// byte of `text`, then the closing quote's.
        var offsets: [Int]?
        var isBlank: Bool { text.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" } }

        func span(in file: SourceFile) -> Span {
            // Point at the text, blanks around it left out.
            var s = start, e = end
            while s < e, [0x20, 0x09, 0x0D, 0x0A].contains(file.bytes[s]) { s += 1 }
            while e > s, [0x20, 0x09, 0x0D, 0x0A].contains(file.bytes[e - 1]) { e -= 1 }
            return e > s ? Span(file, s, e) : Span(file, rawStart, max(rawEnd, rawStart + 1))
        }
    }

    struct Row {
        var cells: [Cell]
        var start: Int
        var end: Int
    }

    struct Sheet {
        /// The file cells point into: the one given, or a copy without its byte order mark.
        var file: SourceFile
        var rows: [Row]
    }

    static func read(_ given: SourceFile) throws(Diagnostic) -> Sheet {
        var file = given
        if given.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            file = SourceFile(name: given.name, text: String(decoding: given.bytes.dropFirst(3), as: UTF8.self))
        }
        let b = file.bytes
        let n = b.count
        var rows: [Row] = []
        var cells: [Cell] = []
        var rowStart = 0
        var i = 0
        func endRow(_ at: Int) {
            let blank = cells.allSatisfy(\.isBlank)
            if !blank { rows.append(Row(cells: cells, start: rowStart, end: at)) }
            cells = []
        }
        while i <= n {
            // One field, starting at i.
            let rawStart = i
            var j = i
            while j < n, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
            if j < n, b[j] == 0x22 {
                let open = j
                j += 1
                var text: [UInt8] = []
                var offsets: [Int] = []
                var escaped = false
                var closed = false
                while j < n {
                    if b[j] == 0x22 {
                        if j + 1 < n, b[j + 1] == 0x22 {
                            text.append(0x22)
                            offsets.append(j)
                            escaped = true
                            j += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    text.append(b[j])
                    offsets.append(j)
                    j += 1
                }
                guard closed else {
                    throw Diagnostic(.parse, "this quoted cell is never closed", at: Span(file, open, open + 1),
                                     help: "end it with `\"`; a quote inside a quoted cell is written twice: `\"\"`")
                }
                let close = j
                j += 1
                while j < n, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
                if j < n, b[j] != 0x2C, b[j] != 0x0A, !(b[j] == 0x0D && (j + 1 == n || b[j + 1] == 0x0A)) {
                    throw Diagnostic(.parse, "expected `,` or the end of the line after the closing quote", at: Span(file, j, j + 1),
                                     help: "a quote inside a quoted cell is written twice: `\"\"`")
                }
                offsets.append(close)
                cells.append(Cell(text: String(decoding: text, as: UTF8.self), start: open + 1, end: close,
                                  rawStart: rawStart, rawEnd: j, quoted: true, offsets: escaped ? offsets : nil))
            } else {
                while j < n, b[j] != 0x2C, b[j] != 0x0A { j += 1 }
                var end = j
                if end > rawStart, b[end - 1] == 0x0D, j == n || b[j] == 0x0A { end -= 1 }
                cells.append(Cell(text: String(decoding: b[rawStart..<end], as: UTF8.self), start: rawStart, end: end,
                                  rawStart: rawStart, rawEnd: end, quoted: false, offsets: nil))
            }
            // j is at a comma, a line end or the end of the input.
            if j < n, b[j] == 0x2C {
                i = j + 1
                continue
            }
            var rowEnd = j
            if j < n, b[j] == 0x0D {
                j += 1  // a quoted cell, then CRLF
            } else if rowEnd > rowStart, b[rowEnd - 1] == 0x0D {
                rowEnd -= 1
            }
            endRow(rowEnd)
            if j >= n { break }
            i = j + 1  // past the LF
            rowStart = i
        }
        return Sheet(file: file, rows: rows)
    }
}

extension String {
    var trimmedBlanks: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
        return String(s)
    }
}
