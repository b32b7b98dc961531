import BerthOCI

extension Digest {
    /// The chain IDs of a stack of layers, base first (OCI image spec, config.md):
    /// `ChainID(L0) = DiffID(L0)`, `ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))`.
    /// A chain ID names a layer together with everything below it, so it keys a snapshot.
    public static func chainIDs(_ diffIDs: [Digest]) -> [Digest] {
        var out: [Digest] = []
        for diffID in diffIDs {
            if let parent = out.last {
                out.append(.sha256(of: Array("\(parent) \(diffID)".utf8)))
            } else {
                out.append(diffID)
            }
        }
        return out
    }
}
