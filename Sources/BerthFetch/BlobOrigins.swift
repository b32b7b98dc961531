#if canImport(Glibc)
import Glibc
#endif
import BerthOCI
import BerthSystem

/// Which repositories a blob is known to be in (`127.0.0.1:5000/library/busybox`), learned
/// from pulls and pushes, so a push to another repository of the same registry can ask for
/// a cross-repository mount instead of uploading, as Docker's distribution metadata does.
///
/// One small file per blob under `<dataRoot>/distribution/`, one repository per line. A lost
/// or stale entry only costs an upload.
struct BlobOrigins: Sendable {
    let dir: String

    init(root: String) { dir = root + "/distribution" }

    /// The repositories holding `digest`, most recent last.
    func repositories(of digest: Digest) -> [String] {
        guard let text = try? Files.readString(dir + "/" + digest.encoded) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Notes that `repository` (`domain/path`) holds each of `digests`.
    func record(_ digests: [Digest], in repository: String) {
        try? Files.mkdirAll(dir, mode: 0o700)
        for d in digests {
            var known = repositories(of: d).filter { $0 != repository }
            known.append(repository)
            // A handful is plenty to find a mount source.
            try? Files.writeAtomic(dir + "/" + d.encoded, Array(known.suffix(8).joined(separator: "\n").utf8), durable: false)
        }
    }
}
