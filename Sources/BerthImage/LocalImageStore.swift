#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem
import Synchronization

/// `ImageStore` as JSON files: `images/by-id/<hex>.json` per image and
/// `images/names/<escaped reference>.json` per name. Everything is also held in memory,
/// loaded at start, and changed under one lock.
final class LocalImageStore: ImageStore {
    let idDir: String
    let nameDir: String
    private struct State {
        var images: [Digest: ImageRecord] = [:]
        var names: [Reference: Digest] = [:]
    }
    private let state: Mutex<State>

    /// The JSON of one name file.
    struct NameFile: Codable {
        var name: String
        var id: Digest
    }

    init(root: String) throws {
        idDir = root + "/images/by-id"
        nameDir = root + "/images/names"
        try Files.mkdirAll(idDir, mode: 0o700)
        try Files.mkdirAll(nameDir, mode: 0o700)
        var s = State()
        for file in try Files.list(idDir) {
            guard file.hasSuffix(".json") else { try? Files.removeAll(idDir + "/" + file); continue }   // a crashed write's temp
            let record = try OCIJSON.decode(ImageRecord.self, from: try Files.read(idDir + "/" + file))
            s.images[record.id] = record
        }
        for file in try Files.list(nameDir) {
            guard file.hasSuffix(".json") else { try? Files.removeAll(nameDir + "/" + file); continue }
            let entry = try OCIJSON.decode(NameFile.self, from: try Files.read(nameDir + "/" + file))
            s.names[try Reference(parsing: entry.name)] = entry.id
        }
        state = Mutex(s)
    }

    func put(_ image: ImageRecord) throws {
        try state.withLock { s in
            try Self.writeJSON(image, to: idDir + "/" + image.id.encoded + ".json", dir: idDir)
            s.images[image.id] = image
        }
    }

    func image(id: Digest) throws -> ImageRecord? { state.withLock { $0.images[id] } }

    func images() throws -> [ImageRecord] { state.withLock { $0.images.values.sorted { $0.id < $1.id } } }

    @discardableResult
    func tag(_ reference: Reference, image id: Digest) throws -> Digest? {
        let ref = reference.withDefaultTag()
        return try state.withLock { s in
            guard s.images[id] != nil else { throw ImageStoreError.notFound(id.description) }
            let old = s.names[ref]
            if old == id { return nil }
            try Self.writeJSON(NameFile(name: ref.description, id: id), to: nameFile(ref), dir: nameDir)
            s.names[ref] = id
            return old
        }
    }

    @discardableResult
    func untag(_ reference: Reference) throws -> Digest? {
        let ref = reference.withDefaultTag()
        return try state.withLock { s in
            guard let old = s.names[ref] else { return nil }
            try Self.remove(nameFile(ref), dir: nameDir)
            s.names[ref] = nil
            return old
        }
    }

    func names() throws -> [(reference: Reference, id: Digest)] {
        state.withLock { s in s.names.map { ($0.key, $0.value) } }.sorted { $0.reference.description < $1.reference.description }
    }

    func names(of id: Digest) throws -> [Reference] {
        state.withLock { s in s.names.filter { $0.value == id }.map(\.key) }.sorted { $0.description < $1.description }
    }

    func delete(id: Digest) throws {
        try state.withLock { s in
            for (ref, target) in s.names where target == id {
                try Self.remove(nameFile(ref), dir: nameDir)
                s.names[ref] = nil
            }
            try Self.remove(idDir + "/" + id.encoded + ".json", dir: idDir)
            s.images[id] = nil
        }
    }

    func resolve(_ nameOrID: String) throws -> ImageRecord {
        // Docker's ParseAnyReference: a full ID, with or without `sha256:`, is an ID.
        if Reference.isFullIdentifier(nameOrID) || (nameOrID.hasPrefix("sha256:") && nameOrID.utf8.count == 71) {
            let hex = nameOrID.hasPrefix("sha256:") ? String(nameOrID.dropFirst(7)) : nameOrID
            guard let id = try? Digest(parsing: "sha256:" + hex), let image = try image(id: id) else {
                throw ImageStoreError.notFound(nameOrID)
            }
            return image
        }
        let ref: Reference
        do { ref = try Reference(parsing: nameOrID) } catch { throw ImageStoreError.invalidReference(error) }
        return try state.withLock { s in
            if let id = s.names[ref.withDefaultTag()], let image = s.images[id] { return image }
            // An ID prefix, as `docker run 3f5` accepts.
            let prefix = nameOrID.hasPrefix("sha256:") ? String(nameOrID.dropFirst(7)) : nameOrID
            guard !prefix.isEmpty, prefix.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                throw ImageStoreError.notFound(nameOrID)
            }
            let matches = s.images.keys.filter { $0.encoded.hasPrefix(prefix) }
            if matches.count > 1 { throw ImageStoreError.ambiguous(nameOrID) }
            guard let id = matches.first, let image = s.images[id] else { throw ImageStoreError.notFound(nameOrID) }
            return image
        }
    }

    /// `docker.io/library/a:1` → `docker.io%2Flibrary%2Fa%3A1.json`: one flat, reversible file name.
    private func nameFile(_ ref: Reference) -> String {
        var out = ""
        for b in ref.description.utf8 {
            let plain = (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
            if plain { out.append(Character(Unicode.Scalar(b))) } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return nameDir + "/" + out + ".json"
    }

    static func writeJSON<T: Encodable>(_ value: T, to path: String, dir: String) throws {
        try Files.writeAtomic(path, try OCIJSON.encode(value), mode: 0o600)
        try LocalContentStore.syncDirectory(dir)
    }

    static func remove(_ path: String, dir: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw SyscallError(syscall: "unlink", path: path, code: errno) }
        try LocalContentStore.syncDirectory(dir)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
