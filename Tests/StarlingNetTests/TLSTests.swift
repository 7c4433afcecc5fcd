import Foundation
import Testing
@testable import StarlingNet

/// HTTPS against a local Python `ssl` server with a self-signed certificate made by the openssl CLI
/// (for DNS name `localhost` only). Skipped when openssl or python3 is missing.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TLSTests {
    @Test func verifiedHandshakeWithTrustedCertificateAndSNI() throws {
        guard let server = try LocalTLSServer.start() else { return }
        defer { server.stop() }
        let options = HTTPClientOptions(tls: TLSOptions(caFile: server.certificatePath))
        let url = TargetURL(scheme: .https, host: "localhost", port: server.port)
        let pool = HTTPClientPool(options: options)
        for _ in 0..<3 {
            let response = try pool.send(HTTPRequest(path: "/"), to: url)
            #expect(response.status == 200)
            #expect(response.bodyText == "secure localhost")  // the server echoes the SNI name it received
        }
        #expect(pool.connectionsOpened == 1)
    }

    @Test func untrustedCertificateFailsVerificationByDefault() throws {
        guard let server = try LocalTLSServer.start() else { return }
        defer { server.stop() }
        let url = TargetURL(scheme: .https, host: "localhost", port: server.port)
        #expect {
            try HTTPConnection(to: url)
        } throws: { error in
            guard case let .tls(reason) = error as? TransportError else { return false }
            return reason.contains("certificate verification failed for localhost") && reason.contains("self")
        }
    }

    @Test func hostNameMismatchFailsEvenWithTrustedCertificate() throws {
        guard let server = try LocalTLSServer.start() else { return }
        defer { server.stop() }
        let options = HTTPClientOptions(tls: TLSOptions(caFile: server.certificatePath))
        #expect {
            try HTTPConnection(to: TargetURL(scheme: .https, host: "127.0.0.1", port: server.port), options: options)
        } throws: { error in
            guard case let .tls(reason) = error as? TransportError else { return false }
            return reason.contains("mismatch")
        }
    }

    @Test func verificationCanBeDisabledForTests() throws {
        guard let server = try LocalTLSServer.start() else { return }
        defer { server.stop() }
        let options = HTTPClientOptions(tls: TLSOptions(verifyPeer: false))
        let connection = try HTTPConnection(to: TargetURL(scheme: .https, host: "127.0.0.1", port: server.port), options: options)
        #expect(try connection.send(HTTPRequest(path: "/")).status == 200)
    }

    @Test func missingCAFileIsAClearError() {
        #expect {
            try TLSContext(options: TLSOptions(caFile: "/nonexistent/ca.pem"))
        } throws: { error in
            guard case let .tls(reason) = error as? TransportError else { return false }
            return reason.contains("cannot load CA file /nonexistent/ca.pem")
        }
    }

    @Test func plainHTTPServerSpokenToWithTLSFailsCleanly() throws {
        let target = try FakeTarget()
        defer { target.stop() }
        let options = HTTPClientOptions(connectTimeout: .seconds(2), tls: TLSOptions(verifyPeer: false))
        #expect(throws: TransportError.self) {
            try HTTPConnection(to: TargetURL(scheme: .https, host: "127.0.0.1", port: target.port), options: options)
        }
    }
}

/// `python3` serving HTTPS (keep-alive) on 127.0.0.1 with a fresh self-signed certificate.
final class LocalTLSServer: Sendable {
    let process: Process
    let port: Int
    let directory: URL
    var certificatePath: String { directory.appendingPathComponent("cert.pem").path }

    static let script = """
    import http.server, ssl, sys, threading, time
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            body = ("secure " + str(getattr(self.connection, "server_hostname", None) or self.server.sni.get("name"))).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.sni = {}
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    context.sni_callback = lambda sock, name, ctx: server.sni.__setitem__("name", name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Timer(40, lambda: __import__("os")._exit(0)).start()
    sys.stdin.read()  # the test closes stdin to stop the server
    __import__("os")._exit(0)
    """

    /// Nil when openssl or python3 is unavailable.
    static func start() throws -> LocalTLSServer? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("starling-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let made = try runProcess("/usr/bin/env", [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
            "-keyout", directory.appendingPathComponent("key.pem").path,
            "-out", directory.appendingPathComponent("cert.pem").path,
        ])
        guard made != nil else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory.appendingPathComponent("cert.pem").path,
                             directory.appendingPathComponent("key.pem").path]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 10 { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            return nil
        }
        return LocalTLSServer(process: process, input: input, port: port, directory: directory)
    }

    let input: Pipe

    private init(process: Process, input: Pipe, port: Int, directory: URL) {
        self.process = process
        self.input = input
        self.port = port
        self.directory = directory
    }

    /// Closes the server's stdin, which ends it (signals may be blocked in test threads).
    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
