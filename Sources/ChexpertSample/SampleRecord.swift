/// One CSV row of a sample tree and the image its `Path` names.
public struct SampleRecord: Sendable, Equatable {
    public var split: SampleSplit
    /// Patient number (`patient00042` -> 42).
    public var patient: Int
    /// Study number within the patient (`study2` -> 2).
    public var study: Int
    /// View number within the study (`view1_frontal.jpg` -> 1).
    public var viewNumber: Int
    /// `Sex` cell: Female, Male or Unknown.
    public var sex: String
    /// `Age` cell value (integer years).
    public var age: Int
    /// `AP/PA` cell: AP, PA, LL or RL for frontal rows, "" for lateral rows.
    public var projection: String
    /// The 14 label cells in `SampleVocabulary.labelNames` order.
    public var labels: [String]
    public var image: SampleImage

    /// `Frontal/Lateral`, taken from the image.
    public var view: SampleView { image.view }

    /// The `Path` cell, e.g.
    /// `CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg`
    /// (5-digit patient numbers; more digits only above 99999).
    public var path: String {
        studyDirectory + "/view\(viewNumber)_\(view.fileSuffix).jpg"
    }

    /// The folder of the image relative to the tree root, e.g.
    /// `CheXpert-v1.0-small/train/patient00001/study1`.
    public var studyDirectory: String {
        patientDirectory + "/study\(study)"
    }

    /// e.g. `CheXpert-v1.0-small/train/patient00001`.
    public var patientDirectory: String {
        let digits = String(patient)
        let padding = String(repeating: "0", count: max(0, 5 - digits.count))
        return SampleVocabulary.datasetFolder + "/" + split.folder + "/patient" + padding + digits
    }

    /// The CSV line (19 cells, no quoting needed, no line end).
    public var csvLine: String {
        ([path, sex, String(age), view.csvCell, projection] + labels).joined(separator: ",")
    }
}
