import CTurboJPEG

/// The inverse-DCT method of a decode. Raw values are the `chexpert_dct`
/// constants of `chexpert.h`.
public enum DCTMethod: Int64, Sendable {
    /// libjpeg's JDCT_IFAST: what TensorFlow's `decode_jpeg` uses, so pixels
    /// are bit-identical to `tfds.load("chexpert")`.
    case fast = 0
    /// libjpeg's JDCT_ISLOW: what Pillow and torchvision use.
    case accurate = 1

    var turboJPEGFlag: Int32 {
        switch self {
        case .fast: TJFLAG_FASTDCT
        case .accurate: TJFLAG_ACCURATEDCT
        }
    }
}
