/// Rules that the CheXpert paper and peer loaders use. Raw values are the
/// `chexpert_target_preset` constants of `chexpert.h`; `chexpert.h` states
/// what each one is.
public enum TargetPreset: Int32, CaseIterable, Sendable {
    case paper = 1
    case libAUC = 2
    case xrv = 3

    /// The observation names, in output order, with their policies.
    var columns: [(name: String, uncertain: UncertainPolicy, blank: BlankPolicy)] {
        switch self {
        case .paper:  // the competition observations (CheXpert paper, section 5), in its order
            return [("Atelectasis", .ones, .negative), ("Cardiomegaly", .multiClass, .negative),
                    ("Consolidation", .ignore, .negative), ("Edema", .ones, .negative),
                    ("Pleural Effusion", .multiClass, .negative)]
        case .libAUC:
            return ["Cardiomegaly", "Edema", "Consolidation", "Atelectasis", "Pleural Effusion"].map {
                ($0, $0 == "Edema" || $0 == "Atelectasis" ? .ones : .zeros, .negative)
            }
        case .xrv:
            return TargetPreset.xrvObservations.map { ($0, .ignore, .ignore) }
        }
    }

    /// torchxrayvision's `CheX_Dataset.pathologies`: the 13 observations
    /// other than `No Finding`, sorted.
    static let xrvObservations = [
        "Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum", "Fracture",
        "Lung Lesion", "Lung Opacity", "Pleural Effusion", "Pleural Other", "Pneumonia", "Pneumothorax",
        "Support Devices",
    ]

    public var flags: TargetFlags { self == .xrv ? [.noFinding, .maskedNaN] : [] }

    /// The preset's rules for `table`'s columns, found by name.
    /// - Throws: `.notFound` naming the first missing column and `file`.
    public func rules(for table: SplitTable, file: String) throws(ChexpertError) -> [TargetRule] {
        var rules: [TargetRule] = []
        for column in columns {
            guard let label = table.labelIndex(named: column.name) else {
                throw ChexpertError(.notFound, "\(file): the header has no '\(column.name)' column, which the preset needs")
            }
            rules.append(TargetRule(label: label, uncertain: column.uncertain, blank: column.blank))
        }
        return rules
    }
}
