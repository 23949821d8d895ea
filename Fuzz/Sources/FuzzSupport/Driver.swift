// SwiftPM links a debug executable with `main` renamed to `<module>_main`,
// which a -parse-as-library fuzz target does not define; each target defines
// it with `fuzzMain`, which hands control to libFuzzer's driver.

public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ target: FuzzTarget) -> CInt

/// Runs libFuzzer on `target` with the process's arguments.
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                     _ target: FuzzTarget) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, target)
}
