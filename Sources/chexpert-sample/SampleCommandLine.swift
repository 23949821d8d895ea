import ChexpertSample
import Glibc

/// The parsed command line of `chexpert-sample`.
struct SampleCommandLine {
    static let usage = """
        usage: chexpert-sample --out DIR [--train-patients N] [--valid-patients N] [--seed S]
                               [--uniform HxW] [--color-fraction F] [--progressive-fraction F]
                               [--quality LO-HI] [--jobs N] [--layout small|small_nested|full|aimi]
                               [--test-patients N] [--test-labels groundtruth|test_labels]
                               [--label-files none|metadata|labels_only] [--full-size 0|1]
        Writes DIR/CheXpert-v1.0-small/{train.csv,valid.csv,train/,valid/} with synthetic grey
        chest X-ray JPEGs. Defaults: 12 train patients, 4 valid patients, seed 1, varied sizes
        (mostly 390x320), colour fraction 0, progressive fraction 0.25, quality 85-95,
        jobs = online CPUs (at most 8; the output does not depend on it).
        --layout writes another release's layout (docs/releases.md); --test-patients N adds an
        official-test-set imitation (test/ and groundtruth.csv or test_labels.csv); --label-files
        adds train_cheXbert.csv and train_visualCheXbert.csv; --full-size 1 makes full-size
        images (2828x2320 and 1751x2022, a few hundred KiB each; slower).
        """

    var out: String
    var spec: SampleSpec
    /// Encoding threads.
    var jobs: Int

    /// Parses `arguments` (without the program name).
    /// - Returns: nil for `--help`.
    /// - Throws: `SampleError` (`.invalidArgument`) naming the bad option or value.
    static func parse(_ arguments: [String]) throws(SampleError) -> SampleCommandLine? {
        var out: String?
        var spec = SampleSpec()
        var jobs = max(1, min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        var index = 0
        while index < arguments.count {
            let option = arguments[index]
            if option == "--help" || option == "-h" { return nil }
            guard index + 1 < arguments.count else { throw bad("\(option) needs a value") }
            let value = arguments[index + 1]
            index += 2
            switch option {
            case "--out": out = value
            case "--train-patients": spec.trainPatients = try integer(option, value)
            case "--valid-patients": spec.validPatients = try integer(option, value)
            case "--seed":
                guard let seed = UInt64(value) else { throw bad("\(option) wants an unsigned integer, not '\(value)'") }
                spec.seed = seed
            case "--uniform":
                let parts = value.split(separator: "x", omittingEmptySubsequences: false)
                guard parts.count == 2, let height = Int(parts[0]), let width = Int(parts[1]) else {
                    throw bad("\(option) wants HxW (e.g. 390x320), not '\(value)'")
                }
                spec.uniformSize = (height, width)
            case "--jobs":
                jobs = try integer(option, value)
                guard (1 ... 64).contains(jobs) else { throw bad("\(option) wants 1...64, not '\(value)'") }
            case "--layout":
                guard let release = SampleRelease(rawValue: value) else {
                    throw bad("\(option) wants small, small_nested, full or aimi, not '\(value)'")
                }
                spec.release = release
            case "--test-patients": spec.testPatients = try integer(option, value)
            case "--test-labels":
                guard let shape = SampleTestLabels(rawValue: value) else {
                    throw bad("\(option) wants groundtruth or test_labels, not '\(value)'")
                }
                spec.testLabels = shape
            case "--label-files":
                guard let files = SampleLabelFiles(rawValue: value) else {
                    throw bad("\(option) wants none, metadata or labels_only, not '\(value)'")
                }
                spec.labelFiles = files
            case "--full-size":
                guard value == "0" || value == "1" else { throw bad("\(option) wants 0 or 1, not '\(value)'") }
                spec.fullSize = value == "1"
            case "--color-fraction": spec.colorFraction = try fraction(option, value)
            case "--progressive-fraction": spec.progressiveFraction = try fraction(option, value)
            case "--quality":
                let parts = value.split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high else {
                    throw bad("\(option) wants LO-HI (e.g. 85-95), not '\(value)'")
                }
                spec.quality = low ... high
            default:
                throw bad("unknown option '\(option)'")
            }
        }
        guard let out, !out.isEmpty else { throw bad("--out DIR is required") }
        try spec.validate()
        return SampleCommandLine(out: out, spec: spec, jobs: jobs)
    }

    private static func integer(_ option: String, _ value: String) throws(SampleError) -> Int {
        guard let number = Int(value), number >= 0 else { throw bad("\(option) wants a count, not '\(value)'") }
        return number
    }

    private static func fraction(_ option: String, _ value: String) throws(SampleError) -> Double {
        guard let number = Double(value), number >= 0, number <= 1 else {
            throw bad("\(option) wants a number in 0...1, not '\(value)'")
        }
        return number
    }

    private static func bad(_ text: String) -> SampleError {
        SampleError(.invalidArgument, text)
    }
}
