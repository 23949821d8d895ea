/// Where a row's image was taken from, from its `Frontal/Lateral` and `AP/PA`
/// cells. Raw values are TFDS-style data integers written into caller arrays;
/// ChexpertABI ties each to its `chexpert_projection` constant (`Vocabulary`).
package enum Projection: UInt8, CaseIterable, Sendable {
    case ap = 0
    case pa = 1
    /// Frontal with an `AP/PA` cell other than exactly `AP` or `PA` (`LL`,
    /// `RL`, blank), or frontal in a CSV without an `AP/PA` column.
    case otherFrontal = 2
    /// Lateral, whatever its `AP/PA` cell.
    case lateral = 3

    /// - Parameters:
    ///   - view: the row's `Frontal/Lateral` view.
    ///   - cell: its `AP/PA` cell; nil when the CSV has no such column.
    package init<C: Collection>(view: ImageView, cell: C?) where C.Element == UInt8 {
        switch view {
        case .lateral: self = .lateral
        case .frontal:
            if let cell, cell.elementsEqual("AP".utf8) {
                self = .ap
            } else if let cell, cell.elementsEqual("PA".utf8) {
                self = .pa
            } else {
                self = .otherFrontal
            }
        }
    }

    /// The projection's name (`chexpert_projection_name`).
    package var name: StaticString {
        switch self {
        case .ap: "ap"
        case .pa: "pa"
        case .otherFrontal: "other_frontal"
        case .lateral: "lateral"
        }
    }

    /// The `CHEXPERT_SELECT_*` bit of this projection.
    package var selectionBit: Int64 { 1 << Int64(rawValue) }
}

/// The rows a split keeps: a `CHEXPERT_KEY_SELECT` bitmask of
/// `Projection.selectionBit`s.
package struct Selection: Equatable, Sendable {
    package let mask: Int64

    /// Every row (TFDS's splits).
    package static let all = Selection(unchecked: Projection.allCases.reduce(0) { $0 | $1.selectionBit })

    private init(unchecked mask: Int64) { self.mask = mask }

    /// - Throws: `.invalidArgument` for 0 or bits outside `all`.
    package init(mask: Int64) throws(ChexpertError) {
        guard mask != 0, mask & ~Selection.all.mask == 0 else {
            throw ChexpertError(.invalidArgument,
                                "CHEXPERT_KEY_SELECT = \(mask) is not a nonzero mask of CHEXPERT_SELECT_* bits (CHEXPERT_SELECT_ALL = \(Selection.all.mask))")
        }
        self.mask = mask
    }

    package func contains(_ projection: Projection) -> Bool { mask & projection.selectionBit != 0 }

    /// Whether the selection tells AP from PA rows (and so needs `AP/PA`).
    package var needsProjectionColumn: Bool {
        let frontal = Projection.ap.selectionBit | Projection.pa.selectionBit | Projection.otherFrontal.selectionBit
        let chosen = mask & frontal
        return chosen != 0 && chosen != frontal
    }
}
