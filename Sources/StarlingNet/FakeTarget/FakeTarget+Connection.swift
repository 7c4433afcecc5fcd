import Glibc
import Synchronization

/// One request as the fake target needs it.
struct FakeRequest {
    var method: Substring
    var path: Substring
    var keepAlive: Bool
    var gzip: Bool
    var body: ArraySlice<UInt8>
}

extension FakeTarget {
    /// Serves keep-alive requests on `client` until it closes, a drop is scripted, or the server stops.
    func serve(_ client: Int32) {
        var input = [UInt8](repeating: 0, count: 64 * 1024)
        var start = 0
        var end = 0
        var output: [UInt8] = []
        while !isStopping {
            guard let (request, consumed) = readRequest(client, &input, &start, &end) else { return }
            let number = counters.requests.wrappingAdd(1, ordering: .relaxed).oldValue
            var heldUntil = holdDuringStall(countingAs: true)
            let action = behavior.action(forRequest: number)
            if action == .drop {
                counters.dropped.add(1, ordering: .relaxed)
                return
            }
            guard pause(for: behavior.delay(forRequest: number)) else { return }
            heldUntil = holdDuringStall(countingAs: false) ?? heldUntil
            output.removeAll(keepingCapacity: true)
            FakeTarget.respond(to: request, action: action, number: number, behavior: behavior,
                               counters: counters, into: &output)
            start += consumed
            let sent = FakeTarget.sendAll(client, output)
            if let heldUntil {
                let lag = Int(heldUntil.duration(to: .now).nanoseconds)
                var seen = counters.stallReleaseLag.load(ordering: .relaxed)
                while lag > seen {
                    let (exchanged, original) = counters.stallReleaseLag.compareExchange(
                        expected: seen, desired: lag, ordering: .relaxed)
                    if exchanged { break }
                    seen = original
                }
            }
            guard sent, request.keepAlive else { return }
        }
    }

    /// Holds the request while a stall window is open; returns the window's end when it did.
    private func holdDuringStall(countingAs arrival: Bool) -> ContinuousClock.Instant? {
        guard let stall = behavior.stall else { return nil }
        let now = ContinuousClock.now
        let wait = stall.remainingStall(at: startedAt.duration(to: now))
        guard wait > .zero else { return nil }
        if arrival { counters.stalledRequests.add(1, ordering: .relaxed) }
        _ = pause(for: wait)
        return now + wait
    }

    /// Reads one complete request (head and `Content-Length` body). Nil on close, error or garbage.
    private func readRequest(_ client: Int32, _ buffer: inout [UInt8], _ start: inout Int,
                             _ end: inout Int) -> (FakeRequest, Int)? {
        while true {
            if let parsed = FakeTarget.parseRequest(buffer[start..<end]) {
                switch parsed {
                case let .complete(request, length): return (request, length)
                case let .needBody(total):
                    if start + total > buffer.count {
                        if total > 512 << 20 { return nil }
                        buffer.replaceSubrange(0..<end, with: Array(buffer[start..<end]))
                        end -= start
                        start = 0
                        if total > buffer.count { buffer.append(contentsOf: repeatElement(0, count: total - buffer.count)) }
                    }
                }
            } else if start == end {
                start = 0
                end = 0
            }
            if end == buffer.count {
                guard start > 0 else { return nil }  // head larger than the buffer
                buffer.replaceSubrange(0..<(end - start), with: Array(buffer[start..<end]))
                end -= start
                start = 0
            }
            let position = end
            let count = buffer.withUnsafeMutableBytes { raw in
                recv(client, raw.baseAddress.map { $0 + position }, raw.count - position, 0)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            end += count
        }
    }

    enum ParsedRequest {
        case complete(FakeRequest, length: Int)
        case needBody(total: Int)
    }

    /// Parses a request at the start of `bytes`; nil when the head is incomplete or invalid.
    static func parseRequest(_ bytes: ArraySlice<UInt8>) -> ParsedRequest? {
        guard let headEnd = findHeadEnd(bytes) else { return nil }
        let head = String(decoding: bytes[bytes.startIndex..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n")
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var contentLength = 0
        var keepAlive = requestLine[2] == "HTTP/1.1"
        var gzip = false
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingOWS.lowercased()
            switch name {
            case "content-length": contentLength = Int(value) ?? 0
            case "connection": keepAlive = value == "keep-alive" || (keepAlive && value != "close")
            case "content-encoding": gzip = value == "gzip"
            default: break
            }
        }
        let bodyStart = headEnd + 4
        let total = bodyStart - bytes.startIndex + contentLength
        guard bytes.count >= total else { return .needBody(total: total) }
        let request = FakeRequest(method: requestLine[0], path: requestLine[1], keepAlive: keepAlive, gzip: gzip,
                                  body: bytes[bodyStart..<(bodyStart + contentLength)])
        return .complete(request, length: total)
    }

    private static func findHeadEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index + 3 < bytes.endIndex {
            if bytes[index + 3] == 10 && bytes[index + 2] == 13 && bytes[index + 1] == 10 && bytes[index] == 13 {
                return index
            }
            index += 1
        }
        return nil
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }
}
