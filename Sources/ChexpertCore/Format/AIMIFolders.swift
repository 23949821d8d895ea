/// The folders of a Stanford AIMI download (`chexpertchestxrays-u20210408`),
/// matched by pattern because the names come from third-party evidence and
/// unzip tools vary them (docs/releases.md):
/// - a folder's name is normalised (ASCII lowercase, `_` and `-` as spaces);
///   one containing `batch` followed by a number is batch N; batch 1, a
///   batch folder whose name contains `valid`, or a folder whose name starts
///   with `valid` (`validate`) is the validation batch; any other batch (`batch 2 (train 1)` .. `batch 4 (train 3)`) is a train batch;
/// - the validation batch holds train.csv and valid.csv, directly or in one
///   nested folder whose name starts with `chexpert` (an unzip that kept the
///   archive's top folder);
/// - a train batch holds `patientN` folders directly, or under nested folders
///   named `chexpert...` or `train` (up to two levels).
struct AIMIFolders {
    /// The folder holding valid.csv (and train.csv).
    let validation: [UInt8]
    /// The folders holding patient folders, in batch-number order.
    let train: [[UInt8]]

    /// - Returns: nil when `top` does not hold a validation batch with a CSV
    ///   and at least one train batch with patient folders.
    /// - Throws: `.limit` (a folder with too many entries).
    init?(top: [UInt8]) throws(ChexpertError) {
        guard let found = try Self.batches(top) else { return nil }
        let (validationBatch, trainBatches) = found
        guard let validation = try Self.csvFolder(validationBatch) else { return nil }
        var train: [[UInt8]] = []
        for batch in trainBatches {
            if let folder = try Self.patientFolder(batch, depth: 0) { train.append(folder) }
        }
        guard !train.isEmpty else { return nil }
        self.validation = validation
        self.train = train
    }

    /// What is wrong with `top` as an AIMI download, for the not-found
    /// message (empty when it holds no batch folder at all).
    static func lastProblem(top: [UInt8]) -> String {
        guard let found = try? batches(top) else { return "" }
        let (validation, train) = found
        if ((try? csvFolder(validation)) ?? nil) == nil {
            return "The AIMI validation batch \(DatasetLayout.display(validation)) holds no train.csv or valid.csv."
        }
        if train.isEmpty { return "The AIMI download has no train batch folder ('CheXpert-v1.0 batch 2 (train 1)' ...)." }
        return "The AIMI train batches (\(train.map { "'" + DatasetLayout.display($0) + "'" }.joined(separator: ", "))) hold no patientNNNNN folders."
    }

    /// The validation batch and the train batches (in number order) of `top`,
    /// or nil without a validation batch.
    private static func batches(_ top: [UInt8]) throws(ChexpertError) -> ([UInt8], [[UInt8]])? {
        guard let names = try DirectoryListing.names(in: top) else { return nil }
        var validation: (Int, [UInt8])?
        var train: [(Int, [UInt8])] = []
        for name in names {
            let normalised = self.normalised(name)
            // A validation folder renamed without "batch" (e.g. `validate`).
            let renamedValidation = normalised.hasPrefix("valid") ? 1 : nil
            guard let number = batchNumber(name) ?? renamedValidation else { continue }
            let path = top + [UInt8(ascii: "/")] + name
            if number == 1 || normalised.contains("valid") {
                if validation == nil || number < validation?.0 ?? 0 { validation = (number, path) }
            } else {
                train.append((number, path))
            }
        }
        guard let validation else { return nil }
        return (validation.1, train.sorted { $0.0 < $1.0 }.map(\.1))
    }

    /// N of a name containing `batch` then a number (after spaces), or nil.
    static func batchNumber(_ name: [UInt8]) -> Int? {
        let text = Array(normalised(name).utf8)
        let batch = Array("batch".utf8)
        guard let start = text.indices.first(where: { text[$0...].starts(with: batch) }) else { return nil }
        let digits = String(decoding: text[(start + batch.count)...].drop { $0 == UInt8(ascii: " ") }
            .prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self)
        guard !digits.isEmpty, digits.count <= 4 else { return nil }
        return Int(digits)
    }

    /// ASCII lowercase, `_` and `-` as spaces.
    static func normalised(_ name: [UInt8]) -> String {
        String(decoding: name.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "A") ... UInt8(ascii: "Z"): byte + 32
            case UInt8(ascii: "_"), UInt8(ascii: "-"): UInt8(ascii: " ")
            default: byte
            }
        }, as: UTF8.self)
    }

    private static func nestedCandidates(_ folder: [UInt8], alsoTrain: Bool) throws(ChexpertError) -> [[UInt8]] {
        guard let names = try DirectoryListing.names(in: folder) else { return [] }
        return names.filter { name in
            let text = normalised(name)
            return text.hasPrefix("chexpert") || (alsoTrain && text == "train")
        }.map { folder + [UInt8(ascii: "/")] + $0 }
    }

    private static func csvFolder(_ batch: [UInt8]) throws(ChexpertError) -> [UInt8]? {
        if DatasetLayout.holdsCSV(batch) { return batch }
        return try nestedCandidates(batch, alsoTrain: false).first(where: DatasetLayout.holdsCSV)
    }

    /// The folder at or under `folder` holding `patientN` folders (stops at
    /// the first such entry, so a batch is listed in full only by the index).
    private static func patientFolder(_ folder: [UInt8], depth: Int) throws(ChexpertError) -> [UInt8]? {
        var found = false
        try DirectoryListing.forEach(in: folder) { (name) throws(ChexpertError) -> Bool in
            found = PatientIndex.patientNumber(name) != nil
            return found
        }
        if found { return folder }
        guard depth < 2 else { return nil }
        for candidate in try nestedCandidates(folder, alsoTrain: true) {
            if let inner = try patientFolder(candidate, depth: depth + 1) { return inner }
        }
        return nil
    }
}
