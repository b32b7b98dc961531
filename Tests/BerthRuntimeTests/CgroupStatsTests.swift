import Testing
@testable import BerthSystem

/// The cgroup counters stats read, from v1 and v2 files as the kernel writes them.
@Suite struct CgroupStatsTests {
    @Test func v1Counters() {
        let files: [String: String] = [
            "cpuacct/cpuacct.usage": "5000000000\n",
            "cpuacct/cpuacct.usage_percpu": "3000000000 2000000000 \n",
            "cpu/cpu.stat": "nr_periods 10\nnr_throttled 4\nthrottled_time 12345\n",
            "memory/memory.usage_in_bytes": "4096000\n",
            "memory/memory.limit_in_bytes": "9223372036854771712\n",
            "memory/memory.stat": "cache 100\nrss 200\ntotal_inactive_file 50\n",
            "pids/pids.current": "3\n",
            "pids/pids.max": "max\n",
            "blkio/blkio.throttle.io_service_bytes_recursive": "8:0 Read 4096\n8:0 Write 8192\nTotal 12288\n",
        ]
        let s = Cgroup.statsV1 { files["\($0)/\($1)"] }
        #expect(s.cpuTotal == 5_000_000_000)
        #expect(s.cpuPerCPU == [3_000_000_000, 2_000_000_000])
        #expect(s.throttlePeriods == 10 && s.throttledPeriods == 4 && s.throttledTime == 12345)
        #expect(s.memoryUsage == 4_096_000 && s.memoryLimit == nil)
        #expect(s.memoryStat.map(\.key) == ["cache", "rss", "total_inactive_file"])
        #expect(s.pidsCurrent == 3 && s.pidsLimit == nil)
        #expect(s.ioServiceBytes == [.init(major: 8, minor: 0, op: "Read", value: 4096),
                                     .init(major: 8, minor: 0, op: "Write", value: 8192)])
    }

    @Test func v2Counters() {
        let files: [String: String] = [
            "cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\nthrottled_usec 30\n",
            "memory.current": "8192\n",
            "memory.max": "33554432\n",
            "memory.stat": "anon 4096\ninactive_file 1024\n",
            "memory.events": "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n",
            "pids.current": "2\n",
            "pids.max": "20\n",
            "io.stat": "8:16 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n",
        ]
        let s = Cgroup.statsV2 { files[$0] }
        #expect(s.cpuTotal == 1_500_000 && s.cpuUser == 1_000_000 && s.cpuKernel == 500_000)
        #expect(s.cpuPerCPU == nil)
        #expect(s.throttledTime == 30_000)
        #expect(s.memoryUsage == 8192 && s.memoryLimit == 33_554_432 && s.memoryFailcnt == 5)
        #expect(s.pidsCurrent == 2 && s.pidsLimit == 20)
        #expect(s.ioServiceBytes == [.init(major: 8, minor: 16, op: "read", value: 100),
                                     .init(major: 8, minor: 16, op: "write", value: 200)])
        #expect(s.ioServiced.map(\.value) == [1, 2])
    }
}
