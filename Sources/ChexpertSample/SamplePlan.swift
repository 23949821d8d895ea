import ChexpertCore

/// The complete content of a sample tree, decided before any file is written:
/// every CSV row and every image's size, encoding and content seed.
///
/// Contract: a pure function of the `SampleSpec`. Rows are grouped by patient
/// (train patients 1, 2, ...; valid patients from `spec.firstValidPatient`),
/// with 1-3 studies per train patient, 1 study per valid patient, 1-3 views
/// per study; studies are sometimes listed in descending order (study2 before
/// study1) as in the real train.csv. Sex, age and labels are shared by all
/// views of a study.
///
/// Guaranteed coverage, given at least 4 train and 2 valid patients (the first
/// patients are fixed, later ones random):
/// - train: Sex Female, Male and Unknown; Age 0 and ages in 18...90; AP/PA AP,
///   PA, LL, RL on frontal rows and blank on lateral rows; in every label
///   column each of blank, `1.0`, `0.0`, `-1.0` (No Finding: blank and `1.0`
///   only); a study with two frontal views, a lateral-only study, a patient
///   whose study2 row comes before study1.
/// - valid: `0.0` and `1.0` in every label column (never blank); Frontal AP,
///   Frontal PA and Lateral rows; Sex Female and Male.
/// - images (train rows 0-3): with 0 < progressiveFraction, row 1 is
///   progressive (row 0 baseline unless the fraction is 1); with
///   0 < colorFraction, row 2 is YCbCr 4:2:0 and row 3 YCbCr 4:4:4 (rows 0-1
///   grey unless the fraction is 1).
package struct SamplePlan: Sendable {
    package let spec: SampleSpec
    /// train.csv rows, in file order.
    package let train: [SampleRecord]
    /// valid.csv rows, in file order.
    package let valid: [SampleRecord]

    /// - Throws: `SampleError` (`.invalidArgument`) for a spec outside its domain.
    /// - Complexity: O(rows).
    package init(spec: SampleSpec) throws(SampleError) {
        try spec.validate()
        self.spec = spec
        train = Self.records(.train, spec: spec)
        valid = Self.records(.valid, spec: spec)
    }

    /// - Returns: the rows of `split`, in file order.
    package func records(_ split: SampleSplit) -> [SampleRecord] {
        switch split {
        case .train: train
        case .valid: valid
        }
    }

    /// - Returns: the whole CSV file of `split`: the header and one line per
    ///   row, each ended by `\n`, UTF-8 without byte-order mark.
    package func csv(_ split: SampleSplit, release: SampleRelease = .small) -> [UInt8] {
        var text = SampleVocabulary.headerLine + "\n"
        for record in records(split) {
            text += record.csvLine(path: release.cell(record.path))
            text += "\n"
        }
        return Array(text.utf8)
    }

    private static func records(_ split: SampleSplit, spec: SampleSpec) -> [SampleRecord] {
        let splitStream: UInt64 = split == .train ? 1 : 2
        var rng = SplitMix64(seed: SplitMix64.derive(spec.seed, splitStream))
        let imageSeed = SplitMix64.derive(spec.seed, splitStream + 100)
        let (count, first) = split == .train
            ? (spec.trainPatients, 1) : (spec.validPatients, spec.firstValidPatient)
        var records: [SampleRecord] = []
        for index in 0 ..< count {
            let studies = StudyDraft.patient(index, split: split, rng: &rng)
            for study in studies {
                for (offset, view) in study.views.enumerated() {
                    let image = SampleImage.planned(
                        row: records.count, split: split, view: view.view, spec: spec,
                        seed: SplitMix64.derive(imageSeed, UInt64(records.count)))
                    records.append(SampleRecord(
                        split: split, patient: first + index, study: study.number,
                        viewNumber: offset + 1, sex: study.sex, age: study.age,
                        projection: view.projection, labels: study.labels, image: image))
                }
            }
        }
        return records
    }
}
