/// The patient, study and view numbers a CheXpert `Path` names:
/// `.../patientNNNNN/studyN/viewN_frontal.jpg`.
///
/// Rules (docs/evaluation.md): components are split at `/` and `\`. The
/// patient is the last component that is `patient` followed by 1 ... 18 ASCII
/// digits (leading zeros allowed: `patient00001` is 1). The study is the
/// component right after it when it is `study` followed by 1 ... 18 digits.
/// The view number is that of the file name (the last component) when it
/// starts with `view`, 1 ... 18 digits and `_`. A part the path does not give
/// is `missing` (-1, `CHEXPERT_ID_MISSING`). Pure function of the bytes.
package struct PathIdentifiers: Equatable, Sendable {
    package static let missing: Int64 = -1

    package var patient: Int64 = PathIdentifiers.missing
    package var study: Int64 = PathIdentifiers.missing
    package var viewNumber: Int64 = PathIdentifiers.missing

    /// - Complexity: O(path length); allocates nothing.
    package init<C: RandomAccessCollection>(path: C) where C.Element == UInt8, C.Index == Int {
        func isSeparator(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") }
        // Component bounds, walked left to right.
        var patientEnd: Int? = nil        // end of the last `patientN` component
        var studyNumber: Int64? = nil     // of the component right after it
        var lastStart = path.startIndex
        var start = path.startIndex
        var index = path.startIndex
        while index <= path.endIndex {
            if index == path.endIndex || isSeparator(path[index]) {
                let component = path[start ..< index]
                if let number = Self.number(after: "patient", in: component, terminator: nil) {
                    patient = number
                    patientEnd = index
                    studyNumber = nil
                } else if let end = patientEnd, start == end + 1 {
                    studyNumber = Self.number(after: "study", in: component, terminator: nil)
                }
                lastStart = start
                start = index + 1
            }
            index += 1
        }
        study = studyNumber ?? Self.missing
        if let number = Self.number(after: "view", in: path[lastStart ..< path.endIndex],
                                    terminator: UInt8(ascii: "_")) {
            viewNumber = number
        }
    }

    /// The number of `prefix` + 1 ... 18 digits: the whole component
    /// (`terminator` nil), or digits followed by `terminator`.
    private static func number<C: RandomAccessCollection>(after prefix: StaticString, in component: C,
                                                         terminator: UInt8?) -> Int64?
        where C.Element == UInt8, C.Index == Int {
        let prefixCount = prefix.utf8CodeUnitCount
        guard component.count > prefixCount else { return nil }
        var index = component.startIndex
        var matches = true
        prefix.withUTF8Buffer { bytes in
            for byte in bytes {
                if component[index] != byte { matches = false; break }
                index += 1
            }
        }
        guard matches else { return nil }
        var value: Int64 = 0
        var digits = 0
        while index < component.endIndex {
            let byte = component[index]
            if let terminator, byte == terminator { break }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 18 else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        if let _ = terminator { guard index < component.endIndex else { return nil } }
        return value
    }
}
