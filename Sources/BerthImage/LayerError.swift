/// Why a layer could not be unpacked or written. System call failures are thrown as
/// `SyscallError`, naming the path inside the snapshot.
public enum LayerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An entry's path leaves the layer root (`../x`).
    case pathEscapes(entry: String)
    /// A hardlink's target leaves the layer root.
    case linkEscapes(entry: String, target: String)
    /// libarchive failed: what we were doing and its message.
    case archive(operation: String, message: String)
    /// An entry type Berth does not unpack.
    case unsupportedEntry(entry: String, type: UInt32)

    public var description: String {
        switch self {
        case .pathEscapes(let e): "unpack `\(e)`: path is outside of the layer root"
        case .linkEscapes(let e, let t): "unpack `\(e)`: hardlink target `\(t)` is outside of the layer root"
        case .archive(let op, let m): "\(op): \(m)"
        case .unsupportedEntry(let e, let t): "unpack `\(e)`: unsupported entry type \(String(t, radix: 8))"
        }
    }
}
