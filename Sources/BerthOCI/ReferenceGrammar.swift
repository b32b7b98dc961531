/// Docker's reference grammar (distribution/reference `regexp.go`) as a hand-written matcher:
///
///     reference        := name [ ":" tag ] [ "@" digest ]
///     name             := [domain '/'] remote-name
///     domain           := host [':' port-number]
///     host             := domain-name | '[' IPv6address ']'
///     domain-name      := domain-component ['.' domain-component]*
///     domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
///     port-number      := /[0-9]+/
///     remote-name      := path-component ['/' path-component]*
///     path-component   := alpha-numeric [separator alpha-numeric]*
///     alpha-numeric    := /[a-z0-9]+/
///     separator        := /[_.]|__|[-]+/
///     tag              := /[\w][\w.-]{0,127}/
///     digest           := algorithm ":" /[0-9a-fA-F]{32,}/
///     algorithm        := /[A-Za-z][A-Za-z0-9]*/ [ /[-_+.]/ /[A-Za-z][A-Za-z0-9]*/ ]*
enum ReferenceGrammar {
    /// Docker's `ParseNormalizedNamed`.
    static func parseNormalized(_ s: String) throws(ReferenceError) -> Reference {
        if Reference.isFullIdentifier(s) { throw .identifierAsName(s) }
        let (domain, remainder) = splitDockerDomain(s)
        let remoteName = remainder.firstIndex(of: ":").map { String(remainder[..<$0]) } ?? remainder
        if remoteName.lowercased() != remoteName { throw .remoteNameNotLowercase(remoteName) }
        let ref = try parse(domain + "/" + remainder)
        guard let refDomain = ref.domain else { throw .invalidFormat }
        return Reference(domain: refDomain, path: ref.path, tag: ref.tag, digest: ref.digest)
    }

    /// Docker's `splitDockerDomain`: the first component is a registry host when it has a `.`
    /// or `:`, is `localhost`, or has an uppercase letter.
    static func splitDockerDomain(_ name: String) -> (String, String) {
        var domain: String, remainder: String
        if let slash = name.firstIndex(of: "/") {
            let first = String(name[..<slash])
            if !first.contains(where: { $0 == "." || $0 == ":" }) && first != "localhost" && first.lowercased() == first {
                domain = Reference.defaultDomain; remainder = name
            } else {
                domain = first; remainder = String(name[name.index(after: slash)...])
            }
        } else {
            domain = Reference.defaultDomain; remainder = name
        }
        if domain == Reference.legacyDefaultDomain { domain = Reference.defaultDomain }
        if domain == Reference.defaultDomain && !remainder.contains("/") {
            remainder = Reference.officialRepoPrefix + remainder
        }
        return (domain, remainder)
    }

    struct Parsed {
        var domain: String?
        var path: String
        var tag: String?
        var digest: Digest?
    }

    /// Docker's `Parse`: the whole string must match the grammar above.
    static func parse(_ s: String) throws(ReferenceError) -> Parsed {
        guard let m = match(Array(s.utf8)) else {
            if s.isEmpty { throw .nameEmpty }
            if match(Array(s.lowercased().utf8)) != nil { throw .nameContainsUppercase }
            throw .invalidFormat
        }
        if m.name.count > Reference.nameTotalLengthMax { throw .nameTooLong }
        var parsed = Parsed(domain: nil, path: String(decoding: m.name, as: UTF8.self))
        if let slash = m.name.firstIndex(of: UInt8(ascii: "/")),
           isDomain(m.name[..<slash]), isRemoteName(m.name[(slash + 1)...]) {
            parsed.domain = String(decoding: m.name[..<slash], as: UTF8.self)
            parsed.path = String(decoding: m.name[(slash + 1)...], as: UTF8.self)
        }
        parsed.tag = m.tag.map { String(decoding: $0, as: UTF8.self) }
        if let d = m.digest { parsed.digest = try validateDigest(String(decoding: d, as: UTF8.self)) }
        return parsed
    }

    /// go-digest's `Digest.Validate` for the algorithms Berth supports.
    static func validateDigest(_ s: String) throws(ReferenceError) -> Digest {
        guard let colon = s.firstIndex(of: ":") else { throw .digestInvalidFormat }
        let alg = s[..<colon], hex = s[s.index(after: colon)...]
        let length: Int
        switch alg {
        case "sha256": length = 64
        case "sha512": length = 128
        default: throw .digestUnsupported
        }
        guard hex.utf8.count == length else { throw .digestInvalidLength }
        guard hex.utf8.allSatisfy(isLowerHex) else { throw .digestInvalidFormat }
        guard let d = try? Digest(parsing: s) else { throw .digestInvalidFormat }
        return d
    }

