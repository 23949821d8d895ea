import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_split_size(_ ds: OpaquePointer?, _ split: CInt, _ outCount: UnsafeMutablePointer<Int64>?) -> CInt {
    entry { () throws(Failure) in
        try required(outCount, "out_count").pointee = Int64(try splitTable(ds, split).table.count)
    }
}

@c @implementation
public func chexpert_split_num_labels(_ ds: OpaquePointer?, _ split: CInt,
                                      _ outCount: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(Failure) in
        try required(outCount, "out_count").pointee = Int32(clamping: try splitTable(ds, split).table.labelCount)
    }
}

@c @implementation
public func chexpert_split_label_name(_ ds: OpaquePointer?, _ split: CInt, _ label: Int32,
                                      _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                      _ outSize: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(Failure) in
        let (_, split, table) = try splitTable(ds, split)
        guard label >= 0, Int(label) < table.labelCount else {
            throw Failure(CHEXPERT_E_OUT_OF_RANGE,
                          "label = \(label) is out of range; split '\(split.name)' has labels 0 ..< \(table.labelCount)")
        }
        try writeString(table.labelNames[Int(label)].utf8, to: out, capacity: capacity, size: outSize,
                        what: "label name \(label)")
    }
}
