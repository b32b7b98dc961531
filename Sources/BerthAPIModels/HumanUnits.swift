/// Durations and sizes the way Docker prints them (the go-units package): `Up 5 seconds`,
/// `2 minutes ago`, `5.6MB`. The CLI uses these for its tables; the daemon for the
/// `Status` text of `/containers/json`.
public enum HumanUnits {
    /// go-units `HumanDuration`: "Less than a second", "1 second", "About a minute",
    /// "3 hours", "2 weeks", ...
    public static func duration(seconds: Double) -> String {
        let whole = Int(seconds)
        if whole < 1 { return "Less than a second" }
        if whole == 1 { return "1 second" }
        if whole < 60 { return "\(whole) seconds" }
        let minutes = Int(seconds / 60)
        if minutes == 1 { return "About a minute" }
        if minutes < 60 { return "\(minutes) minutes" }
        let hours = Int(seconds / 3600 + 0.5)
        if hours == 1 { return "About an hour" }
        if hours < 48 { return "\(hours) hours" }
        if hours < 24 * 7 * 2 { return "\(hours / 24) days" }
        if hours < 24 * 30 * 2 { return "\(hours / 24 / 7) weeks" }
        if hours < 24 * 365 * 2 { return "\(hours / 24 / 30) months" }
        return "\(Int(seconds / 3600) / 24 / 365) years"
    }

    /// go-units `HumanSizeWithPrecision`: decimal units and `%.*g`, so `5.6MB`, `1.23kB`.
    /// `docker images` and `docker ps -s` use precision 3, progress bars 4.
    public static func size(_ bytes: Double, precision: Int = 4) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        var value = bytes
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return formatG(value, precision: precision) + units[unit]
    }

    /// go-units `BytesSize`: binary units with four significant digits, `23.54GiB`.
    public static func binarySize(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
        var value = bytes
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return formatG(value, precision: 4) + units[unit]
    }

    /// Go's `%.*g`: `precision` significant digits, trailing zeros dropped, and the
    /// exponent form when the exponent is below -4 or not below the precision.
    public static func formatG(_ value: Double, precision: Int) -> String {
        if value == 0 { return "0" }
        if !value.isFinite { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
        let p = max(1, precision)
        var exponent = 0
        var magnitude = abs(value)
        while magnitude >= 10 { magnitude /= 10; exponent += 1 }
        while magnitude < 1 { magnitude *= 10; exponent -= 1 }
        // Rounding to p digits can carry into a new digit (9.995 → 10.0).
        if Double(fixed(magnitude, p - 1)) ?? 0 >= 10 { exponent += 1 }
        if exponent < -4 || exponent >= p {
            var mantissa = abs(value)
            for _ in 0..<abs(exponent) { mantissa = exponent > 0 ? mantissa / 10 : mantissa * 10 }
            let digits = trimZeros(fixed(mantissa, p - 1))
            let e = abs(exponent)
            return (value < 0 ? "-" : "") + digits + (exponent < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
        }
        return trimZeros(fixed(value, max(0, p - 1 - exponent)))
    }

    /// `%.Nf` without Foundation.
    public static func fixed(_ value: Double, _ precision: Int) -> String {
        var scale = 1.0
        for _ in 0..<precision { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = (scaled / scale).rounded(.down)
        let fraction = scaled - whole * scale
        var fractionText = precision > 0 ? String(Int64(fraction)) : ""
        if precision > 0 { fractionText = String(repeating: "0", count: max(0, precision - fractionText.count)) + fractionText }
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return sign + String(Int64(whole)) + (precision > 0 ? "." + fractionText : "")
    }

    private static func trimZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var out = text
        while out.hasSuffix("0") { out.removeLast() }
        if out.hasSuffix(".") { out.removeLast() }
        return out
    }
}
