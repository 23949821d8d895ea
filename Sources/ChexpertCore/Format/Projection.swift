/// Where a row's image was taken from, from its `Frontal/Lateral` and `AP/PA`
/// cells. Raw values are the `chexpert_projection` constants of `chexpert.h`.
public enum Projection: UInt8, CaseIterable, Sendable {
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
    public init<C: Collection>(view: ImageView, cell: C?) where C.Element == UInt8 {
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

    /// The `CHEXPERT_SELECT_*` bit of this projection.
    public var selectionBit: Int64 { 1 << Int64(rawValue) }
}

/// The rows a split keeps: a `CHEXPERT_OPTION_SELECT` bitmask of
/// `Projection.selectionBit`s.
public struct Selection: Equatable, Sendable {
    public let mask: Int64

    /// Every row (TFDS's splits).
    public static let all = Selection(unchecked: Projection.allCases.reduce(0) { $0 | $1.selectionBit })

    private init(unchecked mask: Int64) { self.mask = mask }

    /// - Throws: `.invalidArgument` for bits outside `all`.
    public init(mask: Int64) throws(ChexpertError) {
        guard mask & ~Selection.all.mask == 0 else {
            throw ChexpertError(.invalidArgument,
                                "CHEXPERT_OPTION_SELECT value \(mask) has bits outside CHEXPERT_SELECT_ALL (\(Selection.all.mask))")
        }
        self.mask = mask
    }

    public func contains(_ projection: Projection) -> Bool { mask & projection.selectionBit != 0 }

    /// Whether the selection tells AP from PA rows (and so needs `AP/PA`).
    public var needsProjectionColumn: Bool {
        let frontal = Projection.ap.selectionBit | Projection.pa.selectionBit | Projection.otherFrontal.selectionBit
        let chosen = mask & frontal
        return chosen != 0 && chosen != frontal
    }
}
