/// The ranges of a native augmentation (`CHEXPERT_KEY_AUGMENT` and the
/// `CHEXPERT_KEY_AUG_*` keys; docs/augmentation.md): a random resized crop,
/// a random affine, a horizontal flip and brightness / contrast / gamma
/// jitter, drawn per example by `AugmentDraw` from (seed, epoch, index).
///
/// Every range is closed; a range of one value draws that value. The
/// defaults are the identity (no crop, angle 0, no translation, scale 1,
/// shear 0, no flip, factors 1).
package struct AugmentParams: Sendable, Equatable {
    /// The C API's `chexpert_augment` values other than NONE.
    package enum Preset: Sendable, CaseIterable {
        /// Only the `CHEXPERT_KEY_AUG_*` keys that are set.
        case custom
        /// jfhealthcare/Chexpert `data/imgaug.py` 'Aug': torchvision
        /// `RandomAffine(degrees=(-15, 15), translate=(0.05, 0.05),
        /// scale=(0.95, 1.05), fillcolor=128)`.
        case jfhealthcare
        /// LibAUC `libauc/datasets/chexpert.py` `image_augmentation`
        /// (mode 'train', no user transform): the same RandomAffine.
        case libauc
    }

    /// Random resized crop: the area fraction; nil for no crop (the whole
    /// image is the crop).
    package var cropScale: ClosedRange<Double>?
    /// Random resized crop: the aspect ratio (width / height), drawn
    /// log-uniformly (torchvision's default 3/4 ... 4/3).
    package var cropRatio: ClosedRange<Double> = (3.0 / 4.0) ... (4.0 / 3.0)
    /// Affine: rotation in degrees (counter-clockwise on screen, as torchvision).
    package var rotate: ClosedRange<Double> = 0 ... 0
    /// Affine: largest translation as a fraction of the crop's width and
    /// height (0 ... 1); the drawn translation is rounded to whole pixels.
    package var translateX: Double = 0
    package var translateY: Double = 0
    /// Affine: scale factor.
    package var scale: ClosedRange<Double> = 1 ... 1
    /// Affine: shear angles in degrees, along x and along y.
    package var shearX: ClosedRange<Double> = 0 ... 0
    package var shearY: ClosedRange<Double> = 0 ... 0
    /// Value (0 ... 255, every channel) of the points the affine or the
    /// crop brings in from outside the crop.
    package var fill: Double = 0
    /// Intensity factors, applied in this order on 0 ... 255 values.
    package var brightness: ClosedRange<Double> = 1 ... 1
    package var contrast: ClosedRange<Double> = 1 ... 1
    package var gamma: ClosedRange<Double> = 1 ... 1
    /// Probability of a horizontal flip (0: never, the default).
    package var hflip: Double = 0
    /// `CHEXPERT_KEY_SEED` and `CHEXPERT_KEY_EPOCH`.
    package var seed: UInt64 = 0
    package var epoch: UInt64 = 0

    /// The identity: no augmentation at all (`CHEXPERT_AUGMENT_CUSTOM` with
    /// no key set).
    package init() {}

    /// The ranges of `preset` (before any `CHEXPERT_KEY_AUG_*` override).
    package init(preset: Preset) {
        self.init()
        switch preset {
        case .custom: break
        case .jfhealthcare, .libauc:
            rotate = -15 ... 15
            translateX = 0.05
            translateY = 0.05
            scale = 0.95 ... 1.05
            fill = 128
        }
    }
}
