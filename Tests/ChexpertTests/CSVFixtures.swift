@testable import ChexpertCore

/// CSV text in the real CheXpert format, for parser tests.
enum CSVFixtures {
    static let header = "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices"

    /// The first five rows of the real train.csv (reference note, section 7).
    static let realRows = [
        "CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg,Female,68,Frontal,AP,1.0,,,,,,,,,0.0,,,,1.0",
        "CheXpert-v1.0-small/train/patient00002/study2/view1_frontal.jpg,Female,87,Frontal,AP,,,-1.0,1.0,,-1.0,-1.0,,-1.0,,-1.0,,1.0,",
        "CheXpert-v1.0-small/train/patient00002/study1/view1_frontal.jpg,Female,83,Frontal,AP,,,,1.0,,,-1.0,,,,,,1.0,",
        "CheXpert-v1.0-small/train/patient00002/study1/view2_lateral.jpg,Female,83,Lateral,,,,,1.0,,,-1.0,,,,,,1.0,",
        "CheXpert-v1.0-small/train/patient00003/study1/view1_frontal.jpg,Male,41,Frontal,AP,,,,,,1.0,,,,0.0,,,,",
    ]

    static var realText: String { ([header] + realRows).joined(separator: "\n") + "\n" }

    /// Parses `text` as a split CSV named `train.csv`.
    static func parse(_ text: String) throws(ChexpertError) -> SplitTable {
        try parse(bytes: Array(text.utf8))
    }

    static func parse(bytes: [UInt8]) throws(ChexpertError) -> SplitTable {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ChexpertError) -> SplitTable in
            try SplitTable(csv: buffer, file: "/data/train.csv")
        }
    }

    /// The message of the error `text` raises, or nil if it parses.
    static func error(_ text: String) -> ChexpertError? {
        do throws(ChexpertError) {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }
}
