import BerthAPIModels

/// What the CLI reports about itself in `berth version` and `berth info`.
enum ClientInfo {
    static let version = BerthVersionInfo.version
    static let gitCommit = BerthVersionInfo.gitCommit

    /// GOARCH spelling of the architecture this binary was built for.
    static var arch: String {
        #if arch(x86_64)
        "amd64"
        #elseif arch(arm64)
        "arm64"
        #else
        "unknown"
        #endif
    }
}

/// Byte counts the way Docker prints them (go-units `BytesSize`): binary units with four
/// significant digits, `23.54GiB`.
public enum ByteSize {
    public static func binary(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return significant(value, digits: 4) + units[unit]
    }

    /// `%.Ng`: N significant digits, trailing zeros dropped.
    static func significant(_ value: Double, digits: Int) -> String {
        if value == 0 { return "0" }
        var integerDigits = 1
        var scale = 1.0
        while abs(value) >= scale * 10 { scale *= 10; integerDigits += 1 }
        var text = GoFormat.fixed(value, max(0, digits - integerDigits))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
