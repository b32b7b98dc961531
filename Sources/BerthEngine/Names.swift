/// Docker-style default names, `adjective_surname`: a readable name for every container.
enum Names {
    static let adjectives = [
        "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful", "blissful",
        "bold", "boring", "brave", "busy", "charming", "clever", "compassionate", "competent", "condescending",
        "confident", "cool", "cranky", "crazy", "dazzling", "determined", "distracted", "dreamy", "eager",
        "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic", "exciting", "fervent", "festive",
        "flamboyant", "focused", "friendly", "frosty", "funny", "gallant", "gifted", "goofy", "gracious", "great",
        "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent",
        "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest",
        "musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic",
        "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical", "recursing",
        "relaxed", "reverent", "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange",
        "stupefied", "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant",
        "vigilant", "vigorous", "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
    ]
    static let surnames = [
        "agnesi", "albattani", "allen", "almeida", "archimedes", "ardinghelli", "aryabhata", "austin", "babbage",
        "banach", "bardeen", "bartik", "bassi", "bell", "benz", "bhabha", "black", "blackwell", "bohr", "booth",
        "borg", "bose", "boyd", "brahmagupta", "brattain", "brown", "carson", "cartwright", "cerf", "chandrasekhar",
        "chatterjee", "clarke", "colden", "cori", "cray", "curie", "darwin", "davinci", "dijkstra", "dirac",
        "driscoll", "dubinsky", "easley", "einstein", "elbakyan", "elgamal", "elion", "engelbart", "euclid",
        "euler", "faraday", "fermat", "fermi", "feynman", "franklin", "galileo", "gauss", "goldberg", "goodall",
        "gould", "hamilton", "hawking", "heisenberg", "hertz", "hodgkin", "hopper", "hugle", "hypatia", "jackson",
        "jang", "jepsen", "johnson", "joliot", "jones", "kalam", "keller", "kepler", "khorana", "kilby",
        "knuth", "kowalevski", "lalande", "lamarr", "lamport", "leakey", "leavitt", "lehmann", "lewin",
        "lichterman", "liskov", "lovelace", "lumiere", "mahavira", "margulis", "mayer", "mccarthy", "mcclintock",
        "meitner", "mendel", "merkle", "minsky", "mirzakhani", "montalcini", "moore", "morse", "napier", "nash",
        "neumann", "newton", "nightingale", "nobel", "noether", "northcutt", "noyce", "pascal", "pasteur",
        "payne", "perlman", "pike", "poincare", "ptolemy", "raman", "ramanujan", "ride", "ritchie", "rosalind",
        "sammet", "shamir", "shannon", "shaw", "shockley", "sinoussi", "snyder", "spence", "stonebraker",
        "sutherland", "swartz", "tesla", "thompson", "torvalds", "turing", "varahamihira", "villani",
        "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright", "wu", "yalow", "yonath",
    ]

    /// A random name not in `taken`.
    static func generate(taken: Set<String>) -> String {
        for attempt in 0..<100 {
            var name = "\(adjectives.randomElement()!)_\(surnames.randomElement()!)"
            if attempt > 10 { name += String(Int.random(in: 0...9)) }
            if !taken.contains(name) { return name }
        }
        return "berth_\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Docker's rule for user-given names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 2, isAlnum(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == 95 || $0 == 46 || $0 == 45 }
    }

    private static func isAlnum(_ b: UInt8) -> Bool { (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) }
}
