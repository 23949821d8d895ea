/// Rules that the CheXpert paper and peer loaders use; `chexpert.h` states
/// what each one is. The C API's `chexpert_preset` constants map to it in
/// ChexpertABI.
package enum TargetPreset: CaseIterable, Sendable {
    case paper
    case libAUC
    case xrv

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

    /// The preset's default flags (both for `.xrv`, none otherwise).
    package var flags: TargetFlags { self == .xrv ? TargetFlags(noFinding: true, maskedNaN: true) : TargetFlags() }

    /// The preset's rules for `table`'s columns, found by name.
    /// - Throws: `.notFound` naming the first missing column and `file`.
    package func rules(for table: SplitTable, file: String) throws(ChexpertError) -> [TargetRule] {
        var rules: [TargetRule] = []
        rules.reserveCapacity(columns.count)
        for column in columns {
            guard let label = table.labelIndex(named: column.name) else {
                throw ChexpertError(.notFound, "\(file): the header has no '\(column.name)' column, which the preset needs")
            }
            rules.append(TargetRule(label: label, uncertain: column.uncertain, blank: column.blank))
        }
        return rules
    }
}
