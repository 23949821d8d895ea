/// What sample tree to generate. Every field has a small default; equal specs
/// give byte-identical trees.
///
/// The CSV rows (paths, sexes, ages, views, labels) depend only on
/// `trainPatients`, `validPatients` and `seed`; the image fields
/// (`uniformSize`, `colorFraction`, `progressiveFraction`, `quality`) change
/// the pictures and their encoding but never the CSVs.
package struct SampleSpec: Sendable {
    /// Patients in train.csv, numbered 1, 2, ... (`patient00001`).
    package var trainPatients: Int
    /// Patients in valid.csv, numbered from `max(64541, trainPatients + 1)`, as
    /// in the real set.
    package var validPatients: Int
    /// The seed of every random choice.
    package var seed: UInt64
    /// When set, every image has this height and width (for batch tests);
    /// otherwise sizes vary like the real small set (mostly 390 x 320).
    package var uniformSize: (height: Int, width: Int)?
    /// The fraction of images encoded as YCbCr colour JPEGs (half 4:2:0, half
    /// 4:4:4) instead of 8-bit grey. In `0 ... 1`.
    package var colorFraction: Double
    /// The fraction of images encoded as progressive JPEGs. In `0 ... 1`.
    package var progressiveFraction: Double
    /// The JPEG quality range; each image draws one value from it. Within `1 ... 100`.
    package var quality: ClosedRange<Int>
    /// The release layout written (docs/releases.md). Default `.small`.
    package var release: SampleRelease = .small
    /// Patients of the official-test-set imitation (from patient64741, one
    /// study each); 0 (default) writes no test set.
    package var testPatients: Int = 0
    /// The test set's label file shape.
    package var testLabels: SampleTestLabels = .groundtruth
    /// The train label files written (train_cheXbert.csv,
    /// train_visualCheXbert.csv). Default none.
    package var labelFiles: SampleLabelFiles = .none
    /// Full-size images (about 2828 x 2320, H x W, and 1751 x 2022) instead
    /// of the small set's; slower. Ignored with `uniformSize`.
    package var fullSize = false

    /// Largest accepted patient count per split.
    package static let maxPatients = 900_000
    /// Accepted image side lengths for `uniformSize`.
    package static let sideRange: ClosedRange<Int> = 1 ... 8192

    package init(
        trainPatients: Int = 12, validPatients: Int = 4, seed: UInt64 = 1,
        uniformSize: (height: Int, width: Int)? = nil, colorFraction: Double = 0,
        progressiveFraction: Double = 0.25, quality: ClosedRange<Int> = 85 ... 95
    ) {
        self.trainPatients = trainPatients
        self.validPatients = validPatients
        self.seed = seed
        self.uniformSize = uniformSize
        self.colorFraction = colorFraction
        self.progressiveFraction = progressiveFraction
        self.quality = quality
    }

    /// The patient number of the first valid.csv patient.
    package var firstValidPatient: Int {
        max(SampleVocabulary.firstRealValidPatient, trainPatients + 1)
    }

    /// - Throws: `SampleError` (`.invalidArgument`) naming the first field out
    ///   of its documented domain.
    package func validate() throws(SampleError) {
        func fail(_ text: String) -> SampleError { SampleError(.invalidArgument, "invalid sample spec: " + text) }
        guard (0 ... Self.maxPatients).contains(trainPatients) else {
            throw fail("trainPatients \(trainPatients) is outside 0...\(Self.maxPatients)")
        }
        guard (0 ... Self.maxPatients).contains(validPatients) else {
            throw fail("validPatients \(validPatients) is outside 0...\(Self.maxPatients)")
        }
        if let size = uniformSize {
            guard Self.sideRange.contains(size.height), Self.sideRange.contains(size.width) else {
                throw fail("uniformSize \(size.height)x\(size.width) has a side outside \(Self.sideRange)")
            }
        }
        guard colorFraction >= 0, colorFraction <= 1 else {
            throw fail("colorFraction \(colorFraction) is outside 0...1")
        }
        guard progressiveFraction >= 0, progressiveFraction <= 1 else {
            throw fail("progressiveFraction \(progressiveFraction) is outside 0...1")
        }
        guard (0 ... 100_000).contains(testPatients) else {
            throw fail("testPatients \(testPatients) is outside 0...100000")
        }
        guard quality.lowerBound >= 1, quality.upperBound <= 100 else {
            throw fail("quality \(quality) is outside 1...100")
        }
    }
}
