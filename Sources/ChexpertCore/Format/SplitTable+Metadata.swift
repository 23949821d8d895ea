/// Per-example metadata (C: `chexpert_batch_metadata`): sex and age stored
/// at open (1 byte each per row), the study ordinal (4 bytes per row), and
/// the patient, study and view numbers parsed from the stored `Path` on use.
extension SplitTable {
    /// Header names of the metadata columns (looked up by name; their last
    /// occurrence, as a Python dict).
    static let sexColumn = "Sex"
    static let ageColumn = "Age"

    /// Example `index`'s sex. - Precondition: `0 <= index < count`.
    package func sex(at index: Int) -> Sex {
        guard let sexValues else { return .blank }
        return Sex(rawValue: sexValues[index]) ?? .blank
    }

    /// Example `index`'s age in years, or nil when missing.
    package func age(at index: Int) -> Int? {
        guard let ageValues, ageValues[index] != Age.missingByte else { return nil }
        return Int(ageValues[index])
    }

    /// The patient, study and view numbers of example `index`'s `Path`.
    package func identifiers(at index: Int) -> PathIdentifiers {
        name(at: index).withUnsafeBytes { PathIdentifiers(path: $0) }
    }

    /// The study ordinals: computed at open for the tables a dataset holds,
    /// else now.
    /// - Throws: `.noMemory`.
    package func studyIndex() throws(ChexpertError) -> StudyIndex {
        if let studies { return studies }
        return try StudyIndex(table: self)
    }

    /// This table with its study ordinals computed and stored.
    /// - Throws: `.noMemory`.
    func withStudyIndex() throws(ChexpertError) -> SplitTable {
        if studies != nil { return self }
        return SplitTable(labelNames: labelNames, nameBytes: nameBytes, nameOffsets: nameOffsets,
                          labelValues: labelValues, viewValues: viewValues, projectionValues: projectionValues,
                          hasProjectionColumn: hasProjectionColumn, csvProjectionCounts: csvProjectionCounts,
                          sexValues: sexValues, ageValues: ageValues, studies: try StudyIndex(table: self))
    }
}

/// One field of `chexpert_batch_metadata` (raw values: `chexpert_field`).
package enum MetadataField: Int, CaseIterable, Sendable {
    case patient = 0, study, viewNumber, sex, age, projection, imageView, studyIndex

    /// The name `chexpert_field_name` returns.
    package var name: StaticString {
        switch self {
        case .patient: "patient"
        case .study: "study"
        case .viewNumber: "view_number"
        case .sex: "sex"
        case .age: "age"
        case .projection: "projection"
        case .imageView: "image_view"
        case .studyIndex: "study_index"
        }
    }

    /// Value of a missing patient, study or view number, and of a missing age.
    package static let missing: Int64 = -1

    /// The field's value for row `row` of `table`.
    /// - Parameter studies: `table.studyIndex()`, for `.studyIndex`.
    package func value(_ table: SplitTable, row: Int, studies: StudyIndex?) -> Int64 {
        switch self {
        case .patient: table.identifiers(at: row).patient
        case .study: table.identifiers(at: row).study
        case .viewNumber: table.identifiers(at: row).viewNumber
        case .sex: Int64(table.sex(at: row).rawValue)
        case .age: table.age(at: row).map(Int64.init) ?? Self.missing
        case .projection: Int64(table.projection(at: row))
        case .imageView: Int64(table.view(at: row))
        case .studyIndex: Int64(studies?[row] ?? -1)
        }
    }
}
