/// The splits of TFDS's `chexpert` builder and the CSV each comes from.
///
/// Raw values are TFDS's split order; ChexpertABI maps the `chexpert_split`
/// constants to the cases (`Vocabulary`).
package enum Split: Int, CaseIterable, Sendable {
    case train = 0
    case validation = 1

    /// TFDS's split name, also the salt of TFDS's example-order hash.
    package var name: StaticString {
        switch self {
        case .train: "train"
        case .validation: "validation"
        }
    }

    /// The CSV file in the dataset folder that lists the split's examples.
    package var csvFileName: String {
        switch self {
        case .train: "train.csv"
        case .validation: "valid.csv"
        }
    }
}
