/// One split's examples as listed by its CSV: names, label vectors and views,
/// stored compactly (one byte per label, names back to back).
///
/// Immutable after parsing, so it is shared by all threads without locks.
package struct SplitTable: Sendable {
    /// The label columns' header names (every header column after the fifth).
    package let labelNames: [String]
    /// The `Path` cells, back to back; name `i` is
    /// `nameBytes[nameOffsets[i] ..< nameOffsets[i + 1]]`.
    let nameBytes: [UInt8]
    let nameOffsets: [UInt32]
    /// `count * labelCount` `LabelClass` raw values, row-major.
    let labelValues: [UInt8]
    /// `count` `ImageView` raw values.
    let viewValues: [UInt8]
    /// `count` `Projection` raw values.
    let projectionValues: [UInt8]
    /// Whether the CSV has an `AP/PA` column.
    package let hasProjectionColumn: Bool
    /// Rows of the CSV per `Projection` (indexed by raw value), before any
    /// selection.
    package let csvProjectionCounts: [Int]

    /// Number of examples.
    package var count: Int { viewValues.count }

    /// Length of every label vector.
    package var labelCount: Int { labelNames.count }

    /// Example `index`'s name (the CSV `Path` cell) as UTF-8 bytes.
    /// - Precondition: `0 <= index < count` (checked by the callers).
    package func name(at index: Int) -> ArraySlice<UInt8> {
        nameBytes[Int(nameOffsets[index]) ..< Int(nameOffsets[index + 1])]
    }

    /// Example `index`'s name as a String.
    package func nameString(at index: Int) -> String {
        String(decoding: name(at: index), as: UTF8.self)
    }

    /// Example `index`'s labels as `LabelClass` raw values.
    package func labels(at index: Int) -> ArraySlice<UInt8> {
        let start = index * labelCount
        return labelValues[start ..< start + labelCount]
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
        let rows = (0 ..< count).filter { selection.contains(Projection(rawValue: projectionValues[$0]) ?? .otherFrontal) }
        var names: [UInt8] = []
        var offsets: [UInt32] = [0]
        var labels: [UInt8] = []
        names.reserveCapacity(rows.reduce(0) { $0 + name(at: $1).count })
        offsets.reserveCapacity(rows.count + 1)
        labels.reserveCapacity(rows.count * labelCount)
        for row in rows {
            names.append(contentsOf: name(at: row))
            offsets.append(UInt32(truncatingIfNeeded: names.count))  // <= the whole table's names
            labels.append(contentsOf: self.labels(at: row))
        }
        return SplitTable(labelNames: labelNames, nameBytes: names, nameOffsets: offsets, labelValues: labels,
                          viewValues: rows.map { viewValues[$0] }, projectionValues: rows.map { projectionValues[$0] },
                          hasProjectionColumn: hasProjectionColumn, csvProjectionCounts: csvProjectionCounts)
    }

    /// Bytes held by this table's storage.
    package var memoryUsage: Int {
        nameBytes.capacity + nameOffsets.capacity * MemoryLayout<UInt32>.stride
            + labelValues.capacity + viewValues.capacity + projectionValues.capacity
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
