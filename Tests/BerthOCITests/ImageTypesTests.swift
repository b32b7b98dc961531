import Testing
@testable import BerthOCI

@Suite struct ImageTypesTests {
    static let d1 = "sha256:" + String(repeating: "1", count: 64)
    static let d2 = "sha256:" + String(repeating: "2", count: 64)
    static let d3 = "sha256:" + String(repeating: "3", count: 64)

    func decode<T: Decodable>(_ t: T.Type, _ s: String) throws -> T { try OCIJSON.decode(t, from: Array(s.utf8)) }
    func encode<T: Encodable>(_ v: T) throws -> String { String(decoding: try OCIJSON.encode(v), as: UTF8.self) }

    @Test func dockerManifestRoundTrips() throws {
        let json = """
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
         "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":"\(Self.d1)"},
         "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2,"digest":"\(Self.d2)"}]}
        """
        let m = try decode(ImageManifest.self, json)
        #expect(m.mediaType == MediaType.dockerManifest)
        #expect(m.config.size == 1469)
        #expect(MediaType.isLayer(m.layers[0].mediaType))
        let again = try decode(ImageManifest.self, try encode(m))
        #expect(again == m)
        #expect(try ManifestProbe(Array(json.utf8)).detectedMediaType == MediaType.dockerManifest)
    }

    @Test func probeInfersOCITypes() throws {
        #expect(try ManifestProbe(Array(#"{"schemaVersion":2,"manifests":[]}"#.utf8)).detectedMediaType == MediaType.ociIndex)
        let m = #"{"schemaVersion":2,"config":{"mediaType":"x/y","size":1,"digest":"\#(Self.d1)"},"layers":[]}"#
        #expect(try ManifestProbe(Array(m.utf8)).detectedMediaType == MediaType.ociManifest)
    }

    @Test func configKeepsDockerFieldNames() throws {
        let json = """
        {"architecture":"arm64","variant":"v8","os":"linux","created":"2024-01-02T03:04:05Z","author":"me",
         "config":{"User":"1000:1000","Env":["PATH=/bin"],"Entrypoint":null,"Cmd":["sh"],"WorkingDir":"/w",
           "ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}},"Labels":{"a":"b"},"StopSignal":"SIGQUIT",
           "Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":30000000000,"Retries":3},"OnBuild":null},
         "rootfs":{"type":"layers","diff_ids":["\(Self.d1)","\(Self.d2)"]},
         "history":[{"created":"2024-01-02T03:04:05Z","created_by":"/bin/sh -c #(nop) CMD [\\"sh\\"]","empty_layer":true}],
         "container_config":{"Cmd":["x"]},"docker_version":"24.0.0","os.version":"10"}
        """
        let c = try decode(ImageConfig.self, json)
        #expect(c.config?.user == "1000:1000")
        #expect(c.config?.entrypoint == nil)
        #expect(c.config?.exposedPorts?["80/tcp"] != nil)
        #expect(c.config?.healthcheck?.interval == 30_000_000_000)
        #expect(c.rootfs.diffIDs.count == 2)
        #expect(c.history?.first?.emptyLayer == true)
        #expect(c.platform.description == "linux/arm64/v8")
        #expect(c.dockerVersion == "24.0.0")
        #expect(c.osVersion == "10")
        let out = try encode(c)
        #expect(out.contains(#""ExposedPorts":{"80/tcp":{}}"#))
        #expect(out.contains(#""diff_ids":["#))
        #expect(out.contains(#""created_by":"#))
        #expect(!out.contains("Entrypoint"))
        #expect(try decode(ImageConfig.self, out) == c)
    }

    @Test func platformParsingAndNormalising() throws {
        #expect(try Platform(parsing: "linux/amd64").description == "linux/amd64")
        #expect(try Platform(parsing: "linux/aarch64").description == "linux/arm64")
        #expect(try Platform(parsing: "linux/arm64/v8").description == "linux/arm64")
        #expect(try Platform(parsing: "linux/arm").description == "linux/arm/v7")
        #expect(try Platform(parsing: "x86_64").description == "linux/amd64")
        #expect(throws: PlatformError.self) { try Platform(parsing: "linux//") }
        #expect(throws: PlatformError.self) { try Platform(parsing: "a/b/c/d") }
    }

    @Test func platformMatching() {
        let arm64 = Platform(architecture: "arm64")
        #expect(arm64.matches(Platform(architecture: "arm64", variant: "v8")))
        #expect(Platform(architecture: "aarch64").matches(arm64))
        #expect(!arm64.matches(Platform(architecture: "amd64")))
        #expect(!arm64.matches(Platform(os: "windows", architecture: "arm64")))
        let v7 = Platform(architecture: "arm", variant: "v7")
        #expect(v7.matches(Platform(architecture: "arm", variant: "v6")))
        #expect(!Platform(architecture: "arm", variant: "v6").matches(v7))
    }

    @Test func indexPicksPlatform() throws {
        let json = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"\(Self.d1)","platform":{"architecture":"amd64","os":"linux"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"\(Self.d2)","platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"\(Self.d3)","platform":{"architecture":"unknown","os":"unknown"}}]}
        """
        let index = try decode(ImageIndex.self, json)
        #expect(index.manifest(for: Platform(architecture: "amd64"))?.digest.description == Self.d1)
        #expect(index.manifest(for: Platform(architecture: "arm64"))?.digest.description == Self.d2)
        #expect(index.manifest(for: Platform(architecture: "s390x")) == nil)
        #expect(index.manifests[1].platform?.variant == "v8")

        let armIndex = ImageIndex(manifests: [
            Descriptor(mediaType: MediaType.ociManifest, digest: try Digest(parsing: Self.d1), size: 1,
                       platform: Platform(architecture: "arm", variant: "v6")),
            Descriptor(mediaType: MediaType.ociManifest, digest: try Digest(parsing: Self.d2), size: 1,
                       platform: Platform(architecture: "arm", variant: "v7")),
        ])
        #expect(armIndex.manifest(for: Platform(architecture: "arm", variant: "v7"))?.digest.description == Self.d2)
        #expect(armIndex.manifest(for: Platform(architecture: "arm", variant: "v6"))?.digest.description == Self.d1)
    }

    @Test func descriptorFieldNames() throws {
        let d = Descriptor(mediaType: MediaType.ociLayerGzip, digest: try Digest(parsing: Self.d1), size: 5,
                           annotations: [Annotation.refName: "v1"], platform: Platform(architecture: "amd64"))
        let out = try encode(d)
        #expect(out == #"{"annotations":{"org.opencontainers.image.ref.name":"v1"},"digest":"\#(Self.d1)","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","platform":{"architecture":"amd64","os":"linux"},"size":5}"#)
    }
}
