/// Patient sex from the `Sex` cell. Raw values are the `chexpert_sex`
/// integers written into caller arrays (ChexpertABI ties each to its
/// constant).
package enum Sex: UInt8, CaseIterable, Sendable {
    case female = 0
    case male = 1
    case unknown = 2
    /// An empty cell, a row too short to have the cell, or no `Sex` column.
    case blank = 3

    /// The name `chexpert_sex_name` returns.
    package var name: StaticString {
        switch self {
        case .female: "female"
        case .male: "male"
        case .unknown: "unknown"
        case .blank: "blank"
        }
    }

    /// The cell exactly as the CheXpert CSVs spell it (case-sensitive,
    /// no surrounding spaces): `Female`, `Male`, `Unknown` or empty; nil
    /// for anything else.
    package init?<C: Collection>(cell: C) where C.Element == UInt8 {
        if cell.isEmpty {
            self = .blank
        } else if cell.elementsEqual("Female".utf8) {
            self = .female
        } else if cell.elementsEqual("Male".utf8) {
            self = .male
        } else if cell.elementsEqual("Unknown".utf8) {
            self = .unknown
        } else {
            return nil
        }
    }
}
