/// Built-in vocabularies for realistic values (`{"fake": "country"}`, and the defaults inferred from a
/// column's name). Weights are rough shares of web traffic or population: realistic enough that a
/// top-N pipe has a long tail and a head that changes slowly, not a statistic to quote.
enum FakeValues {
    static let countries: [(String, Double)] = [
        ("US", 28), ("IN", 9), ("GB", 6), ("DE", 6), ("BR", 5), ("FR", 4.5), ("JP", 4.5), ("CA", 3.5), ("ES", 3),
        ("IT", 3), ("MX", 2.8), ("AU", 2.5), ("NL", 2.2), ("ID", 2), ("PL", 1.8), ("KR", 1.7), ("TR", 1.5), ("SE", 1.2),
        ("AR", 1.1), ("CH", 1), ("BE", 0.9), ("CO", 0.9), ("PT", 0.7), ("ZA", 0.7), ("NG", 0.6), ("IE", 0.5),
        ("NO", 0.5), ("DK", 0.5), ("FI", 0.4), ("NZ", 0.4), ("SG", 0.4), ("CL", 0.4), ("AT", 0.4), ("CZ", 0.3),
        ("IS", 0.02), ("LU", 0.02), ("MT", 0.02),
    ]

    static let cities: [(String, Double)] = [
        ("New York", 8), ("London", 7), ("Tokyo", 7), ("São Paulo", 5), ("Mumbai", 5), ("Berlin", 4), ("Paris", 4),
        ("Los Angeles", 4), ("Madrid", 3.5), ("Toronto", 3), ("Sydney", 3), ("Chicago", 3), ("Mexico City", 3),
        ("Amsterdam", 2), ("Seoul", 2), ("Bengaluru", 2), ("Barcelona", 2), ("Milan", 1.8), ("Stockholm", 1.5),
        ("Dublin", 1.2), ("Zürich", 1), ("Lisbon", 1), ("Warsaw", 1), ("Austin", 1), ("Reykjavík", 0.1),
    ]

    static let browsers: [(String, Double)] = [("Chrome", 64), ("Safari", 19), ("Edge", 5), ("Firefox", 3), ("Samsung Internet", 3), ("Opera", 2)]
    static let operatingSystems: [(String, Double)] = [("Android", 40), ("Windows", 28), ("iOS", 18), ("macOS", 8), ("Linux", 4), ("ChromeOS", 2)]
    static let devices: [(String, Double)] = [("mobile", 58), ("desktop", 38), ("tablet", 4)]
    static let languages: [(String, Double)] = [("en-US", 30), ("en-GB", 8), ("es-ES", 8), ("de-DE", 7), ("fr-FR", 6), ("pt-BR", 6), ("ja-JP", 5), ("hi-IN", 4), ("it-IT", 3), ("nl-NL", 2)]
    static let names: [(String, Double)] = [
        ("Olivia", 3), ("Liam", 3), ("Emma", 3), ("Noah", 3), ("Amelia", 2), ("Oliver", 2), ("Sofia", 2), ("Mateo", 2),
        ("Aisha", 1.5), ("Hiroshi", 1), ("Priya", 1.5), ("Lucas", 2), ("Chloé", 1), ("Jonas", 1), ("Zoë", 1), ("Ana", 1.5),
    ]

    static let userAgents: [(String, Double)] = [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 30),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 20),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 18),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", 10),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 6),
        ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", 5),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 3),
        ("Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 3),
    ]

    /// Referring sites; "" is a direct visit (no referrer), the most common of all.
    static let referrers: [(String, Double)] = [
        ("", 40), ("https://www.google.com/", 30), ("https://www.bing.com/", 3), ("https://duckduckgo.com/", 2),
        ("https://t.co/", 3), ("https://www.facebook.com/", 5), ("https://www.linkedin.com/", 3), ("https://www.reddit.com/", 3),
        ("https://news.ycombinator.com/", 2), ("https://www.youtube.com/", 2), ("https://github.com/", 2), ("https://www.instagram.com/", 2),
    ]

    static let domains: [(String, Double)] = [
        ("example.com", 10), ("shop.example.com", 5), ("blog.example.org", 3), ("docs.example.net", 2), ("status.example.io", 1),
    ]

    static let pathnames: [(String, Double)] = [
        ("/", 30), ("/pricing", 8), ("/blog", 7), ("/docs", 7), ("/about", 4), ("/signup", 5), ("/login", 6), ("/contact", 2),
        ("/blog/launch-week", 4), ("/blog/how-we-scaled", 3), ("/docs/getting-started", 5), ("/docs/api", 4), ("/careers", 1.5),
        ("/changelog", 2), ("/product/analytics", 3), ("/product/integrations", 2), ("/legal/privacy", 0.5), ("/legal/terms", 0.5),
    ]

    static let emailDomains: [(String, Double)] = [("gmail.com", 40), ("outlook.com", 12), ("yahoo.com", 8), ("icloud.com", 8), ("proton.me", 2), ("example.com", 10)]

    /// The weighted vocabulary of a kind drawn as one value, or nil for kinds composed per draw.
    static func vocabulary(_ kind: FakeKind) -> [(String, Double)]? {
        switch kind {
        case .country: return countries
        case .city: return cities
        case .browser: return browsers
        case .os: return operatingSystems
        case .device: return devices
        case .language: return languages
        case .name: return names
        case .userAgent: return userAgents
        case .referrer: return referrers
        case .domain: return domains
        case .pathname: return pathnames
        case .email, .url, .ipv4: return nil
        }
    }
}

extension FakeValues {
    // Composed values (email, url) draw their parts from these tables.
    static let emailDomainTable = AliasTable(weights: emailDomains.map(\.1))
    static let emailDomainBytes = emailDomains.map { Array($0.0.utf8) }
    static let domainTable = AliasTable(weights: domains.map(\.1))
    static let domainBytes = domains.map { Array($0.0.utf8) }
    static let pathnameTable = AliasTable(weights: pathnames.map(\.1))
    static let pathnameBytes = pathnames.map { Array($0.0.utf8) }
}
