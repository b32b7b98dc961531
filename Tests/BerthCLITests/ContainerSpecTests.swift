import BerthAPIModels
@testable import BerthCLI
import BerthFlags
import Testing

/// `run`/`create` flags → the body of `POST /containers/create`, in the shape the docker
/// CLI sends (Config at the top level, then HostConfig and NetworkingConfig).
@Suite struct ContainerSpecTests {
    func spec(_ args: [String], detach: Bool = false, files: [String: String] = [:], env: [String: String] = [:]) throws -> ContainerSpec {
        let flags = try FlagParser.parse(args, flags: RunFlags.run, interspersed: false)
        return try ContainerSpec(flags: flags, detach: detach || flags.bool("detach"), environment: env) { path in
            guard let text = files[path] else { throw CLIError("no file") }
            return text
        }
    }

    /// As the docker CLI: `seccomp=FILE` is sent as the profile's JSON; other options as given.
    @Test func seccompProfileFileIsSentAsItsContent() throws {
        let profile = #"{"defaultAction":"SCMP_ACT_ALLOW"}"#
        let s = try spec(["--security-opt", "seccomp=/p.json", "--security-opt", "seccomp=unconfined",
                          "--security-opt", "no-new-privileges", "busybox"], files: ["/p.json": profile])
        #expect(s.body["HostConfig"]?["SecurityOpt"] == .array([.string("seccomp=" + profile), "seccomp=unconfined", "no-new-privileges"]))
        #expect(throws: CLIError.self) { try spec(["--security-opt", "seccomp=/missing.json", "busybox"]) }
    }

