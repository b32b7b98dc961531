#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import CArchive
import CBerth

/// libarchive's message for the last failure on `a`.
func archiveMessage(_ a: OpaquePointer?) -> String {
    guard let a, let s = archive_error_string(a) else { return "unknown libarchive error" }
    return String(cString: s)
}

/// The uncompressed bytes of a layer blob: libarchive's `raw` format with the gzip, zstd,
/// xz and bzip2 filters (auto-detected; plain tar passes through). Every byte handed out is
/// hashed, which gives the layer's DiffID.
///
/// Only library-backed filters are enabled: `archive_read_support_filter_all` would also
/// accept formats that libarchive decodes by running an external program.
final class DecompressedStream {
    private let raw: OpaquePointer
    private var eof = false
    private(set) var hasher = DigestHasher()
    /// A failure inside the read callback, rethrown by the reader that saw -1.
    var failure: LayerError?
    /// Sees every uncompressed chunk (e.g. to store a recompressed copy); its error stops the read.
    var observer: ((UnsafeRawBufferPointer) throws -> Void)?
    /// The observer's error.
    var observerError: (any Error)?

    init(fd: Int32) throws {
        raw = archive_read_new()
        archive_read_support_filter_gzip(raw)
        archive_read_support_filter_zstd(raw)
        archive_read_support_filter_xz(raw)
        archive_read_support_filter_bzip2(raw)
        archive_read_support_format_raw(raw)
        guard archive_read_open_fd(raw, fd, 1 << 16) == ARCHIVE_OK else {
            let message = archiveMessage(raw)
            throw LayerError.archive(operation: "open layer", message: message)
        }
        var entry: OpaquePointer?
        let rc = archive_read_next_header(raw, &entry)
        if rc == ARCHIVE_EOF {
            eof = true
        } else if rc < ARCHIVE_WARN {
            let message = archiveMessage(raw)
            throw LayerError.archive(operation: "decompress layer", message: message)
        }
    }

    // Also runs when init throws: a class instance whose stored properties are all set is
    // deinitialised, so the init paths must not free the handle themselves.
    deinit { archive_read_free(raw) }

    /// The next chunk of uncompressed bytes, or nil at the end (or on failure, in `failure`).
    func next() -> UnsafeRawBufferPointer? {
        while !eof {
            var buf: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            let rc = archive_read_data_block(raw, &buf, &size, &offset)
            if rc == ARCHIVE_EOF { eof = true; return nil }
            if rc < ARCHIVE_WARN {
                failure = .archive(operation: "decompress layer", message: archiveMessage(raw))
                eof = true
                return nil
            }
            if size > 0, let buf {
                let chunk = UnsafeRawBufferPointer(start: buf, count: size)
                hasher.update(chunk)
                if let observer {
                    do { try observer(chunk) } catch {
                        observerError = error
                        failure = .archive(operation: "read layer", message: "\(error)")
                        eof = true
                        return nil
                    }
                }
                return chunk
            }
        }
        return nil
    }

    /// Reads (and hashes) whatever the tar reader left: padding after the end-of-archive mark.
    func drain() throws {
        while next() != nil {}
        if let observerError { throw observerError }
        if let failure { throw failure }
    }
}

/// Tar entries read from a `DecompressedStream`.
final class TarReader {
    let archive: OpaquePointer
    let stream: DecompressedStream

    init(stream: DecompressedStream) throws {
        self.stream = stream
        archive = archive_read_new()
        archive_read_support_format_tar(archive)
        let ctx = Unmanaged.passUnretained(stream).toOpaque()
        let rc = archive_read_open(archive, ctx, nil, { _, ctx, out in
            let s = Unmanaged<DecompressedStream>.fromOpaque(ctx!).takeUnretainedValue()
            guard let chunk = s.next() else { return s.failure == nil ? 0 : -1 }
            out!.pointee = chunk.baseAddress
            return chunk.count
        }, nil)
        guard rc == ARCHIVE_OK else {
            let message = stream.failure?.description ?? archiveMessage(archive)
            throw LayerError.archive(operation: "read layer", message: message)
        }
    }

    deinit { archive_read_free(archive) }

    /// The next entry, or nil at the end of the archive.
    func next() throws -> TarEntry? {
        var entry: OpaquePointer?
        while true {
            let rc = archive_read_next_header(archive, &entry)
            if rc == ARCHIVE_EOF { return nil }
            if rc == ARCHIVE_RETRY { continue }
            if rc < ARCHIVE_WARN { throw failure("read layer") }
            return TarEntry(entry!)
        }
    }

    /// The current entry's data as blocks at offsets (holes of sparse files are skipped).
    func readData(_ body: (Int64, UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            var buf: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            let rc = archive_read_data_block(archive, &buf, &size, &offset)
            if rc == ARCHIVE_EOF { return }
            if rc < ARCHIVE_WARN { throw failure("read layer data") }
            if size > 0 { try body(offset, UnsafeRawBufferPointer(start: buf, count: size)) }
        }
    }

    private func failure(_ op: String) -> any Error {
        if let e = stream.observerError { return e }
        if let f = stream.failure { return f }
        return LayerError.archive(operation: op, message: archiveMessage(archive))
    }
}

/// One tar header, copied out of libarchive.
struct TarEntry {
    var path: String
    var type: mode_t
    var perm: mode_t
    var uid: UInt32
    var gid: UInt32
    var mtime: timespec
    var atime: timespec
    var size: Int64
    var symlink: String?
    var hardlink: String?
    var devMajor: UInt32
    var devMinor: UInt32
    var xattrs: [(name: String, value: [UInt8])]

    init(_ e: OpaquePointer) {
        path = Self.string(archive_entry_pathname(e)) ?? Self.string(archive_entry_pathname_utf8(e)) ?? ""
        type = mode_t(archive_entry_filetype(e))
        perm = archive_entry_perm(e) & 0o7777
        uid = UInt32(truncatingIfNeeded: archive_entry_uid(e))
        gid = UInt32(truncatingIfNeeded: archive_entry_gid(e))
        mtime = timespec(tv_sec: archive_entry_mtime(e), tv_nsec: Int(archive_entry_mtime_nsec(e)))
        atime = archive_entry_atime_is_set(e) != 0
            ? timespec(tv_sec: archive_entry_atime(e), tv_nsec: Int(archive_entry_atime_nsec(e))) : mtime
        size = archive_entry_size(e)
        hardlink = Self.string(archive_entry_hardlink(e))
        symlink = hardlink == nil ? Self.string(archive_entry_symlink(e)) : nil
        devMajor = UInt32(archive_entry_rdevmajor(e))
        devMinor = UInt32(archive_entry_rdevminor(e))
        xattrs = []
        if archive_entry_xattr_reset(e) > 0 {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK, let name {
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                let key = String(cString: name)
                // libarchive's pax writer stores each attribute twice (LIBARCHIVE.xattr.* and
                // SCHILY.xattr.*) and its reader reports both.
                xattrs.removeAll { $0.name == key }
                xattrs.append((key, bytes))
            }
        }
    }

    static func string(_ p: UnsafePointer<CChar>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }
}
