/// TFDS's `ClassLabel(names=['uncertain', 'positive', 'negative', 'unmentioned'])`.
///
/// Raw values are TFDS's ClassLabel integers (data written into caller arrays;
/// ChexpertABI ties each to its `chexpert_label_class` constant); note
/// they are not the CSV numbers (`0.0` is negative = 2).
package enum LabelClass: UInt8, CaseIterable, Sendable {
    case uncertain = 0
    case positive = 1
    case negative = 2
    case unmentioned = 3

    /// TFDS's class name.
    package var name: StaticString {
        switch self {
        case .uncertain: "uncertain"
        case .positive: "positive"
        case .negative: "negative"
        case .unmentioned: "unmentioned"
        }
    }

    /// Maps a CSV cell exactly as TFDS's `_LABELS` dict does: `-1.0`, `1.0`,
    /// `0.0` and the empty string; anything else (`1`, `2.0`, ` 1.0`) is nil.
    package init?<C: Collection>(cell: C) where C.Element == UInt8 {
        switch cell.count {
        case 0: self = .unmentioned
        case 3:
            guard cell.elementsEqual("1.0".utf8) || cell.elementsEqual("0.0".utf8) else { return nil }
            self = cell.first == UInt8(ascii: "1") ? .positive : .negative
        case 4:
            guard cell.elementsEqual("-1.0".utf8) else { return nil }
            self = .uncertain
        default: return nil
        }
    }
}