    @Test func representativeRunCommandLine() throws {
        let s = try spec([
            "-it", "--rm", "--name", "web", "-e", "FOO=bar", "--env", "HOME_DIR", "-p", "127.0.0.1:8080:80", "-p", "53:53/udp",
            "-v", "/srv:/data:ro", "-v", "/cache", "-m", "512m", "--memory-swap", "1g", "--cpus", "1.5", "--cpu-shares", "512",
            "--cap-add", "NET_ADMIN", "--cap-drop", "MKNOD", "--pids-limit", "100", "-w", "/app", "-u", "1000:1000",
            "--entrypoint", "/bin/sh", "--hostname", "box", "-l", "tier=web", "--init", "--read-only", "--tmpfs", "/run:size=64m",
            "--security-opt", "no-new-privileges", "--ulimit", "nofile=1024:2048", "--network", "backnet", "--link", "db",
            "--stop-signal", "SIGINT", "--stop-timeout", "5", "--health-cmd", "true", "--health-interval", "30s", "--privileged",
            "alpine:3.19", "-c", "echo hi",
        ], env: ["HOME_DIR": "/home/x"])
        let body = s.body
        #expect(s.name == "web")
        #expect(s.image == "alpine:3.19")
        #expect(body.objectValue?.keys.prefix(8) == ["Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts", "Tty"])
        #expect(body["Hostname"] == "box")
        #expect(body["User"] == "1000:1000")
        #expect(body["AttachStdin"] == true)
        #expect(body["AttachStdout"] == true)
        #expect(body["AttachStderr"] == true)
        #expect(body["Tty"] == true)
        #expect(body["OpenStdin"] == true)
        #expect(body["StdinOnce"] == true)
        #expect(body["ExposedPorts"] == ["53/udp": [:], "80/tcp": [:]])
        #expect(body["Env"] == ["FOO=bar", "HOME_DIR=/home/x"])
        #expect(body["Cmd"] == ["-c", "echo hi"])
        #expect(body["Entrypoint"] == ["/bin/sh"])
        #expect(body["Image"] == "alpine:3.19")
        #expect(body["Volumes"] == ["/cache": [:]])
        #expect(body["WorkingDir"] == "/app")
        #expect(body["Labels"] == ["tier": "web"])
        #expect(body["StopSignal"] == "SIGINT")
        #expect(body["StopTimeout"] == 5)
        #expect(body["Healthcheck"] == ["Test": ["CMD-SHELL", "true"], "Interval": 30_000_000_000])

        let host = try #require(body["HostConfig"])
        #expect(host["Binds"] == ["/srv:/data:ro"])
        #expect(host["AutoRemove"] == true)
        #expect(host["NetworkMode"] == "backnet")
        #expect(host["PortBindings"] == [
            "53/udp": [["HostIp": "", "HostPort": "53"]],
            "80/tcp": [["HostIp": "127.0.0.1", "HostPort": "8080"]],
        ])
        #expect(host["RestartPolicy"] == ["Name": "no", "MaximumRetryCount": 0])
        #expect(host["Memory"] == .int(512 * 1024 * 1024))
        #expect(host["MemorySwap"] == .int(1024 * 1024 * 1024))
        #expect(host["NanoCpus"] == 1_500_000_000)
        #expect(host["CpuShares"] == 512)
        #expect(host["CapAdd"] == ["NET_ADMIN"])
        #expect(host["CapDrop"] == ["MKNOD"])
        #expect(host["PidsLimit"] == 100)
        #expect(host["Privileged"] == true)
        #expect(host["ReadonlyRootfs"] == true)
        #expect(host["Tmpfs"] == ["/run": "size=64m"])
        #expect(host["SecurityOpt"] == ["no-new-privileges"])
        #expect(host["Ulimits"] == [["Name": "nofile", "Hard": 2048, "Soft": 1024]])
        #expect(host["Links"] == ["db:db"])
        #expect(host["Init"] == true)
        #expect(host["MemorySwappiness"] == .null)
        #expect(host["ConsoleSize"] == [0, 0])
        #expect(body["NetworkingConfig"]?["EndpointsConfig"]?["backnet"]?["Aliases"] == .null)
    }

    @Test func defaultsMatchDockersZeroValues() throws {
        let body = try spec(["busybox"]).body
        #expect(body["AttachStdin"] == false)
        #expect(body["AttachStdout"] == true)
        #expect(body["AttachStderr"] == true)
        #expect(body["ExposedPorts"] == nil)
        #expect(body["Env"] == .null)
        #expect(body["Cmd"] == .null)
        #expect(body["Entrypoint"] == .null)
        #expect(body["Labels"] == [:])
        #expect(body["Healthcheck"] == nil)
        #expect(body["StopTimeout"] == nil)
        let host = try #require(body["HostConfig"])
        #expect(host["NetworkMode"] == "default")
        #expect(host["PortBindings"] == [:])
        #expect(host["Init"] == nil)
        #expect(host["PidsLimit"] == .null)
        #expect(host["Dns"] == [])
        #expect(host["LogConfig"] == ["Type": "", "Config": [:]])
        #expect(body["NetworkingConfig"]?["EndpointsConfig"]?.objectValue?.keys == ["default"])
    }

    @Test func detachAttachesNothing() throws {
        let body = try spec(["-d", "-i", "busybox", "top"]).body
        #expect(body["AttachStdin"] == false)
        #expect(body["AttachStdout"] == false)
        #expect(body["AttachStderr"] == false)
        #expect(body["OpenStdin"] == true)
        #expect(body["StdinOnce"] == false)
        #expect(throws: CLIError.self) { try spec(["-d", "-a", "stdout", "busybox"]) }
    }

    @Test func envAndLabelFiles() throws {
        let files = ["e.env": "# comment\nA=1\n\nB=two words\nLOCAL\n", "l.txt": "x=1\ny\n"]
        let body = try spec(["--env-file", "e.env", "-e", "C=3", "--label-file", "l.txt", "busybox"], files: files, env: ["LOCAL": "here"]).body
        #expect(body["Env"] == ["A=1", "B=two words", "LOCAL=here", "C=3"])
        #expect(body["Labels"] == ["x": "1", "y": ""])
    }

    @Test func portsMountsAndRestart() throws {
        #expect(try PortSpec.parse("8000-8001:80-81").map(\.0) == ["80/tcp", "81/tcp"])
        #expect(try PortSpec.parse("8000-8001:80-81")[1].1 == ["HostIp": "", "HostPort": "8001"])
        #expect(try PortSpec.parse("[::1]:8080:80")[0].1 == ["HostIp": "::1", "HostPort": "8080"])
        #expect(throws: CLIError.self) { try PortSpec.parse("80/xyz") }
        #expect(try MountSpec.parse("type=bind,source=/a,target=/b,readonly") == ["Type": "bind", "Source": "/a", "Target": "/b", "ReadOnly": true])
        #expect(try MountSpec.parse("type=tmpfs,dst=/t,tmpfs-size=1m") == ["Type": "tmpfs", "Target": "/t", "TmpfsOptions": ["SizeBytes": 1_048_576]])
        #expect(throws: CLIError.self) { try MountSpec.parse("type=bind,source=/a") }
        #expect(try RestartPolicy.parse("on-failure:3") == ["Name": "on-failure", "MaximumRetryCount": 3])
        #expect(throws: CLIError.self) { try RestartPolicy.parse("always:3") }
        #expect(ByteAmount.parse("1.5g") == 1_610_612_736)
        #expect(ByteAmount.parse("64MiB") == 67_108_864)
        #expect(ByteAmount.parse("100") == 100)
        #expect(ByteAmount.parse("12x") == nil)
        #expect(try DeviceSpec.parse("/dev/sda:r") == ["PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "r"])
    }

    @Test func execBody() throws {
        let flags = try FlagParser.parse(["-it", "-u", "root", "-e", "X=1", "web", "sh"], flags: Command.exec.flags, interspersed: false)
        let body = try execConfig(flags, environment: [:], consoleSize: (24, 80)) { _ in "" }
        #expect(body.objectValue?.keys == ["User", "Privileged", "Tty", "ConsoleSize", "AttachStdin", "AttachStderr", "AttachStdout", "Detach", "DetachKeys", "Env", "WorkingDir", "Cmd"])
        #expect(body["ConsoleSize"] == [24, 80])
        #expect(body["AttachStdin"] == true)
        #expect(body["Cmd"] == ["sh"])
        #expect(body["Env"] == ["X=1"])
    }
}
