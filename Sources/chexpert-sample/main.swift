// chexpert-sample: writes a CheXpert-shaped sample tree (see SampleCommandLine.usage)
// and prints one summary line. Exit status: 0 on success, 2 for bad arguments,
// 1 for a failure while writing.
import ChexpertSample
import Glibc

func seconds() -> Double {
    var now = timespec()
    _ = clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func decimal(_ value: Double, digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0 ..< digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = String(scaled / Int(scale))
    let fraction = String(abs(scaled) % Int(scale))
    return digits == 0 ? whole : whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}

func fail(_ message: String, status: Int32) -> Never {
    let text = Array(("chexpert-sample: " + message + "\n").utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(status)
}

let parsed: SampleCommandLine?
do {
    parsed = try SampleCommandLine.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    fail(error.message + "\n" + SampleCommandLine.usage, status: 2)
}
guard let command = parsed else {
    print(SampleCommandLine.usage)
    exit(0)
}

let start = seconds()
do {
    let summary = try SampleTree.write(to: command.out, spec: command.spec, jobs: command.jobs)
    let elapsed = max(seconds() - start, 1e-9)
    let images = summary.images
    let average = images > 0 ? Double(summary.jpegBytes) / Double(images) / 1024 : 0
    print("chexpert-sample: wrote \(summary.datasetDirectory): "
        + "train \(summary.trainPatients) patients, \(summary.trainStudies) studies, \(summary.trainImages) images; "
        + "valid \(summary.validPatients) patients, \(summary.validStudies) studies, \(summary.validImages) images; "
        + (summary.testImages > 0 ? "test \(summary.testPatients) patients, \(summary.testStudies) studies, \(summary.testImages) images; " : "")
        + "\(summary.progressiveImages) progressive, \(summary.colorImages) colour; "
        + "\(decimal(Double(summary.jpegBytes) / 1_048_576)) MiB (avg \(decimal(average)) KiB/image) "
        + "in \(decimal(elapsed, digits: 2)) s (\(decimal(Double(images) / elapsed, digits: 0)) images/s)")
} catch {
    fail(error.message, status: 1)
}
