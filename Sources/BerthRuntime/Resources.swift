import BerthOCI
import BerthSystem

extension CgroupResources {
    /// The spec's `linux.resources` as cgroup limits. Device rules get the default devices
    /// appended, as runc does, so a deny-all spec still leaves /dev/null usable.
    public init(spec r: Spec.Resources?, defaultDevices: Bool) {
        self.init()
        memoryLimit = r?.memory?.limit
        memoryReservation = r?.memory?.reservation
        memorySwap = r?.memory?.swap
        memorySwappiness = r?.memory?.swappiness
        disableOOMKiller = r?.memory?.disableOOMKiller
        cpuShares = r?.cpu?.shares
        cpuQuota = r?.cpu?.quota
        cpuPeriod = r?.cpu?.period
        cpusetCpus = r?.cpu?.cpus
        cpusetMems = r?.cpu?.mems
        pidsLimit = r?.pids?.limit
        blkioWeight = r?.blockIO?.weight
        unified = r?.unified ?? [:]
        devices = (r?.devices ?? []).map {
            .init(allow: $0.allow, type: $0.type ?? "a", major: $0.major, minor: $0.minor, access: $0.access ?? "rwm")
        }
        if defaultDevices && !devices.isEmpty { devices += Devices.defaultRules }
    }
}
