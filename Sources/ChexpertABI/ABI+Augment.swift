import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_augment_draw(_ params: OpaquePointer?, _ index: Int64, _ width: Int64, _ height: Int64,
                                  _ out: UnsafeMutablePointer<Double>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let values = try ParamSet.values(params)
        guard index >= 0 else { throw ChexpertError(.invalidArgument, "index = \(index) is negative") }
        let side = 1 ... Int64(ResizeSpec.maxSide)
        guard side.contains(width), side.contains(height) else {
            throw ChexpertError(.invalidArgument, "width = \(width), height = \(height): each must be 1 ... CHEXPERT_MAX_SIDE (\(ResizeSpec.maxSide))")
        }
        let count = try size(capacity, "capacity")
        let needed = AugmentDraw.valueCount
        guard count >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed), "capacity = \(count); CHEXPERT_NUM_AUGMENT_VALUES is \(needed)")
        }
        let destination = try required(out, "out")
        let augment = try values.augmentParams() ?? AugmentParams()
        let draw = AugmentDraw(augment, index: index, sourceWidth: Int(width), sourceHeight: Int(height))
        for (i, value) in draw.values.enumerated() where i < needed { destination[i] = value }
    }
}
