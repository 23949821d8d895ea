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
    /// `write(to:spec:jobs:)`. The layout is `plan.spec.release`'s
    /// (`SampleRelease`); with `testPatients` the test set goes to
    /// `<dataset folder>/test/` and its label file to the label folder; with
    /// `labelFiles` train_cheXbert.csv and train_visualCheXbert.csv too.
    package static func write(_ plan: SamplePlan, to root: String, jobs: Int = 1) throws(SampleError) -> SampleSummary {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        let release = plan.spec.release
        let dataset = base + "/" + release.datasetFolder
        var summary = SampleSummary(datasetDirectory: dataset)
        try SampleFiles.makeDirectories(dataset)
        for folder in release == .aimi ? ["valid"] : ["train", "valid"] {
            try SampleFiles.makeDirectory(dataset + "/" + folder)
        }
        let test = plan.test
        var items: [SampleImageBatch.Item] = []
        var made: Set<String> = []
        func makeParents(_ path: String) throws(SampleError) {
            // path: a file under base; every folder from base down.
            var folders: [String] = []
            var current = path
            while let slash = current.lastIndex(of: "/") {
                current = String(current[..<slash])
                if current.count <= base.count || made.contains(current) { break }
                folders.append(current)
            }
            for folder in folders.reversed() {
                try SampleFiles.makeDirectory(folder)
                made.insert(folder)
            }
        }
        let trainPatientCount = max(1, plan.spec.trainPatients)
        for (split, records, isTest) in [(SampleSplit.train, plan.train, false), (.valid, plan.valid, false),
                                         (.valid, test, true)] {
            var lastPatient = -1, lastStudy = ""
            var studies = 0, patients = 0
            for record in records {
                let batch = min(2, max(0, (record.patient - 1) * 3 / trainPatientCount))
                let path = base + "/" + release.disk(record.path, trainBatch: split == .train ? batch : 0)
                try makeParents(path)
                if record.patient != lastPatient { patients += 1; lastPatient = record.patient }
                if record.studyDirectory != lastStudy { studies += 1; lastStudy = record.studyDirectory }
                items.append(SampleImageBatch.Item(image: record.image, path: path))
                if record.image.progressive { summary.progressiveImages += 1 }
                if record.image.encoding != .gray { summary.colorImages += 1 }
            }
            if isTest {
                (summary.testPatients, summary.testStudies, summary.testImages) = (patients, studies, records.count)
            } else if split == .train {
                (summary.trainPatients, summary.trainStudies, summary.trainImages) = (patients, studies, plan.train.count)
            } else {
                (summary.validPatients, summary.validStudies, summary.validImages) = (patients, studies, plan.valid.count)
            }
        }
        summary.jpegBytes = try SampleImageBatch.write(items, jobs: jobs)
        let labelFolder = release.labelFolder.isEmpty ? base : base + "/" + release.labelFolder
        if plan.spec.labelFiles != .none {
            let metadata = plan.spec.labelFiles == .metadata
            try SampleFiles.write(plan.labelFile(visual: false, metadata: metadata, release: release),
                                  to: labelFolder + "/train_cheXbert.csv")
            try SampleFiles.write(plan.labelFile(visual: true, metadata: metadata, release: release),
                                  to: labelFolder + "/train_visualCheXbert.csv")
        }
        if !test.isEmpty {
            let name = plan.spec.testLabels == .groundtruth ? "groundtruth.csv" : "test_labels.csv"
            try SampleFiles.write(plan.testLabelFile(test, shape: plan.spec.testLabels), to: labelFolder + "/" + name)
        }
        for split in SampleSplit.allCases {
            try SampleFiles.write(plan.csv(split, release: release), to: dataset + "/" + split.csvFileName)
        }
        return summary
    }
}
