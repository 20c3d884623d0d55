import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a file could not be read or written, as one sentence naming the path.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Writing files without losing what was there: `export`, `:save` and the
/// REPL's history all go through here.
///
/// - A symbolic link is followed to the file it names, and that file is
///   replaced: the link stays a link.
/// - Directories, devices, FIFOs and sockets are refused with a message that
///   says what the path is (a CSV file never replaces `/dev/full`).
/// - The new contents go to a temporary file next to the target, which is
///   renamed over it only on `commit()`; an error, an interruption or a crash
///   before that leaves the old file as it was.
public final class SafeFileWriter {
    /// The path as given, for messages.
    public let path: String
    /// The regular file that will be replaced (symbolic links followed).
    public let target: String
    private let temporary: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    private let chunk = 1 << 20
    private let durable: Bool

    /// Opens a temporary file next to the file `path` resolves to.
    /// `durable` waits for the data to reach the disk before the rename.
    public init(path: String, durable: Bool = true) throws(FileError) {
        self.path = path
        self.durable = durable
        let target = try SafeFile.writableTarget(path)
        self.target = target
        let dir = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        var mode: mode_t = 0o666
        var st = stat()
        let existed = lstat(target, &st) == 0
        if existed { mode = st.st_mode & 0o7777 }
        var fd: Int32 = -1
        var tmp = ""
        for attempt in 0..<100 {
            tmp = (dir.isEmpty ? "" : dir + "/") + ".\(base).\(getpid()).\(attempt).tmp"
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else {
            throw FileError("cannot write \(path): \(SafeFile.reason(errno)) (creating a temporary file in \(dir.isEmpty ? "." : dir))")
        }
        // An existing file keeps its permissions; a new one gets the umask's.
        if existed { fchmod(fd, mode) }
        self.fd = fd
        temporary = tmp
        buffer.reserveCapacity(chunk)
    }

    deinit { abort() }

    /// Appends text; it reaches the disk in chunks of about a megabyte.
    public func write(_ text: String) throws(FileError) {
        guard !finished else { throw FileError("cannot write \(path): the file is already closed") }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= chunk { try flush() }
    }

    public func write(bytes: [UInt8]) throws(FileError) {
        guard !finished else { throw FileError("cannot write \(path): the file is already closed") }
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunk { try flush() }
    }

    private func flush() throws(FileError) {
        var offset = 0
        let failure: Int32? = buffer.withUnsafeBytes { raw -> Int32? in
            guard let base = raw.baseAddress else { return nil }
            while offset < raw.count {
                let n = posixWrite(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        buffer.removeAll(keepingCapacity: true)
        if let e = failure {
            abort()
            throw FileError("cannot write \(path): \(SafeFile.reason(e))")
        }
    }

    /// Writes what is buffered, then puts the new file in place of the old one.
    public func commit() throws(FileError) {
        guard !finished else { throw FileError("cannot write \(path): the file is already closed") }
        try flush()
        if durable, fsync(fd) != 0, errno != EINVAL {
            let e = errno
            abort()
            throw FileError("cannot write \(path): \(SafeFile.reason(e))")
        }
        if close(fd) != 0 {
            let e = errno
            fd = -1
            abort()
            throw FileError("cannot write \(path): \(SafeFile.reason(e))")
        }
        fd = -1
        if rename(temporary, target) != 0 {
            let e = errno
            abort()
            throw FileError("cannot write \(path): \(SafeFile.reason(e))")
        }
        finished = true
    }

    /// Throws the new contents away; the old file stays as it was.
    public func abort() {
        if finished { return }
        finished = true
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporary)
    }
}

private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { read(fd, p, n) }

public enum SafeFile {
    /// Replaces the file at `path` with `text` (see `SafeFileWriter`).
    public static func write(_ text: String, to path: String) throws(FileError) {
        let w = try SafeFileWriter(path: path)
        try w.write(text)
        try w.commit()
    }

    /// The regular file that writing `path` should replace: symbolic links
    /// followed, and anything that is not a regular file refused.
    public static func writableTarget(_ path: String) throws(FileError) -> String {
        guard !path.isEmpty else { throw FileError("cannot write a file with an empty name") }
        var p = path
        for _ in 0..<40 {
            var st = stat()
            if lstat(p, &st) != 0 {
                let e = errno
                if e == ENOENT {
                    let dir = (p as NSString).deletingLastPathComponent
                    var ds = stat()
                    if !dir.isEmpty, stat(dir, &ds) != 0 || (ds.st_mode & S_IFMT) != S_IFDIR {
                        throw FileError("cannot write \(path): the directory \(dir) does not exist")
                    }
                    return p
                }
                throw FileError("cannot write \(path): \(reason(e))")
            }
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                return p
            case S_IFLNK:
                guard let link = readLink(p) else { throw FileError("cannot write \(path): \(reason(errno))") }
                p = link.hasPrefix("/") ? link : ((p as NSString).deletingLastPathComponent as NSString).appendingPathComponent(link)
            default:
                throw FileError("cannot write \(path): it is \(kind(st.st_mode)), not a file")
            }
        }
        throw FileError("cannot write \(path): too many levels of symbolic links")
    }

    /// What a path that is not a regular file is, with its article.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    /// Is `path` (links followed) the null device, where writes are meant to vanish?
    public static func isNullDevice(_ path: String) -> Bool {
        var a = stat(), b = stat()
        guard stat(path, &a) == 0, stat("/dev/null", &b) == 0 else { return false }
        return (a.st_mode & S_IFMT) == S_IFCHR && a.st_rdev == b.st_rdev
    }

    static func readLink(_ p: String) -> String? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(p, &buf, buf.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func reason(_ e: Int32) -> String {
        switch e {
        case ENOSPC: return "no space left on the device"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "the file system is read-only"
        case EISDIR: return "it is a directory"
        case ENOENT: return "no such file or directory"
        case ENOTDIR: return "a part of the path is not a directory"
        default: return String(cString: strerror(e)).lowercased()
        }
    }

    // MARK: - Reading

    /// The bytes of a file to read as a script. A directory is named as one;
    /// FIFOs and devices (`/dev/stdin`, `<(…)`) are read like files.
    public static func readBytes(_ path: String) throws(FileError) -> [UInt8] {
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            if e == ENOENT { throw FileError("cannot read \(path): no such file") }
            throw FileError("cannot read \(path): \(reason(e))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw FileError("cannot read \(path): it is a directory, not a file") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError("cannot read \(path): \(reason(errno))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError("cannot read \(path): \(reason(errno))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}

extension ScriptText {
    /// A `use`d file: nil when it cannot be read (the run says so where it is
    /// used), an error at the first byte that is not UTF-8.
    static func used(_ path: String) throws(Diagnostic) -> SourceFile? {
        guard let bytes = try? SafeFile.readBytes(path) else { return nil }
        switch decode(bytes, name: path) {
        case .success(let f): return f
        case .failure(let d): throw d
        }
    }
}

/// Script text from bytes, the same way whether they came from a file, `-`,
/// stdin or `:load`: invalid UTF-8 is an error at its line and column.
public enum ScriptText {
    /// The text, or an error with a caret under the first invalid byte.
    public static func decode(_ bytes: [UInt8], name: String) -> Result<SourceFile, Diagnostic> {
        guard let bad = firstInvalidByte(bytes) else {
            return .success(SourceFile(name: name, text: String(decoding: bytes, as: UTF8.self)))
        }
        // The valid prefix decodes to the same bytes, so the offset holds in
        // the decoded text; the bad byte shows as U+FFFD (three bytes).
        let file = SourceFile(name: name, text: String(decoding: bytes, as: UTF8.self))
        let hex = String(format: "0x%02X", bytes[bad])
        return .failure(Diagnostic(.parse, "this is not UTF-8 text: invalid byte \(hex)", at: Span(file, bad, bad + 3),
                                   help: "save the file as UTF-8"))
    }

    /// Offset of the first byte that is not part of valid UTF-8, or nil.
    public static func firstInvalidByte(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            var len = 0
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: len = 2
            case 0xE0: len = 3; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: len = 3
            case 0xED: len = 3; hi = 0x9F
            case 0xF0: len = 4; lo = 0x90
            case 0xF1...0xF3: len = 4
            case 0xF4: len = 4; hi = 0x8F
            default: return i
            }
            guard i + len <= n else { return i }
            if bytes[i + 1] < lo || bytes[i + 1] > hi { return i }
            for k in 2..<max(2, len) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += len
        }
        return nil
    }
}
