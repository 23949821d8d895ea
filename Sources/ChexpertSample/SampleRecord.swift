/// One CSV row of a sample tree and the image its `Path` names.
package struct SampleRecord: Sendable, Equatable {
    package var split: SampleSplit
    /// Patient number (`patient00042` -> 42).
    package var patient: Int
    /// Study number within the patient (`study2` -> 2).
    package var study: Int
    /// View number within the study (`view1_frontal.jpg` -> 1).
    package var viewNumber: Int
    /// `Sex` cell: Female, Male or Unknown.
    package var sex: String
    /// `Age` cell value (integer years).
    package var age: Int
    /// `AP/PA` cell: AP, PA, LL or RL for frontal rows, "" for lateral rows.
    package var projection: String
    /// The 14 label cells in `SampleVocabulary.labelNames` order.
    package var labels: [String]
    package var image: SampleImage
    /// A test-set image (`test/` instead of `valid/`).
    package var testSet = false

    /// `Frontal/Lateral`, taken from the image.
    package var view: SampleView { image.view }

    /// The `Path` cell, e.g.
    /// `CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg`
    /// (5-digit patient numbers; more digits only above 99999).
    package var path: String {
        studyDirectory + "/view\(viewNumber)_\(view.fileSuffix).jpg"
    }

    /// The folder of the image relative to the tree root, e.g.
    /// `CheXpert-v1.0-small/train/patient00001/study1`.
    package var studyDirectory: String {
        patientDirectory + "/study\(study)"
    }

    /// e.g. `CheXpert-v1.0-small/train/patient00001`.
    package var patientDirectory: String {
        let digits = String(patient)
        let padding = String(repeating: "0", count: max(0, 5 - digits.count))
        return SampleVocabulary.datasetFolder + "/" + (testSet ? "test" : split.folder) + "/patient" + padding + digits
    }

    /// The CSV line (19 cells, no quoting needed, no line end).
    package var csvLine: String { csvLine(path: path) }

    /// The CSV line with `path` as its `Path` cell.
    package func csvLine(path: String) -> String {
        ([path, sex, String(age), view.csvCell, projection] + labels).joined(separator: ",")
    }
}
