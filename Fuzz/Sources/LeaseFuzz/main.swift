// The fuzzer's entry point. SwiftPM links an executable with
// `--defsym main=LeaseFuzz_main`, so libFuzzer's own `main` is never used:
// this one hands control to `LLVMFuzzerRunDriver`, on a thread with a large
// stack so that deep but legal nesting ends in the language's depth errors,
// never in a stack overflow of the driver's thread.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32


final class DriverBox: @unchecked Sendable {
    var status: Int32 = 0
}

let box = DriverBox()
let finished = DispatchSemaphore(value: 0)
let driver = Thread {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    box.status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        // One input: the bytes of a script.
        Harness.test(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
        return 0
    }
    finished.signal()
}
driver.stackSize = 256 << 20
driver.start()
finished.wait()
exit(box.status)
