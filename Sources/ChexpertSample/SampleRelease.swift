import ChexpertCore

/// Which CheXpert release's layout a sample tree takes (docs/releases.md).
package enum SampleRelease: String, Sendable, CaseIterable {
    /// `CheXpert-v1.0-small/{train.csv, valid.csv, train/, valid/}` (the default).
    case small
    /// The Kaggle double nest: `CheXpert-v1.0-small/CheXpert-v1.0-small/...`.
    case smallNested = "small_nested"
    /// `CheXpert-v1.0/{train.csv, valid.csv, train/, valid/}`, Paths `CheXpert-v1.0/...`.
    case full
    /// The AIMI download: label files at the top, `CheXpert-v1.0 batch 1
    /// (validate & csv)/{train.csv, valid.csv, valid/}`, the train patients
    /// in thirds over `CheXpert-v1.0 batch 2 (train 1)` .. `batch 4 (train 3)`
    /// (patient folders directly inside), Paths `CheXpert-v1.0/...`.
    case aimi

    /// AIMI folder names, as third-party code spells them.
    package static let aimiValidationBatch = "CheXpert-v1.0 batch 1 (validate & csv)"
    package static let aimiTrainBatches = ["CheXpert-v1.0 batch 2 (train 1)", "CheXpert-v1.0 batch 3 (train 2)",
                                           "CheXpert-v1.0 batch 4 (train 3)"]

    /// The folder holding train.csv and valid.csv, relative to the tree root.
    package var datasetFolder: String {
        switch self {
        case .small: SampleVocabulary.datasetFolder
        case .smallNested: SampleVocabulary.datasetFolder + "/" + SampleVocabulary.datasetFolder
        case .full: "CheXpert-v1.0"
        case .aimi: Self.aimiValidationBatch
        }
    }

    /// Where the label files (train_cheXbert.csv, ...) and the test set's
    /// label file go, relative to the root ("" for the root itself).
    package var labelFolder: String { self == .aimi ? "" : datasetFolder }

    /// The first `Path` component.
    package var pathPrefix: String { self == .full || self == .aimi ? "CheXpert-v1.0" : SampleVocabulary.datasetFolder }

    /// The `Path` cell of a small-layout path `CheXpert-v1.0-small/<rest>`.
    package func cell(_ smallPath: String) -> String {
        pathPrefix + "/" + Self.rest(smallPath)
    }

    /// Where the file of a small-layout path lives, relative to the root.
    /// - Parameter trainBatch: for AIMI train images, 0 ..< 3.
    package func disk(_ smallPath: String, trainBatch: Int = 0) -> String {
        let rest = Self.rest(smallPath)
        switch self {
        case .small: return smallPath
        case .smallNested: return SampleVocabulary.datasetFolder + "/" + smallPath
        case .full: return "CheXpert-v1.0/" + rest
        case .aimi:
            if rest.hasPrefix("train/") {
                return Self.aimiTrainBatches[max(0, min(2, trainBatch))] + "/" + rest.dropFirst("train/".count)
            }
            return Self.aimiValidationBatch + "/" + rest
        }
    }

    static func rest(_ smallPath: String) -> String {
        let prefix = SampleVocabulary.datasetFolder + "/"
        return smallPath.hasPrefix(prefix) ? String(smallPath.dropFirst(prefix.count)) : smallPath
    }
}

/// How the test set's labels are written (`SampleSpec.testLabels`).
package enum SampleTestLabels: String, Sendable, CaseIterable {
    /// `groundtruth.csv`: `Study,<14 labels in reversed order>`, 0/1.
    case groundtruth
    /// `test_labels.csv`: `Path,<14 labels rotated by 5>`, one row per image,
    /// Path `test/patientN/studyM/viewK_x.jpg`.
    case testLabels = "test_labels"
}

/// Which train label files a sample tree gets (`SampleSpec.labelFiles`).
package enum SampleLabelFiles: String, Sendable, CaseIterable {
    case none
    /// `train_cheXbert.csv` and `train_visualCheXbert.csv` with train.csv's
    /// metadata columns (`Path,Sex,Age,Frontal/Lateral,AP/PA`) first.
    case metadata
    /// The same files with only `Path` and the labels.
    case labelsOnly = "labels_only"
}

/// The CheXbert-style label files and the test set of a plan.
extension SamplePlan {
    /// CheXbert's column order: "No Finding" last (its labeler's order).
    static let chexbertLabelOrder: [Int] = Array(1 ..< SampleVocabulary.labelNames.count) + [0]

