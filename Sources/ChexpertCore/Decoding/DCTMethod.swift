import CTurboJPEG

/// The inverse-DCT method of a decode. The C API's `chexpert_dct` constants
/// map to it in ChexpertABI (one switch).
package enum DCTMethod: Sendable, CaseIterable {
    /// libjpeg's JDCT_IFAST: what TensorFlow's `decode_jpeg` uses, so pixels
    /// are bit-identical to `tfds.load("chexpert")`.
    case fast
    /// libjpeg's JDCT_ISLOW: what Pillow and torchvision use.
    case accurate

    var turboJPEGFlag: Int32 {
        switch self {
        case .fast: TJFLAG_FASTDCT
        case .accurate: TJFLAG_ACCURATEDCT
        }
    }
}
