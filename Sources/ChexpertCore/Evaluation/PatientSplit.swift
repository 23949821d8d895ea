/// Assigns a split's examples to parts so that a patient's examples share a
/// part (C: `chexpert_patient_split`; algorithm in docs/evaluation.md).
///
/// 1. Patients are numbered in order of first appearance (the `patientN`
///    number of the Path; a row without one is a patient of its own).
/// 2. With `stratify` (a label column), the patients with a positive cell in
///    that column in any of their rows form group 1, the others group 2;
///    without, all patients form one group.
/// 3. One SplitMix64 generator seeded with `seed` shuffles each group in
///    turn (group 1 first), Fisher-Yates from the last position down:
///    position i swaps with `next(uniformBelow: i + 1)`.
/// 4. Each group is dealt in its shuffled order: with T the group's examples
///    dealt so far and n the patient's examples, the patient goes to the part
///    k with the largest f_k (T + n) - c_k (c_k: the group's examples already
///    in part k, f_k the normalised fraction), the lowest k on ties. A part
///    with fraction 0 receives nothing.
package enum PatientSplit {
    /// - Parameters:
    ///   - fractions: finite, non-negative, positive sum (checked by the caller).
    ///   - out: at least `table.count` elements: each example's part.
    /// - Throws: `.noMemory` (scratch, checked, freed before return: at
    ///   most 84 bytes per example, with the patient hash table, and 17 per
    ///   patient).
    package static func assign(_ table: SplitTable, fractions: UnsafeBufferPointer<Double>, seed: UInt64,
                               stratify: Int?, into out: UnsafeMutableBufferPointer<Int32>) throws(ChexpertError) {
        let count = table.count
        let parts = fractions.count
        let patientOf = try UnsafeMutablePointer<Int32>.allocateChecked(Swift.max(count, 1), for: "the patient split")
        defer { patientOf.deallocateChecked() }
        var keys = try KeyOrdinals(capacity: count, for: "the patient split's table")
        defer { keys.deallocate() }
        for row in 0 ..< count {
            let patient = table.identifiers(at: row).patient
            patientOf[row] = patient == PathIdentifiers.missing ? keys.fresh() : keys.ordinal(patient, 0)
        }
        let patients = Int(keys.count)
        // Per patient: examples, positive flag, part; then the dealing order.
        let sizes = try UnsafeMutablePointer<Int>.allocateChecked(Swift.max(patients, 1), for: "the patient split")
        defer { sizes.deallocateChecked() }
        let positive = try UnsafeMutablePointer<Bool>.allocateChecked(Swift.max(patients, 1), for: "the patient split")
        defer { positive.deallocateChecked() }
        let order = try UnsafeMutablePointer<Int32>.allocateChecked(Swift.max(patients, 1), for: "the patient split")
        defer { order.deallocateChecked() }
        let partOf = try UnsafeMutablePointer<Int32>.allocateChecked(Swift.max(patients, 1), for: "the patient split")
        defer { partOf.deallocateChecked() }
        let dealt = try UnsafeMutablePointer<Int>.allocateChecked(Swift.max(parts, 1), for: "the patient split")
        defer { dealt.deallocateChecked() }
        sizes.initialize(repeating: 0, count: patients)
        positive.initialize(repeating: false, count: patients)
        for row in 0 ..< count {
            let p = Int(patientOf[row])
            sizes[p] += 1
            if let stratify, table.labels(at: row)[stratify] == LabelClass.positive.rawValue { positive[p] = true }
        }
        // Group 1 (positive, or everyone) then group 2, each in first-appearance order.
        var groupEnd = 0
        for p in 0 ..< patients where stratify == nil || positive[p] { order[groupEnd] = Int32(p); groupEnd += 1 }
        var end = groupEnd
        for p in 0 ..< patients where stratify != nil && !positive[p] { order[end] = Int32(p); end += 1 }
        var total = 0.0
        for k in 0 ..< parts { total += fractions[k] }
        var generator = SplitMix64(seed: seed)
        for (start, stop) in [(0, groupEnd), (groupEnd, end)] where stop > start {
            // Fisher-Yates over order[start ..< stop].
            var i = stop - start - 1
            while i > 0 {
                let j = Int(generator.next(uniformBelow: UInt64(i + 1)))
                order.advanced(by: start).swapAt(i, j)
                i -= 1
            }
            dealt.initialize(repeating: 0, count: parts)
            var dealtTotal = 0
            for position in start ..< stop {
                let p = Int(order[position])
                let after = Double(dealtTotal + sizes[p])
                var best = 0, bestDeficit = -Double.infinity
                for k in 0 ..< parts {
                    let deficit = fractions[k] / total * after - Double(dealt[k])
                    if fractions[k] > 0, deficit > bestDeficit { best = k; bestDeficit = deficit }
                }
                partOf[p] = Int32(best)
                dealt[best] += sizes[p]
                dealtTotal += sizes[p]
            }
        }
        for row in 0 ..< count { out[row] = partOf[Int(patientOf[row])] }
    }
}

extension UnsafeMutablePointer {
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        guard i != j else { return }
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
