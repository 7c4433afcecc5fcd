/// Splits a string into words as a POSIX shell does (without expansions): whitespace separates
/// words; single quotes keep everything literally; double quotes keep spaces, with `\"`, `\\`, `\$`
/// and `` \` `` escaped; outside quotes a backslash escapes the next character.
/// `--local-target-args "--fault-status '503:0.1' --project 'my dir'"` → four words.
enum ShellWords {
    struct UnterminatedQuote: Error {}

    static func split(_ text: String) throws(UnterminatedQuote) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "'":
                inWord = true
                guard let end = chars.firstIndex(of: "'") else { throw UnterminatedQuote() }
                current += String(chars[..<end])
                chars = chars[(end + 1)...]
            case "\"":
                inWord = true
                var closed = false
                while let d = chars.popFirst() {
                    if d == "\"" { closed = true; break }
                    if d == "\\", let next = chars.first, "\"\\$`".contains(next) {
                        current.append(next)
                        chars = chars.dropFirst()
                    } else {
                        current.append(d)
                    }
                }
                guard closed else { throw UnterminatedQuote() }
            case "\\":
                inWord = true
                if let next = chars.popFirst() { current.append(next) }
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
