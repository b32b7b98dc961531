import BerthDigest

/// The store's running sha256 (nettle's, see BerthDigest).
typealias DigestHasher = SHA256Hasher
