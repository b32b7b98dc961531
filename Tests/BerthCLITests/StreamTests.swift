import BerthAPIModels
import Testing
@testable import BerthCLI

/// Docker's multiplexed frames and the detach-key scanner.
@Suite struct StreamTests {
    @Test func demuxAcrossPartialReads() {
        let bytes = MultiplexedStream.frame(.stdout, Array("hello\n".utf8)) + MultiplexedStream.frame(.stderr, Array("oops\n".utf8))
        var decoder = MultiplexedStream.Decoder()
        var out = "", err = ""
        for chunk in [Array(bytes[0..<3]), Array(bytes[3..<11]), Array(bytes[11...])] {
            for frame in decoder.feed(chunk) {
                if frame.kind == .stdout { out += String(decoding: frame.payload, as: UTF8.self) } else { err += String(decoding: frame.payload, as: UTF8.self) }
            }
        }
        #expect(out == "hello\n")
        #expect(err == "oops\n")
        #expect(decoder.pendingCount == 0)
    }

    @Test func detachKeySpelling() throws {
        #expect(try DetachKeys("ctrl-p,ctrl-q").bytes == [16, 17])
        #expect(try DetachKeys("ctrl-@,ctrl-[,ctrl-_,a,DEL").bytes == [0, 27, 31, 97, 127])
        #expect(throws: CLIError.self) { try DetachKeys("ctrl-1") }
        #expect(throws: CLIError.self) { try DetachKeys("abc") }
    }

    @Test func detachKeysAreFoundAcrossReads() throws {
        var scanner = DetachKeys.Scanner(try DetachKeys(DetachKeys.defaultSpec))
        var result = scanner.feed(Array("ls\u{10}".utf8))
        #expect(result.forward == Array("ls".utf8))
        #expect(!result.detached)
        result = scanner.feed([17])
        #expect(result.detached)
        #expect(result.forward.isEmpty)
    }

    @Test func brokenSequenceIsPassedOn() throws {
        var scanner = DetachKeys.Scanner(try DetachKeys(DetachKeys.defaultSpec))
        var result = scanner.feed([16, 65])
        #expect(result.forward == [16, 65])
        #expect(!result.detached)
        result = scanner.feed([16, 16, 17])
        #expect(result.forward == [16])
        #expect(result.detached)
    }
}
