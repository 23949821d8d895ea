import CChexpertABI
import ChexpertCore

/// The vocabulary enums' C constants (`chexpert_split`, `chexpert_view`,
/// `chexpert_label_class`, `chexpert_projection`) in one place each. Their
/// values are data (TFDS's integers, written into caller arrays), so the
/// core stores them as TFDS numbers; these switches tie each number to the
/// header's constant.
enum Vocabulary {
    /// A `chexpert_split` argument.
    /// - Throws: `.invalidArgument` for any other value.
    static func split(_ value: CInt) throws(ChexpertError) -> Split {
        switch value {
        case CInt(CHEXPERT_SPLIT_TRAIN.rawValue): return .train
        case CInt(CHEXPERT_SPLIT_VALIDATION.rawValue): return .validation
        case CInt(CHEXPERT_SPLIT_TEST.rawValue): return .test
        default:
            throw ChexpertError(.invalidArgument,
                                "split = \(value) is not a chexpert_split (CHEXPERT_SPLIT_TRAIN, _VALIDATION or _TEST)")
        }
    }

    static func splitValue(_ value: CInt) -> Split? {
        switch value {
        case CInt(CHEXPERT_SPLIT_TRAIN.rawValue): .train
        case CInt(CHEXPERT_SPLIT_VALIDATION.rawValue): .validation
        case CInt(CHEXPERT_SPLIT_TEST.rawValue): .test
        default: nil
        }
    }

    static func labelClass(_ value: CInt) -> LabelClass? {
        switch value {
        case CInt(CHEXPERT_LABEL_UNCERTAIN.rawValue): .uncertain
        case CInt(CHEXPERT_LABEL_POSITIVE.rawValue): .positive
        case CInt(CHEXPERT_LABEL_NEGATIVE.rawValue): .negative
        case CInt(CHEXPERT_LABEL_UNMENTIONED.rawValue): .unmentioned
        default: nil
        }
    }

    static func view(_ value: CInt) -> ImageView? {
        switch value {
        case CInt(CHEXPERT_VIEW_FRONTAL.rawValue): .frontal
        case CInt(CHEXPERT_VIEW_LATERAL.rawValue): .lateral
        default: nil
        }
    }

    static func projection(_ value: CInt) -> Projection? {
        switch value {
        case CInt(CHEXPERT_PROJECTION_AP.rawValue): .ap
        case CInt(CHEXPERT_PROJECTION_PA.rawValue): .pa
        case CInt(CHEXPERT_PROJECTION_OTHER_FRONTAL.rawValue): .otherFrontal
        case CInt(CHEXPERT_PROJECTION_LATERAL.rawValue): .lateral
        default: nil
        }
    }
}
