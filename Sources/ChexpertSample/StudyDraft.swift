import ChexpertCore

/// One study of a planned patient: what all its rows share, and its views.
struct StudyDraft {
    struct View {
        var view: SampleView
        /// The `AP/PA` cell ("" for lateral).
        var projection: String
    }

    var number: Int
    var sex: String
    var age: Int
    var views: [View]
    var labels: [String]

    static let frontalAP = View(view: .frontal, projection: "AP")
    static let frontalPA = View(view: .frontal, projection: "PA")
    static let lateral = View(view: .lateral, projection: "")

    /// The studies of patient `index` (0-based within its split) in listed
    /// order. The first 4 train and 2 valid patients are fixed (see
    /// `SamplePlan`'s coverage guarantee); random ones follow. Fixed patients
    /// still draw from `rng` so later patients do not depend on which are fixed.
    static func patient(_ index: Int, split: SampleSplit, rng: inout SplitMix64) -> [StudyDraft] {
        let random = split == .train ? randomTrainPatient(rng: &rng) : randomValidPatient(rng: &rng)
        switch (split, index) {
        case (.train, 0):
            return [StudyDraft(number: 1, sex: "Female", age: 68, views: [frontalAP, lateral],
                               labels: trainPattern(0))]
        case (.train, 1):
            return [
                StudyDraft(number: 2, sex: "Male", age: 87, views: [frontalAP], labels: trainPattern(1)),
                StudyDraft(number: 1, sex: "Male", age: 83, views: [frontalPA, lateral], labels: trainPattern(2)),
            ]
        case (.train, 2):
            let frontalLL = View(view: .frontal, projection: "LL")
            return [StudyDraft(number: 1, sex: "Unknown", age: 0, views: [frontalAP, frontalLL, lateral],
                               labels: trainPattern(3))]
        case (.train, 3):
            let frontalRL = View(view: .frontal, projection: "RL")
            return [
                StudyDraft(number: 1, sex: "Female", age: 41, views: [lateral], labels: randomTrainLabels(rng: &rng)),
                StudyDraft(number: 2, sex: "Female", age: 42, views: [frontalRL], labels: randomTrainLabels(rng: &rng)),
            ]
        case (.valid, 0):
            return [StudyDraft(number: 1, sex: "Male", age: 73, views: [frontalAP, lateral], labels: validPattern(0))]
        case (.valid, 1):
            return [StudyDraft(number: 1, sex: "Female", age: 60, views: [frontalPA], labels: validPattern(1))]
        default:
            return random
        }
    }

    /// Train labels for fixed study `k` in 0..<4: across the four studies every
    /// column gets blank, 1.0, 0.0 and -1.0 (No Finding: 1.0 and blank).
    private static func trainPattern(_ k: Int) -> [String] {
        let cells = SampleVocabulary.trainLabelCells
        return (0 ..< SampleVocabulary.labelNames.count).map { column in
            column == 0 ? (k == 0 ? "1.0" : "") : cells[(k + column) % cells.count]
        }
    }

    /// Valid labels for fixed study `k` in 0..<2: across both studies every
    /// column gets 0.0 and 1.0.
    private static func validPattern(_ k: Int) -> [String] {
        let cells = SampleVocabulary.validLabelCells
        return (0 ..< SampleVocabulary.labelNames.count).map { cells[(k + $0) % cells.count] }
    }

    private static func randomTrainPatient(rng: inout SplitMix64) -> [StudyDraft] {
        let sex = rng.chance(0.58) ? "Male" : "Female"
        var age = rng.next(in: 18 ... 88)
        let u = rng.unit()
        let count = u < 0.55 ? 1 : (u < 0.85 ? 2 : 3)
        var studies: [StudyDraft] = []
        for number in 1 ... count {
            studies.append(StudyDraft(number: number, sex: sex, age: age,
                                      views: randomViews(train: true, rng: &rng),
                                      labels: randomTrainLabels(rng: &rng)))
            age = min(90, age + rng.next(in: 0 ... 1))
        }
        return count > 1 && rng.chance(0.4) ? studies.reversed() : studies
    }

    private static func randomValidPatient(rng: inout SplitMix64) -> [StudyDraft] {
        let sex = rng.chance(0.55) ? "Male" : "Female"
        let age = rng.next(in: 18 ... 90)
        return [StudyDraft(number: 1, sex: sex, age: age, views: randomViews(train: false, rng: &rng),
                           labels: randomValidLabels(rng: &rng))]
    }

    /// Frontal only 45 %, frontal + lateral 40 %, two frontals (+ lateral half
    /// the time) 10 %, lateral only 5 %.
    private static func randomViews(train: Bool, rng: inout SplitMix64) -> [View] {
        let u = rng.unit()
        let withLateral = rng.chance(0.5)
        let first = randomFrontal(train: train, rng: &rng)
        let second = randomFrontal(train: train, rng: &rng)
        if u < 0.45 { return [first] }
        if u < 0.85 { return [first, lateral] }
        if u < 0.95 { return withLateral ? [first, second, lateral] : [first, second] }
        return [lateral]
    }

    /// AP 80 %, PA 19 %, and in train LL and RL 0.5 % each.
    private static func randomFrontal(train: Bool, rng: inout SplitMix64) -> View {
        let u = rng.unit()
        let projection = u < 0.80 ? "AP" : (u < 0.99 || !train ? "PA" : (u < 0.995 ? "LL" : "RL"))
        return View(view: .frontal, projection: projection)
    }

    /// 15 % "no finding" studies (No Finding 1.0, pathologies blank or 0.0);
    /// otherwise each cell blank 60 %, 1.0 15 %, -1.0 10 %, 0.0 15 %.
    private static func randomTrainLabels(rng: inout SplitMix64) -> [String] {
        let count = SampleVocabulary.labelNames.count
        if rng.chance(0.15) {
            return (0 ..< count).map { column in
                let u = rng.unit()
                if column == 0 { return "1.0" }
                if column == count - 1 { return u < 0.5 ? "" : (u < 0.8 ? "1.0" : "0.0") }
                return u < 0.9 ? "" : "0.0"
            }
        }
        return (0 ..< count).map { column in
            let u = rng.unit()
            if column == 0 { return "" }
            return u < 0.60 ? "" : (u < 0.75 ? "1.0" : (u < 0.85 ? "-1.0" : "0.0"))
        }
    }

    /// 30 % "no finding" studies; otherwise each pathology 1.0 with 20 %.
    private static func randomValidLabels(rng: inout SplitMix64) -> [String] {
        let count = SampleVocabulary.labelNames.count
        let normal = rng.chance(0.3)
        return (0 ..< count).map { column in
            let u = rng.unit()
            if column == 0 { return normal ? "1.0" : "0.0" }
            if normal { return column == count - 1 && u < 0.4 ? "1.0" : "0.0" }
            return u < 0.2 ? "1.0" : "0.0"
        }
    }
}
