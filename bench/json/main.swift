// berth-json-bench: BerthJSON against Foundation on OCI configs. Prints timings only.
//   swift build -c release --product berth-json-bench && .build/release/berth-json-bench
import BerthJSON
import BerthOCI
import BerthRuntime
import Foundation

/// Time of one call in the fastest of `rounds` rounds of `iterations` calls, in
/// microseconds; the minimum is the least disturbed by other work on the machine.
func measure(iterations: Int, rounds: Int = 15, _ body: () throws -> Void) rethrows -> Double {
    var samples: [Double] = []
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        for _ in 0..<iterations { try body() }
        let elapsed = ContinuousClock.now - start
        let (s, attos) = elapsed.components
        samples.append((Double(s) * 1e6 + Double(attos) / 1e12) / Double(iterations))
    }
    return samples.min()!
}

func row(_ name: String, _ bytes: Int, _ ours: Double, _ theirs: Double) {
    let pad = { (s: String, n: Int) in s + String(repeating: " ", count: max(0, n - s.count)) }
    let ratio = theirs / ours
    print(pad(name, 44) + pad("\(bytes) B", 10) + pad(String(format: "%.1f µs", ours), 12)
          + pad(String(format: "%.1f µs", theirs), 12) + String(format: "%.1fx", ratio))
}

let docker = try Spec.dockerDefault(args: ["sh"])
let plain = Spec.runtimeDefault()
let foundationEncoder = JSONEncoder()
foundationEncoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
let inputs: [(String, [UInt8])] = [
    ("runtimeDefault config.json", Array(try foundationEncoder.encode(plain))),
    ("dockerDefault config.json (compact)", Array(try foundationEncoder.encode(docker))),
    ("dockerDefault config.json (pretty)", try BerthJSONEncoder(sortedKeys: true, pretty: true).encode(docker)),
]

// `--profile [--small] [N]`: only BerthJSON's decoding (or encoding, with
// `--profile-encode`), N times, for a profiler.
if CommandLine.arguments.contains("--profile-encode") {
    let spec = CommandLine.arguments.contains("--small") ? plain : docker
    let count = CommandLine.arguments.last.flatMap { Int($0) } ?? 5000
    for _ in 0..<count { _ = try BerthJSONEncoder(sortedKeys: true).encode(spec) }
    exit(0)
}
if CommandLine.arguments.contains("--profile") {
    let bytes = inputs[CommandLine.arguments.contains("--small") ? 0 : 1].1
    let count = CommandLine.arguments.last.flatMap { Int($0) } ?? 20000
    for _ in 0..<count { _ = try BerthJSONDecoder().decode(Spec.self, from: bytes) }
    exit(0)
}

print("operation                                   size      BerthJSON   Foundation  speed-up")
for (name, bytes) in inputs {
    let data = Data(bytes)
    let n = max(100, 1_000_000 / bytes.count)
    let ours = try measure(iterations: n) { _ = try BerthJSONDecoder().decode(Spec.self, from: bytes) }
    let theirs = try measure(iterations: n) { _ = try JSONDecoder().decode(Spec.self, from: data) }
    row("decode " + name, bytes.count, ours, theirs)
}
for (name, bytes) in inputs {
    let data = Data(bytes)
    let n = max(100, 1_000_000 / bytes.count)
    let ours = try measure(iterations: n) { _ = try JSONValue(parsing: bytes) }
    let theirs = try measure(iterations: n) { _ = try JSONSerialization.jsonObject(with: data) }
    row("parse " + name, bytes.count, ours, theirs)
}
let ourEncoder = BerthJSONEncoder(sortedKeys: true)
for (name, spec) in [("runtimeDefault", plain), ("dockerDefault", docker)] {
    let size = try ourEncoder.encode(spec).count
    let n = max(100, 1_000_000 / size)
    let ours = try measure(iterations: n) { _ = try ourEncoder.encode(spec) }
    let theirs = try measure(iterations: n) { _ = try foundationEncoder.encode(spec) }
    row("encode " + name + " (sorted keys)", size, ours, theirs)
}
let profile = Array(DockerSeccompProfile.defaultJSON.utf8)
let ours = try measure(iterations: 200) { _ = try BerthJSONDecoder().decode(DockerSeccompProfile.self, from: profile) }
let theirs = try measure(iterations: 200) { _ = try JSONDecoder().decode(DockerSeccompProfile.self, from: Data(profile)) }
row("decode Docker seccomp profile", profile.count, ours, theirs)
