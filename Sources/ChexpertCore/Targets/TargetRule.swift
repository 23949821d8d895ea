/// What an uncertain (`-1.0`) cell becomes. The C API's
/// `chexpert_uncertain` constants map to it in ChexpertABI.
package enum UncertainPolicy: CaseIterable, Sendable {
    /// U-Ignore: masked.
    case ignore
    /// U-Zeros.
    case zeros
    /// U-Ones.
    case ones
    /// U-MultiClass: class index 0 negative, 1 positive, 2 uncertain.
    case multiClass
    /// TFDS's `LabelClass` raw value, never masked.
    case raw
}

/// What a blank (unmentioned) cell becomes. The C API's `chexpert_blank`
/// constants map to it in ChexpertABI.
package enum BlankPolicy: CaseIterable, Sendable {
    case negative
    case ignore
}

/// The flags of a target computation (`chexpert_target_flag` bits in C).
package struct TargetFlags: Equatable, Sendable {
    /// torchxrayvision's rule: `No Finding` positive makes every other
    /// observation but `Support Devices` negative.
    package var noFinding: Bool
    /// Masked targets are NaN instead of 0.
    package var maskedNaN: Bool

    package init(noFinding: Bool = false, maskedNaN: Bool = false) {
        self.noFinding = noFinding
        self.maskedNaN = maskedNaN
    }
}

/// One output column of the training targets: which label column it reads
/// and how uncertain and blank cells map.
package struct TargetRule: Equatable, Sendable {
    package let label: Int
    package let uncertain: UncertainPolicy
    package let blank: BlankPolicy

    package init(label: Int, uncertain: UncertainPolicy, blank: BlankPolicy) {
        self.label = label
        self.uncertain = uncertain
        self.blank = blank
    }

    /// The target of a cell, or nil when it is masked.
    func target(_ cell: LabelClass) -> Float? {
        if uncertain == .raw { return Float(cell.rawValue) }
        switch cell {
        case .positive: return 1
        case .negative: return 0
        case .unmentioned: return blank == .negative ? 0 : nil
        case .uncertain:
            switch uncertain {
            case .ignore: return nil
            case .zeros: return 0
            case .ones: return 1
            case .multiClass: return 2
            case .raw: return Float(cell.rawValue)
            }
        }
    }
}
