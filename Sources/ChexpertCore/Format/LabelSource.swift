/// Where the train split's labels come from (C: `chexpert_labels`,
/// CHEXPERT_KEY_LABELS). Validation and test keep their radiologists' labels.
package enum LabelSource: Int, CaseIterable, Sendable {
    /// train.csv's own labels (the CheXpert labeler on the reports): TFDS.
    case reports = 0
    /// `train_cheXbert.csv` (the CheXbert labeler; AIMI download).
    case chexbert = 1
    /// `train_visualCheXbert.csv` (VisualCheXbert, binary; AIMI download).
    case visualCheXbert = 2

    /// The Python name (`Dataset(labels=...)`).
    package var name: StaticString {
        switch self {
        case .reports: "reports"
        case .chexbert: "chexbert"
        case .visualCheXbert: "visualchexbert"
        }
    }

    /// The label file read instead of train.csv's labels, or nil.
    package var fileName: String? {
        switch self {
        case .reports: nil
        case .chexbert: "train_cheXbert.csv"
        case .visualCheXbert: "train_visualCheXbert.csv"
        }
    }
}