    /// The CheXbert labels of train row `row`: train.csv's cells, except that
    /// every third row's first three non-"No Finding" columns are redrawn
    /// (so they differ from train.csv).
    func chexbertLabels(_ row: Int) -> [String] {
        var rng = SplitMix64(seed: SplitMix64.derive(spec.seed, 500 + UInt64(row)))
        var labels = train[row].labels
        for column in 1 ... 3 where row % 3 == 0 {
            labels[column] = SampleVocabulary.trainLabelCells[rng.next(in: 0 ... 3)]
        }
        return labels
    }

    /// VisualCheXbert labels (binary, "1" / "0") of train row `row`.
    func visualLabels(_ row: Int) -> [String] {
        var rng = SplitMix64(seed: SplitMix64.derive(spec.seed, 900 + UInt64(row)))
        return train[row].labels.map { cell in
            cell == "1.0" ? "1" : (cell == "-1.0" ? (rng.chance(0.5) ? "1" : "0") : "0")
        }
    }

    /// A train label file: rows rotated (started at the middle), so a join
    /// must match by Path.
    func labelFile(visual: Bool, metadata: Bool, release: SampleRelease) -> [UInt8] {
        let names = Self.chexbertLabelOrder.map { SampleVocabulary.labelNames[$0] }
        var text = (metadata ? ["Path", "Sex", "Age", "Frontal/Lateral", "AP/PA"] : ["Path"]).joined(separator: ",")
        text += "," + names.joined(separator: ",") + "\n"
        let count = train.count
        for offset in 0 ..< count {
            let row = (offset + count / 2) % count
            let record = train[row]
            let labels = visual ? visualLabels(row) : chexbertLabels(row)
            var cells = [release.cell(record.path)]
            if metadata { cells += [record.sex, String(record.age), record.view.csvCell, record.projection] }
            cells += Self.chexbertLabelOrder.map { labels[$0] }
            text += cells.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }

    /// The test set: `spec.testPatients` patients from 64741, one study
    /// each with 1-3 views (view1 frontal; view2 lateral or frontal; view3
    /// frontal), binary labels per study. Rows carry the study's labels as
    /// "1.0" / "0.0"; sex, age and projection are not part of the test set.
    package var test: [SampleRecord] {
        var rng = SplitMix64(seed: SplitMix64.derive(spec.seed, 3))
        let imageSeed = SplitMix64.derive(spec.seed, 103)
        var records: [SampleRecord] = []
        for index in 0 ..< spec.testPatients {
            let viewCount = index == 0 ? 2 : rng.next(in: 1 ... 3)
            let labels = SampleVocabulary.labelNames.indices.map { column in
                (index + column) % 4 == 0 || rng.chance(0.2) ? "1.0" : "0.0"
            }
            for number in 1 ... viewCount {
                let view: SampleView = number == 2 && (index == 0 || rng.chance(0.7)) ? .lateral : .frontal
                let image = SampleImage.planned(row: records.count, split: .valid, view: view, spec: spec,
                                                seed: SplitMix64.derive(imageSeed, UInt64(records.count)))
                var record = SampleRecord(split: .valid, patient: 64741 + index, study: 1, viewNumber: number,
                                          sex: "", age: 0, projection: "", labels: labels, image: image)
                record.testSet = true
                records.append(record)
            }
        }
        return records
    }

    /// The test label file in `shape`.
    func testLabelFile(_ records: [SampleRecord], shape: SampleTestLabels) -> [UInt8] {
        let names = SampleVocabulary.labelNames
        let order: [Int] = shape == .groundtruth ? Array(names.indices.reversed())
                                                 : names.indices.map { ($0 + 5) % names.count }
        var text = (shape == .groundtruth ? "Study" : "Path") + "," + order.map { names[$0] }.joined(separator: ",") + "\n"
        var lastStudy = ""
        for record in records {
            let relative = SampleRelease.rest(record.path)  // test/patientN/studyM/viewK_x.jpg
            let key: String
            if shape == .groundtruth {
                key = "CheXpert-v1.0/" + SampleRelease.rest(record.studyDirectory)
                if key == lastStudy { continue }
                lastStudy = key
            } else {
                key = relative
            }
            text += key + "," + order.map { record.labels[$0] == "1.0" ? "1" : "0" }.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }
}
