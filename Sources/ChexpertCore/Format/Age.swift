/// The `Age` cell: whole years, 0 ... 150.
package enum Age {
    /// Largest age accepted.
    package static let maximum = 150
    /// Stored value of a blank cell (or no `Age` column): not an age.
    package static let missingByte: UInt8 = 0xFF

    /// Parses an `Age` cell.
    ///
    /// Accepted: ASCII decimal digits (`68`, `068`), optionally followed by
    /// a point and zeros only (`68.0`, `68.`, as pandas writes an integer
    /// column that holds a blank), with a value 0 ... 150. No sign, no
    /// spaces, no exponent, no other fraction.
    /// - Returns: `.some(missingByte)` for an empty cell, the age, or nil
    ///   for a malformed cell or a value above 150.
    package static func parse<C: Collection>(cell: C) -> UInt8? where C.Element == UInt8 {
        if cell.isEmpty { return missingByte }
        var value = 0
        var digits = 0
        var sawPoint = false
        for byte in cell {
            if sawPoint {
                guard byte == UInt8(ascii: "0") else { return nil }
                continue
            }
            if byte == UInt8(ascii: ".") {
                sawPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard value <= maximum else { return nil }   // also bounds the arithmetic
        }
        guard digits > 0 else { return nil }
        return UInt8(truncatingIfNeeded: value)
    }
}
