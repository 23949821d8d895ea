/// The splits: TFDS's `chexpert` builder's two and the official test set.
///
/// Raw values are TFDS's split order (test, which TFDS lacks, last);
/// ChexpertABI maps the `chexpert_split` constants to the cases
/// (`Vocabulary`).
package enum Split: Int, CaseIterable, Sendable {
    case train = 0
    case validation = 1
    /// The official test set (500 studies), present only where its label
    /// file is (`TestSplitReader`).
    case test = 2

    /// TFDS's splits, read from train.csv and valid.csv: every dataset has them
    /// (computed: a stored static would be a lazy global the fork hook must warm).
    package static var tfdsSplits: [Split] { [.train, .validation] }

    /// TFDS's split name, also the salt of TFDS's example-order hash.
    package var name: StaticString {
        switch self {
        case .train: "train"
        case .validation: "validation"
        case .test: "test"
        }
    }

    /// The CSV file in the dataset folder that lists the split's examples
    /// (for test, the Study-keyed label file; `TestSplitReader` also takes
    /// `test_labels.csv`).
    package var csvFileName: String {
        switch self {
        case .train: "train.csv"
        case .validation: "valid.csv"
        case .test: "groundtruth.csv"
        }
    }
}
