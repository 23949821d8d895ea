/// TFDS's `image_view`: `ClassLabel(names=['frontal', 'lateral'])`.
///
/// Raw values are TFDS's integers (data written into caller arrays); ChexpertABI
/// ties each to its `chexpert_view` constant (`Vocabulary`).
package enum ImageView: UInt8, CaseIterable, Sendable {
    case frontal = 0
    case lateral = 1

    /// TFDS's class name.
    package var name: StaticString {
        switch self {
        case .frontal: "frontal"
        case .lateral: "lateral"
        }
    }

    /// Maps a `Frontal/Lateral` cell as TFDS does (`cell.lower()` must be a
    /// class name): `Frontal`, `FRONTAL`, `lateral` are accepted; blank,
    /// `Oblique`, `1` are nil. Only ASCII letters change case, which is exact
    /// here: no other character lower-cases into these names.
    package init?<C: Collection>(cell: C) where C.Element == UInt8 {
        func matches(_ name: StaticString) -> Bool {
            guard cell.count == name.utf8CodeUnitCount else { return false }
            var i = 0
            for byte in cell {
                let lower = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
                if lower != name.utf8Start[i] { return false }
                i += 1
            }
            return true
        }
        if matches(ImageView.frontal.name) {
            self = .frontal
        } else if matches(ImageView.lateral.name) {
            self = .lateral
        } else {
            return nil
        }
    }
}
