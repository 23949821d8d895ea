import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_sex_name(_ sex: CInt) -> UnsafePointer<CChar>? {
    MetadataVocabulary.sex(sex).map { StaticCString.pointer($0.name) }
}

@c @implementation
public func chexpert_field_name(_ field: CInt) -> UnsafePointer<CChar>? {
    MetadataVocabulary.field(field).map { StaticCString.pointer($0.name) }
}

@c @implementation
public func chexpert_batch_metadata(_ ds: OpaquePointer?, _ split: CInt,
                                    _ indices: UnsafePointer<Int64>?, _ count: Int, _ field: CInt,
                                    _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, splitValue) = try datasetSplit(ds, split)
        guard let field = MetadataVocabulary.field(field) else {
            throw ChexpertError(.invalidArgument,
                                "field = \(field) is not a chexpert_field (0 ... CHEXPERT_NUM_FIELDS - 1)")
        }
        // The study ordinals of a table built without them are computed once here.
        let studies = field == .studyIndex ? try dataset.table(splitValue).studyIndex() : nil
        try writePerExample(ds, split, indices, count, out, capacity) { table, row in
            field.value(table, row: row, studies: studies)
        }
    }
}

@c @implementation
public func chexpert_split_study_count(_ ds: OpaquePointer?, _ split: CInt,
                                       _ outCount: UnsafeMutablePointer<Int64>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split) = try datasetSplit(ds, split)
        let out = try required(outCount, "out_count")
        out.pointee = Int64(try dataset.table(split).studyIndex().studyCount)
    }
}

/// `chexpert_sex` and `chexpert_field` values: the core's raw values are
/// the header's (tied here, constant by constant).
enum MetadataVocabulary {
    static func sex(_ value: CInt) -> Sex? {
        switch value {
        case CInt(CHEXPERT_SEX_FEMALE.rawValue): .female
        case CInt(CHEXPERT_SEX_MALE.rawValue): .male
        case CInt(CHEXPERT_SEX_UNKNOWN.rawValue): .unknown
        case CInt(CHEXPERT_SEX_BLANK.rawValue): .blank
        default: nil
        }
    }

    static func field(_ value: CInt) -> MetadataField? {
        switch value {
        case CInt(CHEXPERT_FIELD_PATIENT.rawValue): .patient
        case CInt(CHEXPERT_FIELD_STUDY.rawValue): .study
        case CInt(CHEXPERT_FIELD_VIEW_NUMBER.rawValue): .viewNumber
        case CInt(CHEXPERT_FIELD_SEX.rawValue): .sex
        case CInt(CHEXPERT_FIELD_AGE.rawValue): .age
        case CInt(CHEXPERT_FIELD_PROJECTION.rawValue): .projection
        case CInt(CHEXPERT_FIELD_IMAGE_VIEW.rawValue): .imageView
        case CInt(CHEXPERT_FIELD_STUDY_INDEX.rawValue): .studyIndex
        default: nil
        }
    }
}
