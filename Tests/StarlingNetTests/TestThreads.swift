import Foundation
import Synchronization

/// A thread that can be joined (Foundation's `Thread` cannot).
final class ThreadRunner: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let done = self.done
        Thread {
            body()
            done.signal()
        }.start()
    }

    func join() {
        done.wait()
    }
}

final class FailureBox: Sendable {
    private let errors = Mutex<[any Error]>([])

    func record(_ error: any Error) {
        errors.withLock { $0.append(error) }
    }

    var first: (any Error)? { errors.withLock { $0.first } }
}
