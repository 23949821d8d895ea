/// What `SampleTree.write` wrote.
public struct SampleSummary: Sendable, Equatable {
    /// The dataset folder: `<root>/CheXpert-v1.0-small`.
    public var datasetDirectory: String
    public var trainPatients = 0
    public var validPatients = 0
    public var trainStudies = 0
    public var validStudies = 0
    /// Rows of train.csv = images under train/.
    public var trainImages = 0
    /// Rows of valid.csv = images under valid/.
    public var validImages = 0
    public var progressiveImages = 0
    /// Images encoded as YCbCr rather than grey.
    public var colorImages = 0
    /// Total size of the JPEG files.
    public var jpegBytes = 0

    public init(datasetDirectory: String) {
        self.datasetDirectory = datasetDirectory
    }

    /// All images of both splits.
    public var images: Int { trainImages + validImages }
}
