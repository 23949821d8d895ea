/// What `SampleTree.write` wrote.
package struct SampleSummary: Sendable, Equatable {
    /// The dataset folder: `<root>/CheXpert-v1.0-small`.
    package var datasetDirectory: String
    package var trainPatients = 0
    package var validPatients = 0
    package var trainStudies = 0
    package var validStudies = 0
    /// Rows of train.csv = images under train/.
    package var trainImages = 0
    /// Rows of valid.csv = images under valid/.
    package var validImages = 0
    /// The test set (0 without one).
    package var testPatients = 0
    package var testStudies = 0
    package var testImages = 0
    package var progressiveImages = 0
    /// Images encoded as YCbCr rather than grey.
    package var colorImages = 0
    /// Total size of the JPEG files.
    package var jpegBytes = 0

    package init(datasetDirectory: String) {
        self.datasetDirectory = datasetDirectory
    }

    /// All images of both splits.
    package var images: Int { trainImages + validImages + testImages }
}
