import BerthAPIModels

/// `docker images` rows: each image of `GET /images/json`, one row per repository and
/// tag (and digest with `--digests`), as Docker's image formatter does.
enum ImageRows {
    static func defaultTable(digests: Bool) -> String {
        "{{.Repository}}\t{{.Tag}}\t" + (digests ? "{{.Digest}}\t" : "") + "{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
    }

    static let headers: [String: String] = [
        "ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
        "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
        "VirtualSize": "VIRTUAL SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
    ]

    static func rows(_ images: [JSONValue], truncate: Bool, digests: Bool, now: Double) -> [JSONValue] {
        var out: [JSONValue] = []
        for image in images {
            let tags = (image["RepoTags"]?.arrayValue ?? []).compactMap(\.stringValue).filter { $0 != "<none>:<none>" }
            let repoDigests = (image["RepoDigests"]?.arrayValue ?? []).compactMap(\.stringValue).filter { $0 != "<none>@<none>" }
            if tags.isEmpty && repoDigests.isEmpty {
                out.append(row(image, repository: "<none>", tag: "<none>", digest: "<none>", truncate: truncate, now: now))
                continue
            }
            // Repository → tags and repository → digests, in first-seen order.
            var tagged: [(String, [String])] = []
            for reference in tags {
                let familiar = Names.familiar(reference)
                guard let colon = familiar.lastIndex(of: ":"), !familiar[colon...].contains("/") else { continue }
                let repository = String(familiar[..<colon]), tag = String(familiar[familiar.index(after: colon)...])
                if let i = tagged.firstIndex(where: { $0.0 == repository }) { tagged[i].1.append(tag) } else { tagged.append((repository, [tag])) }
            }
            var digested: [(String, [String])] = []
            for reference in repoDigests {
                guard let at = reference.firstIndex(of: "@") else { continue }
                let repository = Names.familiar(String(reference[..<at])), digest = String(reference[reference.index(after: at)...])
                if let i = digested.firstIndex(where: { $0.0 == repository }) { digested[i].1.append(digest) } else { digested.append((repository, [digest])) }
            }
            for (repository, tagList) in tagged {
                var repositoryDigests = digested.first(where: { $0.0 == repository })?.1 ?? []
                digested.removeAll { $0.0 == repository }
                if !digests { repositoryDigests = [] }
                for tag in tagList {
                    if repositoryDigests.isEmpty {
                        out.append(row(image, repository: repository, tag: tag, digest: "<none>", truncate: truncate, now: now))
                    }
                    for digest in repositoryDigests {
                        out.append(row(image, repository: repository, tag: tag, digest: digest, truncate: truncate, now: now))
                    }
                }
            }
            for (repository, digestList) in digested {
                if digests {
                    for digest in digestList {
                        out.append(row(image, repository: repository, tag: "<none>", digest: digest, truncate: truncate, now: now))
                    }
                } else {
                    out.append(row(image, repository: repository, tag: "<none>", digest: "<none>", truncate: truncate, now: now))
                }
            }
        }
        return out
    }

    static func row(_ image: JSONValue, repository: String, tag: String, digest: String, truncate: Bool, now: Double) -> JSONValue {
        var row = JSONObject()
        let containers = image["Containers"]?.intValue ?? -1
        row["Containers"] = .string(containers == -1 ? "N/A" : String(containers))
        let created = image["Created"]?.intValue ?? 0
        row["CreatedAt"] = .string(Clock.goTimeString(created))
        row["CreatedSince"] = .string(created == 0 ? "N/A" : HumanUnits.duration(seconds: now - Double(created)) + " ago")
        row["Digest"] = .string(digest)
        let id = image["Id"]?.stringValue ?? ""
        row["ID"] = .string(truncate ? Names.truncateID(id) : id)
        row["Repository"] = .string(repository)
        let size = image["Size"]?.intValue ?? 0
        let shared = image["SharedSize"]?.intValue ?? -1
        row["SharedSize"] = .string(shared == -1 ? "N/A" : HumanUnits.size(Double(shared)))   // precision 4, as Docker's
        row["Size"] = .string(HumanUnits.size(Double(size), precision: 3))
        row["Tag"] = .string(tag)
        row["UniqueSize"] = .string(shared == -1 ? "N/A" : HumanUnits.size(Double(size - shared)))
        row["VirtualSize"] = .string(HumanUnits.size(Double(size), precision: 3))
        return .object(row)
    }
}
