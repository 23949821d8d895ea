/// The CheXpert release a dataset folder holds, detected at open
/// (`DatasetLayout`; docs/releases.md). Raw values are the header's
/// `chexpert_release` numbers.
package enum Release: Int, CaseIterable, Sendable {
    /// CheXpert-v1.0-small: TFDS's manual_dir, or the folder itself.
    case small = 0
    /// The Kaggle copy of the small set, unzipped double-nested.
    case smallNested = 1
    /// The full-size `CheXpert-v1.0/`.
    case full = 2
    /// The Stanford AIMI download (batch folders).
    case aimi = 3

    package var name: StaticString {
        switch self {
        case .small: "small"
        case .smallNested: "small_nested"
        case .full: "full"
        case .aimi: "aimi"
        }
    }
}

/// Which patient folder of the AIMI download's train batches holds a patient:
/// built at open from one directory listing per batch folder (and per nested
/// folder an unzip added), never a `stat` per image.
///
/// Memory: 8 bytes per patient folder (65,240 in the real set: about 510 KiB,
/// checked allocation) plus the batch folders' paths.
package final class PatientIndex: @unchecked Sendable {
    /// The folders that hold patient folders, each with a trailing `/`.
    let folders: [[UInt8]]
    /// `patient << 8 | folder`, sorted (checked allocation).
    private let keys: CheckedArray<UInt64>

    /// Largest patient number indexed (`patientNNNNN` with at most 9 digits).
    static let maxPatient: UInt64 = 999_999_999

    /// Lists each of `folders` (paths without a trailing `/`, at most 255)
    /// and indexes the `patient<digits>` entries. A patient in two folders
    /// keeps the first folder.
    /// - Throws: `.noMemory` (the keys and their sort: checked allocation).
    init(folders: [[UInt8]]) throws(ChexpertError) {
        let keys = try CheckedArray<UInt64>(for: "the AIMI patient index")
        for (position, folder) in folders.prefix(AIMIFolders.maxTrainFolders).enumerated() {
            try DirectoryListing.forEach(in: folder) { (name) throws(ChexpertError) in
                if let patient = Self.patientNumber(name) {
                    try keys.append(patient << 8 | UInt64(position))
                }
                return false
            }
        }
        // Swift's `sort` may allocate unchecked temporary storage.
        try StableSort.sort(UnsafeMutableBufferPointer(start: keys.base, count: keys.count),
                            for: "the AIMI patient index") { $0 < $1 }
        keys.shrinkToFit()
        self.keys = keys
        self.folders = folders.prefix(AIMIFolders.maxTrainFolders).map { folder in folder + [UInt8(ascii: "/")] }
    }

    /// Number of patient folders indexed.
    package var count: Int { keys.count }

    /// Bytes held.
    var memoryUsage: Int {
        keys.allocatedBytes + folders.reduce(0) { $0 + $1.count + MemoryLayout<[UInt8]>.stride }
    }

    /// The folder (with trailing `/`) holding `patient`'s folder, or nil.
    func folder(of patient: UInt64) -> [UInt8]? {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] >> 8 < patient { low = middle + 1 } else { high = middle }
        }
        guard low < keys.count, keys[low] >> 8 == patient else { return nil }
        let position = Int(keys[low] & 0xFF)
        return position < folders.count ? folders[position] : nil
    }

    /// N of a `patientN` name (1-9 digits, nothing after), or nil.
    static func patientNumber<C: Collection>(_ name: C) -> UInt64? where C.Element == UInt8 {
        let prefix = Array("patient".utf8)
        guard name.count > prefix.count, name.count <= prefix.count + 9, name.starts(with: prefix) else { return nil }
        var value: UInt64 = 0
        for byte in name.dropFirst(prefix.count) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
