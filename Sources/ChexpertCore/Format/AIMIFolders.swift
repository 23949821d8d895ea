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
    /// Most train folders kept (the patient index numbers its folders with
    /// one byte): the first 255 train batches, in batch-number order, that
    /// hold patient folders.
    static let maxTrainFolders = 255

    /// The folder holding valid.csv (and train.csv).
    let validation: [UInt8]
    /// The folders holding patient folders, in batch-number order (at most
    /// `maxTrainFolders`).
    let train: [[UInt8]]

    /// - Returns: nil when `top` does not hold a validation batch with a CSV
    ///   and at least one train batch with patient folders.
    /// - Throws: `.limit` (a folder with too many entries), `.noMemory`.
    init?(top: [UInt8]) throws(ChexpertError) {
        guard let found = try Batches(top: top) else { return nil }
        guard let validation = try Self.csvFolder(found.validation) else { return nil }
        var train: [[UInt8]] = []
        train.reserveCapacity(Self.maxTrainFolders)
        for i in 0 ..< found.trainCount where train.count < Self.maxTrainFolders {
            if let folder = try Self.patientFolder(found.trainPath(i), depth: 0) { train.append(folder) }
        }
        guard !train.isEmpty else { return nil }
        self.validation = validation
        self.train = train
    }

    /// What is wrong with `top` as an AIMI download, for the not-found
    /// message (empty when it holds no batch folder at all).
    static func lastProblem(top: [UInt8]) -> String {
        guard let found = (try? Batches(top: top)) ?? nil else { return "" }
        if ((try? csvFolder(found.validation)) ?? nil) == nil {
            return "The AIMI validation batch \(DatasetLayout.display(found.validation)) holds no train.csv or valid.csv."
        }
        if found.trainCount == 0 { return "The AIMI download has no train batch folder ('CheXpert-v1.0 batch 2 (train 1)' ...)." }
        let shown = Swift.min(found.trainCount, 8)
        var list = (0 ..< shown).map { "'" + DatasetLayout.display(found.trainPath($0)) + "'" }.joined(separator: ", ")
        if found.trainCount > shown { list += " and \(found.trainCount - shown) more" }
        return "The AIMI train batches (\(list)) hold no patientNNNNN folders."
    }

    /// The validation batch and the train batches (in number order) of a
    /// download's top folder: one listing (checked memory) and the train
    /// batches as `number << 32 | entry` keys (checked memory, sorted).
    private struct Batches {
        let top: [UInt8]
        let names: DirectoryNames
        let validation: [UInt8]
        let train: CheckedArray<UInt64>

        /// nil without a validation batch (or when `top` cannot be listed).
        /// - Throws: `.limit`, `.noMemory`.
        init?(top: [UInt8]) throws(ChexpertError) {
            guard let names = try DirectoryListing.names(in: top) else { return nil }
            let what = "the AIMI batch folders of \(DatasetLayout.display(top))"
            let train = try CheckedArray<UInt64>(for: what)
            var validation: (number: Int, entry: Int)?
            for (entry, name) in names.enumerated() {
                let normalised = AIMIFolders.normalised(name)
                // A validation folder renamed without "batch" (e.g. `validate`).
                let renamedValidation = normalised.hasPrefix("valid") ? 1 : nil
                guard let number = AIMIFolders.batchNumber(name) ?? renamedValidation else { continue }
                if number == 1 || normalised.contains("valid") {
                    if validation == nil || number < validation?.number ?? 0 { validation = (number, entry) }
                } else {
                    // number <= 9999 (4 digits), entry < 2^22: sorting the keys
                    // orders by number, then by name (a stable sort by number).
                    try train.append(UInt64(number) << 32 | UInt64(entry))
                }
            }
            guard let validation else { return nil }
            try StableSort.sort(UnsafeMutableBufferPointer(start: train.base, count: train.count), for: what) { $0 < $1 }
            self.top = top
            self.names = names
            self.validation = Self.path(top, names[validation.entry])
            self.train = train
        }

        var trainCount: Int { train.count }

        /// The path of the i-th train batch (in number order).
        func trainPath(_ i: Int) -> [UInt8] { Self.path(top, names[Int(train[i] & 0xFFFF_FFFF)]) }

        static func path(_ folder: [UInt8], _ name: TableBytes) -> [UInt8] { folder + [UInt8(ascii: "/")] + name }
    }

    /// N of a name containing `batch` then a number (after spaces), or nil.
    static func batchNumber<C: Collection>(_ name: C) -> Int? where C.Element == UInt8 {
        let text = Array(normalised(name).utf8)
        let batch = Array("batch".utf8)
        guard let start = text.indices.first(where: { text[$0...].starts(with: batch) }) else { return nil }
        let digits = String(decoding: text[(start + batch.count)...].drop { $0 == UInt8(ascii: " ") }
            .prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self)
        guard !digits.isEmpty, digits.count <= 4 else { return nil }
        return Int(digits)
    }

    /// ASCII lowercase, `_` and `-` as spaces (`name`: an entry name, at most
    /// NAME_MAX bytes).
    static func normalised<C: Collection>(_ name: C) -> String where C.Element == UInt8 {
        String(decoding: name.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "A") ... UInt8(ascii: "Z"): byte + 32
            case UInt8(ascii: "_"), UInt8(ascii: "-"): UInt8(ascii: " ")
            default: byte
            }
        }, as: UTF8.self)
    }

    /// The first (in name order) of `folder`'s entries named `chexpert...`
    /// (or, with `alsoTrain`, `train`) for which `body` gives a value.
    private static func firstNested<R>(_ folder: [UInt8], alsoTrain: Bool,
                                       _ body: ([UInt8]) throws(ChexpertError) -> R?) throws(ChexpertError) -> R? {
        guard let names = try DirectoryListing.names(in: folder) else { return nil }
        for name in names {
            let text = normalised(name)
            guard text.hasPrefix("chexpert") || (alsoTrain && text == "train") else { continue }
            if let found = try body(folder + [UInt8(ascii: "/")] + name) { return found }
        }
        return nil
    }

    private static func csvFolder(_ batch: [UInt8]) throws(ChexpertError) -> [UInt8]? {
        if DatasetLayout.holdsCSV(batch) { return batch }
        return try firstNested(batch, alsoTrain: false) { candidate in
            DatasetLayout.holdsCSV(candidate) ? candidate : nil
        }
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
        return try firstNested(folder, alsoTrain: true) { (candidate) throws(ChexpertError) in
            try patientFolder(candidate, depth: depth + 1)
        }
    }
}