    /// A full match of `reference`: name, optional tag, optional digest.
    static func match(_ b: [UInt8]) -> (name: ArraySlice<UInt8>, tag: ArraySlice<UInt8>?, digest: ArraySlice<UInt8>?)? {
        var rest = b[...]
        var digest: ArraySlice<UInt8>?
        if let at = rest.firstIndex(of: UInt8(ascii: "@")) {
            digest = rest[(at + 1)...]
            rest = rest[..<at]
            guard isDigest(digest!) else { return nil }
        }
        var tag: ArraySlice<UInt8>?
        let lastSlash = rest.lastIndex(of: UInt8(ascii: "/")) ?? rest.startIndex
        if let colon = rest[lastSlash...].lastIndex(of: UInt8(ascii: ":")) {
            tag = rest[(colon + 1)...]
            rest = rest[..<colon]
            guard isTag(tag!) else { return nil }
        }
        guard isName(rest) else { return nil }
        return (rest, tag, digest)
    }

    static func isName(_ s: ArraySlice<UInt8>) -> Bool {
        if isRemoteName(s) { return true }
        guard let slash = s.firstIndex(of: UInt8(ascii: "/")) else { return false }
        return isDomain(s[..<slash]) && isRemoteName(s[(slash + 1)...])
    }

    static func isRemoteName(_ s: ArraySlice<UInt8>) -> Bool {
        let parts = s.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy(isPathComponent)
    }

    /// alpha-numeric [separator alpha-numeric]*, separator = `.` | `_` | `__` | `-`+.
    static func isPathComponent(_ s: ArraySlice<UInt8>) -> Bool {
        var i = s.startIndex
        func alnumRun() -> Bool {
            let start = i
            while i < s.endIndex, isLowerAlnum(s[i]) { i += 1 }
            return i > start
        }
        guard alnumRun() else { return false }
        while i < s.endIndex {
            switch s[i] {
            case UInt8(ascii: "."): i += 1
            case UInt8(ascii: "_"):
                i += 1
                if i < s.endIndex, s[i] == UInt8(ascii: "_") { i += 1 }
            case UInt8(ascii: "-"):
                while i < s.endIndex, s[i] == UInt8(ascii: "-") { i += 1 }
            default: return false
            }
            guard alnumRun() else { return false }
        }
        return true
    }

    static func isDomain(_ s: ArraySlice<UInt8>) -> Bool {
        var host = s
        if let colon = s.lastIndex(of: UInt8(ascii: ":")), s.first != UInt8(ascii: "[") || s[colon - 1] == UInt8(ascii: "]") {
            let port = s[(colon + 1)...]
            guard !port.isEmpty, port.allSatisfy(isDigit) else { return false }
            host = s[..<colon]
        }
        if host.first == UInt8(ascii: "[") {
            guard host.count > 2, host.last == UInt8(ascii: "]") else { return false }
            return host.dropFirst().dropLast().allSatisfy { isHex($0) || $0 == UInt8(ascii: ":") }
        }
        let parts = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { p in
            guard let f = p.first, let l = p.last, isAlnum(f), isAlnum(l) else { return false }
            return p.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// `[\w][\w.-]{0,127}`
    static func isTag(_ s: ArraySlice<UInt8>) -> Bool {
        guard let f = s.first, isWord(f), s.count <= 128 else { return false }
        return s.allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isDigest(_ s: ArraySlice<UInt8>) -> Bool {
        guard let colon = s.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let hex = s[(colon + 1)...]
        guard hex.count >= 32, hex.allSatisfy(isHex) else { return false }
        let alg = s[..<colon]
        var expectStart = true
        for c in alg {
            if expectStart {
                guard isAlpha(c) else { return false }
                expectStart = false
            } else if c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") {
                expectStart = true
            } else if !isAlnum(c) {
                return false
            }
        }
        return !expectStart
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isAlpha(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
    static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }
    static func isLowerAlnum(_ c: UInt8) -> Bool { isDigit(c) || (c >= 97 && c <= 122) }
    static func isWord(_ c: UInt8) -> Bool { isAlnum(c) || c == UInt8(ascii: "_") }
    static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) }
    static func isLowerHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 97 && c <= 102) }
}
