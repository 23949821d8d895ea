/// The study ordinal of every row of a split table: studies keyed by
/// (patient, study) from `PathIdentifiers`, numbered 0, 1, ... in order of
/// first appearance; a row whose Path gives no patient or no study is a
/// study of its own. C: `CHEXPERT_FIELD_STUDY_INDEX`,
/// `chexpert_split_study_count`.
///
/// Immutable once built (shared by all threads). Memory: 4 bytes per row.
package final class StudyIndex: @unchecked Sendable {
    /// `count` ordinals, 0 ..< `studyCount`.
    let ordinals: CheckedArray<Int32>
    /// Number of distinct studies.
    package let studyCount: Int

    /// Row `row`'s study ordinal. - Precondition: `0 <= row < count`.
    package subscript(row: Int) -> Int { Int(ordinals[row]) }

    /// Number of rows.
    package var count: Int { ordinals.count }

    /// Bytes held.
    package var memoryUsage: Int { ordinals.allocatedBytes }

    /// Numbers the studies of `table` (`KeyOrdinals`: expected O(rows);
    /// its table is freed before return).
    /// - Throws: `.noMemory`.
    package convenience init(table: SplitTable) throws(ChexpertError) {
        try self.init(count: table.count) { table.identifiers(at: $0) }
    }

    /// Numbers the studies of `count` rows whose Paths give `identifiers`.
    /// - Throws: `.noMemory`.
    init(count: Int, identifiers: (Int) -> PathIdentifiers) throws(ChexpertError) {
        let ordinals = try CheckedArray<Int32>(capacity: Swift.max(count, 1), for: "the study index")
        var keys = try KeyOrdinals(capacity: count, for: "the study index's table")
        defer { keys.deallocate() }
        for row in 0 ..< count {
            let ids = identifiers(row)
            if ids.patient == PathIdentifiers.missing || ids.study == PathIdentifiers.missing {
                try ordinals.append(keys.fresh())
            } else {
                try ordinals.append(keys.ordinal(ids.patient, ids.study))
            }
        }
        self.ordinals = ordinals
        self.studyCount = Int(keys.count)
    }
}
