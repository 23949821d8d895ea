/// Writes CheXpert-shaped sample trees:
/// `<root>/CheXpert-v1.0-small/{train.csv, valid.csv, train/..., valid/...}`.
///
/// Contract: the tree is a pure function of the `SampleSpec` (same spec, same
/// bytes). Images are written first, the two CSV files last; every file is
/// written to `<name>.tmp` and renamed. Existing files with the same names are
/// replaced; other files already under `root` are left alone.
package enum SampleTree {
    /// Plans and writes the tree for `spec` under `root` (created if missing).
    /// - Parameter jobs: threads that encode images (the bytes written do not
    ///   depend on it); 1 encodes on the calling thread.
    /// - Returns: counts of what was written.
    /// - Throws: `SampleError`: `.invalidArgument` for a bad spec, `.io` with the
    ///   path for a file-system failure, `.jpeg` if encoding fails.
    /// - Complexity: O(total pixels).
    package static func write(to root: String, spec: SampleSpec, jobs: Int = 1) throws(SampleError) -> SampleSummary {
        try write(SamplePlan(spec: spec), to: root, jobs: jobs)
    }

    /// Writes an already planned tree under `root` (created if missing); see
    /// `write(to:spec:jobs:)`.
    package static func write(_ plan: SamplePlan, to root: String, jobs: Int = 1) throws(SampleError) -> SampleSummary {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        let dataset = base + "/" + SampleVocabulary.datasetFolder
        var summary = SampleSummary(datasetDirectory: dataset)
        for split in SampleSplit.allCases {
            try SampleFiles.makeDirectories(dataset + "/" + split.folder)
        }
        var items: [SampleImageBatch.Item] = []
        for split in SampleSplit.allCases {
            var lastPatient = ""
            var lastStudy = ""
            var studies = 0
            var patients = 0
            for record in plan.records(split) {
                let patient = base + "/" + record.patientDirectory
                let study = base + "/" + record.studyDirectory
                if patient != lastPatient {
                    try SampleFiles.makeDirectory(patient)
                    lastPatient = patient
                    patients += 1
                }
                if study != lastStudy {
                    try SampleFiles.makeDirectory(study)
                    lastStudy = study
                    studies += 1
                }
                items.append(SampleImageBatch.Item(image: record.image, path: base + "/" + record.path))
                if record.image.progressive { summary.progressiveImages += 1 }
                if record.image.encoding != .gray { summary.colorImages += 1 }
            }
            switch split {
            case .train:
                (summary.trainPatients, summary.trainStudies, summary.trainImages) = (patients, studies, plan.train.count)
            case .valid:
                (summary.validPatients, summary.validStudies, summary.validImages) = (patients, studies, plan.valid.count)
            }
        }
        summary.jpegBytes = try SampleImageBatch.write(items, jobs: jobs)
        for split in SampleSplit.allCases {
            try SampleFiles.write(plan.csv(split), to: dataset + "/" + split.csvFileName)
        }
        return summary
    }
}
