/// Berth's own version, shared by the daemon (`/version`) and the CLI (`berth version`).
public enum BerthVersionInfo {
    public static let version = "0.1.0-dev"
    /// Filled in by release builds; "unknown" in development.
    public static let gitCommit = "unknown"
    /// Docker clients print this as "Go version"; ours is the Swift compiler.
    public static var compilerVersion: String {
        #if compiler(>=6.3)
        "swift6.3"
        #elseif compiler(>=6.2)
        "swift6.2"
        #else
        "swift6"
        #endif
    }
}
