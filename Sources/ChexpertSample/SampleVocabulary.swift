/// The fixed strings of the CheXpert-v1.0-small layout and CSV format, as in
/// the real files (see shared/reference/tfds-chexpert.md, section 7).
package enum SampleVocabulary {
    /// The folder that holds `train.csv`, `valid.csv`, `train/` and `valid/`;
    /// also the first component of every `Path` cell.
    package static let datasetFolder = "CheXpert-v1.0-small"

    /// The 14 observation columns, in file order ("No Finding" first).
    package static let labelNames: [String] = [
        "No Finding", "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity",
        "Lung Lesion", "Edema", "Consolidation", "Pneumonia", "Atelectasis",
        "Pneumothorax", "Pleural Effusion", "Pleural Other", "Fracture", "Support Devices",
    ]

    /// All 19 columns of the header, in file order.
    package static let columns: [String] = ["Path", "Sex", "Age", "Frontal/Lateral", "AP/PA"] + labelNames

    /// The header line, without its `\n`.
    package static let headerLine: String = columns.joined(separator: ",")

    /// Label cells of train.csv (blank = unmentioned).
    package static let trainLabelCells: [String] = ["", "1.0", "0.0", "-1.0"]
    /// Cells of the "No Finding" column of train.csv.
    package static let noFindingCells: [String] = ["", "1.0"]
    /// Label cells of valid.csv (never blank).
    package static let validLabelCells: [String] = ["0.0", "1.0"]
    /// `Sex` cells.
    package static let sexes: [String] = ["Female", "Male", "Unknown"]
    /// `AP/PA` cells of frontal rows (lateral rows have a blank cell).
    package static let frontalProjections: [String] = ["AP", "PA", "LL", "RL"]
    /// The first patient number of valid.csv in the real data set.
    package static let firstRealValidPatient = 64541
}

/// A split of a sample tree, named after its folder and CSV file.
package enum SampleSplit: Sendable, Equatable, CaseIterable {
    /// `train.csv`, `train/`.
    case train
    /// `valid.csv`, `valid/` (TFDS calls this split "validation").
    case valid

    /// `"train"` or `"valid"`: the image folder under the dataset folder.
    package var folder: String {
        switch self {
        case .train: "train"
        case .valid: "valid"
        }
    }

    /// `"train.csv"` or `"valid.csv"`.
    package var csvFileName: String { folder + ".csv" }
}

/// The `Frontal/Lateral` value of a row.
package enum SampleView: Sendable, Equatable {
    case frontal
    case lateral

    /// `"Frontal"` or `"Lateral"` (the CSV cell).
    package var csvCell: String {
        switch self {
        case .frontal: "Frontal"
        case .lateral: "Lateral"
        }
    }

    /// `"frontal"` or `"lateral"` (the file-name suffix, `viewN_frontal.jpg`).
    package var fileSuffix: String {
        switch self {
        case .frontal: "frontal"
        case .lateral: "lateral"
        }
    }
}
