/// One split's examples as listed by its CSV: names, label vectors and views,
/// stored compactly (one byte per label, names back to back).
///
/// Immutable after parsing, so it is shared by all threads without locks.
package struct SplitTable: Sendable {
    /// The label columns' header names (every header column after the fifth).
    package let labelNames: [String]
    /// The `Path` cells, back to back; name `i` is
    /// `nameBytes[nameOffsets[i] ..< nameOffsets[i + 1]]`. Checked
    /// allocations (`CheckedArray`): a table that cannot be allocated is
    /// `.noMemory`, never a trap.
    let nameBytes: CheckedArray<UInt8>
    let nameOffsets: CheckedArray<UInt32>
    /// `count * labelCount` `LabelClass` raw values, row-major.
    let labelValues: CheckedArray<UInt8>
    /// `count` `ImageView` raw values.
    let viewValues: CheckedArray<UInt8>
    /// `count` `Projection` raw values.
    let projectionValues: CheckedArray<UInt8>
    /// Whether the CSV has an `AP/PA` column.
    package let hasProjectionColumn: Bool
    /// Rows of the CSV per `Projection` (indexed by raw value), before any
    /// selection.
    package let csvProjectionCounts: [Int]
    /// `count` `Sex` raw values, or nil: every row `.blank` (no `Sex`
    /// column, or a table built without metadata).
    let sexValues: CheckedArray<UInt8>?
    /// `count` ages (`Age.missingByte`: missing), or nil: every age missing.
    let ageValues: CheckedArray<UInt8>?
    /// The rows' study ordinals, or nil: computed by `studyIndex()` on use.
    let studies: StudyIndex?

    /// Number of examples.
    package var count: Int { viewValues.count }

    /// Length of every label vector.
    package var labelCount: Int { labelNames.count }

    /// Example `index`'s name (the CSV `Path` cell) as UTF-8 bytes.
    /// - Precondition: `0 <= index < count` (checked by the callers).
    package func name(at index: Int) -> TableBytes {
        let start = Int(nameOffsets[index])
        return TableBytes(storage: nameBytes, start: start, count: Int(nameOffsets[index + 1]) - start)
    }

    /// Example `index`'s name as a String.
    package func nameString(at index: Int) -> String {
        String(decoding: name(at: index), as: UTF8.self)
    }

    /// Example `index`'s labels as `LabelClass` raw values.
    package func labels(at index: Int) -> TableBytes {
        TableBytes(storage: labelValues, start: index * labelCount, count: labelCount)
    }

    /// Example `index`'s `ImageView` raw value.
    package func view(at index: Int) -> UInt8 { viewValues[index] }

    /// Example `index`'s `Projection` raw value.
    package func projection(at index: Int) -> UInt8 { projectionValues[index] }

    /// The column index of the label named `name` (its first occurrence).
    package func labelIndex(named name: String) -> Int? { labelNames.firstIndex(of: name) }

    /// This table with only the rows `selection` keeps, in the same order.
    /// `csvProjectionCounts` stays that of the whole CSV.
    /// - Throws: `.invalidArgument` when the selection tells AP from PA and
    ///   the CSV has no `AP/PA` column.
    package func selecting(_ selection: Selection, file: String) throws(ChexpertError) -> SplitTable {
        if selection == .all { return self }
        if selection.needsProjectionColumn && !hasProjectionColumn {
            throw ChexpertError(.invalidArgument,
                                "\(file): CHEXPERT_KEY_SELECT \(selection.mask) tells AP from PA rows, but the header has no 'AP/PA' column")
        }
        // Two passes over the rows (sizes, then copies): every buffer is
        // allocated once, checked, at its final size.
        var rowCount = 0, nameByteCount = 0
        for row in 0 ..< count where selection.contains(Projection(rawValue: projectionValues[row]) ?? .otherFrontal) {
            rowCount += 1
            nameByteCount += name(at: row).count
        }
        let names = try CheckedArray<UInt8>(capacity: nameByteCount, for: "the selected rows' names")
        let offsets = try CheckedArray<UInt32>(capacity: rowCount + 1, for: "the selected rows' name offsets")
        let (labelCells, overflow) = rowCount.multipliedReportingOverflow(by: labelCount)
        guard !overflow else { throw ChexpertError(.noMemory, "\(file): too many label cells to select") }
        let labels = try CheckedArray<UInt8>(capacity: labelCells, for: "the selected rows' labels")
        let views = try CheckedArray<UInt8>(capacity: rowCount, for: "the selected rows' views")
        let projections = try CheckedArray<UInt8>(capacity: rowCount, for: "the selected rows' projections")
        let sexes = try sexValues.map { (_) throws(ChexpertError) in
            try CheckedArray<UInt8>(capacity: rowCount, for: "the selected rows' Sex cells") }
        let ages = try ageValues.map { (_) throws(ChexpertError) in
            try CheckedArray<UInt8>(capacity: rowCount, for: "the selected rows' Age cells") }
        try offsets.append(0)
        for row in 0 ..< count where selection.contains(Projection(rawValue: projectionValues[row]) ?? .otherFrontal) {
            try names.append(contentsOf: name(at: row))
            try offsets.append(UInt32(truncatingIfNeeded: names.count))  // <= the whole table's names
            try labels.append(contentsOf: self.labels(at: row))
            try views.append(viewValues[row])
            try projections.append(projectionValues[row])
            if let sexValues { try sexes?.append(sexValues[row]) }
            if let ageValues { try ages?.append(ageValues[row]) }
        }
        let selected = SplitTable(labelNames: labelNames, nameBytes: names, nameOffsets: offsets, labelValues: labels,
                                  viewValues: views, projectionValues: projections,
                                  hasProjectionColumn: hasProjectionColumn, csvProjectionCounts: csvProjectionCounts,
                                  sexValues: sexes, ageValues: ages)
        return try selected.withStudyIndex()
    }

    init(labelNames: [String], nameBytes: CheckedArray<UInt8>, nameOffsets: CheckedArray<UInt32>,
         labelValues: CheckedArray<UInt8>, viewValues: CheckedArray<UInt8>, projectionValues: CheckedArray<UInt8>,
         hasProjectionColumn: Bool, csvProjectionCounts: [Int],
         sexValues: CheckedArray<UInt8>? = nil, ageValues: CheckedArray<UInt8>? = nil, studies: StudyIndex? = nil) {
        self.labelNames = labelNames
        self.nameBytes = nameBytes
        self.nameOffsets = nameOffsets
        self.labelValues = labelValues
        self.viewValues = viewValues
        self.projectionValues = projectionValues
        self.hasProjectionColumn = hasProjectionColumn
        self.csvProjectionCounts = csvProjectionCounts
        self.sexValues = sexValues
        self.ageValues = ageValues
        self.studies = studies
    }

    /// Bytes held by this table's storage.
    package var memoryUsage: Int {
        nameBytes.allocatedBytes + nameOffsets.allocatedBytes
            + labelValues.allocatedBytes + viewValues.allocatedBytes + projectionValues.allocatedBytes
            + (sexValues?.allocatedBytes ?? 0) + (ageValues?.allocatedBytes ?? 0) + (studies?.memoryUsage ?? 0)
            + csvProjectionCounts.capacity * MemoryLayout<Int>.stride
            + labelNames.reduce(0) { $0 + $1.utf8.count + MemoryLayout<String>.stride }
    }

    /// Checks `index` against the table and converts it.
    /// - Throws: `.outOfRange` naming the split and size.
    package func checkedIndex(_ index: Int64, split: Split) throws(ChexpertError) -> Int {
        guard index >= 0, index < Int64(count) else {
            throw ChexpertError(.outOfRange,
                                "index \(index) is out of range for split '\(split.name)' with \(count) examples")
        }
        return Int(index)
    }
}
