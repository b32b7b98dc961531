// swift-tools-version:6.0
// Berth: a Docker-compatible container engine. Module layers are described in DESIGN.md
// (shared/DESIGN.md); each target depends only on targets listed above it.
import PackageDescription

// The release shim is linked at a fixed address (not PIE): a PIE with the Swift runtime linked
// in statically carries about 15k relative relocations, which the loader applies at every start,
// dirtying each page they touch. Non-PIE, those pages stay clean and shared between all shims
// (PSS 1130 -> 835 KiB with 60 containers). berthd and berth stay PIE: berthd runs as root and
// parses what clients and archives send it, so its code keeps its random address (non-PIE
// would save it the 0.7 MiB of pages its relocations dirty).
let noPIE: [LinkerSetting] = [.unsafeFlags(["-Xclang-linker", "-no-pie"], .when(configuration: .release))]

let package = Package(
    name: "Berth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
        .executable(name: "berthd", targets: ["berthd"]),
        .executable(name: "berth-shim", targets: ["berth-shim"]),
        .executable(name: "berth-runtime", targets: ["berth-runtime"]),
        .executable(name: "berth-init", targets: ["berth-init"]),
        .executable(name: "berth-archive", targets: ["berth-archive"]),
        .executable(name: "berth-fetch", targets: ["berth-fetch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // The few syscalls Swift cannot make safely (clone, pivot_root, fd passing) and
        // the libseccomp shim.
        .target(name: "CBerth", linkerSettings: [.linkedLibrary("seccomp")]),
        // libarchive, kept apart so the runtime and the shim don't load it (and its
        // libxml2/ICU dependencies) at every container start.
        .target(name: "CArchive", linkerSettings: [.linkedLibrary("archive")]),
        .target(name: "BerthSystem", dependencies: ["CBerth"]),
        // JSON and Codable without Foundation, so the runtime and the shim stay small.
        .target(name: "BerthJSON"),
        .target(name: "BerthOCI", dependencies: ["BerthJSON"]),
        // Nettle (nettle-dev): the sha256 of blobs and layers.
        .systemLibrary(name: "CNettle", pkgConfig: "nettle"),
        .target(name: "BerthDigest", dependencies: ["BerthOCI", "CNettle"]),
        .target(name: "BerthRuntime", dependencies: ["BerthSystem", "BerthOCI", "BerthJSON", "CBerth"]),
        .target(
            name: "BerthImage",
            dependencies: ["BerthSystem", "BerthOCI", "BerthDigest", "CBerth", "CArchive"]
        ),
        // Distribution API v2 / OCI registry client. Knows no store: it hands out streams and
        // BerthFetch joins them to BerthImage.
        .target(
            name: "BerthRegistry",
            dependencies: [
                "BerthOCI", "BerthDigest",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Networks and endpoints: IPAM, published ports, netavark + aardvark-dns runs.
        .target(name: "BerthNetwork", dependencies: ["BerthSystem", "BerthJSON", "CBerth"]),
        .target(name: "BerthAPIModels", dependencies: ["BerthOCI", "BerthJSON"]),
        .target(
            name: "BerthEngine",
            dependencies: ["BerthRuntime", "BerthImage", "BerthNetwork", "BerthOCI", "BerthSystem", "BerthAPIModels", "CBerth"]
        ),
        .target(
            name: "BerthAPI",
            dependencies: [
                "BerthAPIModels", "BerthSystem", "BerthEngine", "BerthImage", "BerthNetwork", "BerthOCI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Pull, push, login and search: the registry client joined to the stores. It runs in
        // `berth-fetch`, never in berthd, so the daemon links no HTTP/TLS client.
        .target(name: "BerthFetch", dependencies: ["BerthRegistry", "BerthImage", "BerthAPIModels", "BerthOCI", "BerthSystem"]),
        .target(name: "BerthClient", dependencies: ["BerthAPIModels", "BerthSystem"]),
        // Docker-style flag parsing and help text, for berth, berthd and their tests.
        .target(name: "BerthFlags"),
        .target(name: "BerthCLI", dependencies: ["BerthClient", "BerthAPIModels", "BerthFlags"]),

        .executableTarget(name: "berth-runtime", dependencies: ["BerthRuntime"]),
        .executableTarget(name: "berth-shim", dependencies: ["BerthRuntime"], linkerSettings: noPIE),
        // Statically linked: berthd bind-mounts it into `--init` containers, whose rootfs has
        // no Swift runtime.
        .executableTarget(name: "berth-init", linkerSettings: [.unsafeFlags(["-static-executable"])]),
        .executableTarget(name: "berthd", dependencies: ["BerthAPI", "BerthFlags", "BerthNetwork"]),
        .executableTarget(name: "berth", dependencies: ["BerthCLI"]),
        // `berth cp`'s local tar work, apart so that `berth` does not load libarchive.
        .executableTarget(name: "berth-archive", dependencies: ["BerthImage"]),
        // berthd's registry work (pull, push, login, search, import from a URL), one process each.
        .executableTarget(name: "berth-fetch", dependencies: ["BerthFetch", "BerthAPIModels", "BerthSystem"]),
        // BerthJSON against Foundation's coders; prints timings (not part of the tests).
        .executableTarget(name: "berth-json-bench", dependencies: ["BerthJSON", "BerthOCI", "BerthRuntime"],
                          path: "bench/json"),

        .testTarget(name: "BerthJSONTests", dependencies: ["BerthJSON", "BerthOCI"]),
        .testTarget(name: "BerthOCITests", dependencies: ["BerthOCI"]),
        .testTarget(name: "BerthRuntimeTests", dependencies: ["BerthRuntime", "BerthOCI", "BerthSystem"]),
        .testTarget(name: "BerthImageTests", dependencies: ["BerthImage", "BerthDigest", "BerthOCI", "BerthSystem", "CBerth", "CArchive"]),
        .testTarget(
            name: "BerthRegistryTests",
            dependencies: ["BerthRegistry", "BerthImage", "BerthOCI", "BerthSystem"],
            exclude: ["fake_registry.py"]
        ),
        .testTarget(name: "BerthAPITests", dependencies: ["BerthAPI", "BerthClient", "BerthAPIModels", "BerthCLI", "BerthFlags"]),
        .testTarget(name: "BerthNetworkTests", dependencies: ["BerthNetwork"]),
        .testTarget(name: "BerthEngineTests", dependencies: ["BerthEngine"]),
        .testTarget(name: "BerthCLITests", dependencies: ["BerthCLI", "BerthFlags", "BerthClient", "BerthAPIModels", "CBerth"]),
    ]
)
