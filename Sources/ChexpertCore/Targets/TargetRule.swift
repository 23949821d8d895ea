/// What an uncertain (`-1.0`) cell becomes. Raw values are the
/// `chexpert_uncertain` constants of `chexpert.h`.
public enum UncertainPolicy: Int32, CaseIterable, Sendable {
    /// U-Ignore: masked.
    case ignore = 0
    /// U-Zeros.
    case zeros = 1
    /// U-Ones.
    case ones = 2
    /// U-MultiClass: class index 0 negative, 1 positive, 2 uncertain.
    case multiClass = 3
    /// TFDS's `LabelClass` raw value, never masked.
    case raw = 4
}

/// What a blank (unmentioned) cell becomes. Raw values are the
/// `chexpert_blank` constants of `chexpert.h`.
public enum BlankPolicy: Int32, CaseIterable, Sendable {
    case negative = 0
    case ignore = 1
}

/// `chexpert_target_flag` bits.
public struct TargetFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// torchxrayvision's rule: `No Finding` positive makes every other
    /// observation but `Support Devices` negative.
    public static let noFinding = TargetFlags(rawValue: 1)
    /// Masked targets are NaN instead of 0.
    public static let maskedNaN = TargetFlags(rawValue: 2)

    public static let all: TargetFlags = [.noFinding, .maskedNaN]
}

/// One output column of the training targets: which label column it reads
/// and how uncertain and blank cells map.
public struct TargetRule: Equatable, Sendable {
    public let label: Int
    public let uncertain: UncertainPolicy
    public let blank: BlankPolicy

    public init(label: Int, uncertain: UncertainPolicy, blank: BlankPolicy) {
        self.label = label
        self.uncertain = uncertain
        self.blank = blank
    }

    /// A rule from a C triple, checked against a table with `labelCount`
    /// label columns.
    /// - Throws: `.outOfRange` (label), `.invalidArgument` (policies), each
    ///   naming the rule.
    public init(triple: (Int32, Int32, Int32), at position: Int, labelCount: Int) throws(ChexpertError) {
        guard triple.0 >= 0, Int(triple.0) < labelCount else {
            throw ChexpertError(.outOfRange, "rules[\(position)]: label \(triple.0) is out of range 0 ..< \(labelCount)")
        }
        guard let uncertain = UncertainPolicy(rawValue: triple.1) else {
            throw ChexpertError(.invalidArgument, "rules[\(position)]: uncertain \(triple.1) is not a chexpert_uncertain (0 ... 4)")
        }
        guard let blank = BlankPolicy(rawValue: triple.2) else {
            throw ChexpertError(.invalidArgument, "rules[\(position)]: blank \(triple.2) is not a chexpert_blank (0 or 1)")
        }
        self.init(label: Int(triple.0), uncertain: uncertain, blank: blank)
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
