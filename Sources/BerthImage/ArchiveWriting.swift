#if canImport(Glibc)
import Glibc
#endif
import BerthSystem
import CArchive
import CBerth

/// Where a libarchive writer's output goes.
typealias ArchiveSink = (UnsafeRawBufferPointer) throws -> Void

/// Output compression of written archives.
public enum LayerCompression: Sendable {
    /// Plain tar.
    case none
    /// gzip, the Docker and OCI default.
    case gzip
    /// zstd.
    case zstd
}

/// A libarchive write handle whose output is handed to a Swift closure.
final class ArchiveOutput {
    let archive: OpaquePointer
    private let sink: ArchiveSink
    /// The sink's error, rethrown by whichever call saw libarchive fail.
    private var failure: (any Error)?
    private var closed = false

    /// `raw` writes one unnamed stream (used to compress a tar already made); otherwise pax tar.
    init(raw: Bool = false, compression: LayerCompression, sink: @escaping ArchiveSink) throws {
        self.sink = sink
        archive = archive_write_new()
        if raw { archive_write_set_format_raw(archive) } else { archive_write_set_format_pax_restricted(archive) }
        switch compression {
        case .none: archive_write_add_filter_none(archive)
        case .gzip:
            archive_write_add_filter_gzip(archive)
            _ = archive_write_set_options(archive, "gzip:!timestamp")   // reproducible output
        case .zstd: archive_write_add_filter_zstd(archive)
        }
        archive_write_set_bytes_in_last_block(archive, 1)
        let ctx = Unmanaged.passUnretained(self).toOpaque()
        let rc = archive_write_open(archive, ctx, nil, { _, ctx, buf, len in
            let me = Unmanaged<ArchiveOutput>.fromOpaque(ctx!).takeUnretainedValue()
            do {
                try me.sink(UnsafeRawBufferPointer(start: buf, count: len))
                return len
            } catch {
                me.failure = error
                return -1
            }
        }, nil)
        guard rc == ARCHIVE_OK else {
            let message = archiveMessage(archive)
            throw LayerError.archive(operation: "open archive for writing", message: message)
        }
        if raw {
            let e = archive_entry_new()
            defer { archive_entry_free(e) }
            archive_entry_set_filetype(e, UInt32(Glibc.S_IFREG))
            archive_entry_set_pathname(e, "data")
            try check(archive_write_header(archive, e), "write archive")
        }
    }

    deinit {
        if !closed { archive_write_close(archive) }
        archive_write_free(archive)
    }

    /// Turns a libarchive status into an error carrying the sink's own failure if it had one.
    func check(_ rc: Int32, _ operation: String) throws {
        if rc >= ARCHIVE_WARN { return }
        if let failure { throw failure }
        throw LayerError.archive(operation: operation, message: archiveMessage(archive))
    }

    /// Writes entry data (or, for `raw`, stream bytes).
    func writeData(_ chunk: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < chunk.count {
            let n = archive_write_data(archive, chunk.baseAddress! + done, chunk.count - done)
            if n < 0 { try check(Int32(n), "write archive data") }
            if n <= 0 { throw LayerError.archive(operation: "write archive data", message: "short write") }
            done += n
        }
    }

    /// Flushes and closes; the sink has everything afterwards.
    func finish() throws {
        closed = true
        try check(archive_write_close(archive), "finish archive")
    }
}

/// One tar header to write.
struct TarHeader {
    var path: String
    var type: mode_t = S_IFREG
    var perm: mode_t = 0o644
    var uid: UInt32 = 0
    var gid: UInt32 = 0
    var mtime = timespec(tv_sec: 0, tv_nsec: 0)
    var size: Int64 = 0
    var symlink: String?
    var hardlink: String?
    var devMajor: UInt32 = 0
    var devMinor: UInt32 = 0
    var xattrs: [(name: String, value: [UInt8])] = []
    /// Data regions of a sparse file. `writeData` still takes the whole logical content;
    /// libarchive drops the bytes that fall in holes.
    var sparse: [(offset: Int64, length: Int64)] = []
}

/// Writes a pax tar through libarchive into a sink.
final class TarWriter {
    private let output: ArchiveOutput

    init(compression: LayerCompression = .none, sink: @escaping ArchiveSink) throws {
        output = try ArchiveOutput(compression: compression, sink: sink)
    }

    /// A writer into a new file at `path`.
    convenience init(path: String, compression: LayerCompression = .none) throws {
        let fd = try FD.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        let file = FileSink(fd: fd, path: path)
        try self.init(compression: compression) { try file.write($0) }
    }

    /// Writes a header; regular files then take `size` bytes through `writeData`.
    func append(_ h: TarHeader) throws {
        let e = archive_entry_new()
        defer { archive_entry_free(e) }
        archive_entry_set_pathname(e, h.path)
        archive_entry_set_perm(e, h.perm)
        archive_entry_set_uid(e, Int64(h.uid))
        archive_entry_set_gid(e, Int64(h.gid))
        archive_entry_set_mtime(e, h.mtime.tv_sec, h.mtime.tv_nsec)
        if let link = h.hardlink {
            archive_entry_set_filetype(e, UInt32(Glibc.S_IFREG))
            archive_entry_set_hardlink(e, link)
            archive_entry_set_size(e, 0)
        } else {
            archive_entry_set_filetype(e, UInt32(h.type))
            archive_entry_set_size(e, h.type == S_IFREG ? h.size : 0)
            if let s = h.symlink { archive_entry_set_symlink(e, s) }
            if h.type == S_IFCHR || h.type == S_IFBLK {
                archive_entry_set_rdevmajor(e, dev_t(h.devMajor))
                archive_entry_set_rdevminor(e, dev_t(h.devMinor))
            }
        }
        for region in h.sparse { archive_entry_sparse_add_entry(e, region.offset, region.length) }
        for x in h.xattrs {
            x.value.withUnsafeBytes { archive_entry_xattr_add_entry(e, x.name, $0.baseAddress, $0.count) }
        }
        try output.check(archive_write_header(output.archive, e), "write tar header `\(h.path)`")
    }

    /// Appends data to the current entry.
    func writeData(_ chunk: UnsafeRawBufferPointer) throws { try output.writeData(chunk) }

    /// Appends bytes to the current entry.
    func writeData(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try output.writeData($0) } }

    /// A whole regular file from memory.
    func appendFile(_ path: String, _ bytes: [UInt8], perm: mode_t = 0o644, uid: UInt32 = 0, gid: UInt32 = 0) throws {
        try append(TarHeader(path: path, perm: perm, uid: uid, gid: gid, size: Int64(bytes.count)))
        try writeData(bytes)
    }

    /// Copies `size` bytes from `fd` into the current entry.
    func writeData(fromFD fd: Int32, path: String) throws {
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buf.deallocate() }
        while true {
            let n = try sys("read", path: path) { read(fd, buf.baseAddress, buf.count) }
            if n == 0 { return }
            try output.writeData(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
        }
    }

    /// Writes the end-of-archive mark and flushes.
    func finish() throws { try output.finish() }
}

/// Writes raw bytes to a file descriptor it owns.
final class FileSink {
    let fd: Int32
    let path: String
    init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    deinit { close(fd) }
    func write(_ chunk: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < chunk.count {
            done += try sys("write", path: path) { Glibc.write(fd, chunk.baseAddress! + done, chunk.count - done) }
        }
    }
    func sync() throws { try sys("fsync", path: path) { fsync(fd) } }
}
