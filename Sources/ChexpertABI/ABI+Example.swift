import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_example_image(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                   _ out: UnsafeMutablePointer<UInt8>?, _ capacityBytes: Int,
                                   _ outHeight: UnsafeMutablePointer<Int32>?,
                                   _ outWidth: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split) = try datasetSplit(ds, split)
        let buffer = try optionalBuffer(out, capacityBytes, "out")
        try dataset.readImage(split: split, index: index, into: buffer) { shape in
            outHeight?.pointee = Int32(clamping: shape.height)
            outWidth?.pointee = Int32(clamping: shape.width)
        }
    }
}

@c @implementation
public func chexpert_example_labels(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                    _ out: UnsafeMutablePointer<Int64>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let buffer = try optionalBuffer(out, capacity, "out")
        let (table, row) = try exampleRow(ds, split, index)
        guard let out = buffer else { return }  // NULL with capacity 0: skipped
        guard out.count >= table.labelCount else {
            throw ChexpertError(.bufferTooSmall(needed: table.labelCount),
                                "out holds \(out.count) elements; the split has \(table.labelCount) labels")
        }
        for (i, value) in table.labels(at: row).enumerated() { out[i] = Int64(value) }
    }
}

@c @implementation
public func chexpert_example_view(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                  _ outView: UnsafeMutablePointer<Int64>?) -> CInt {
    entry { () throws(ChexpertError) in
        let out = try required(outView, "out_view")
        let (table, row) = try exampleRow(ds, split, index)
        out.pointee = Int64(table.view(at: row))
    }
}

@c @implementation
public func chexpert_example_name(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                  _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                  _ outSize: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (table, row) = try exampleRow(ds, split, index)
        try writeString(table.name(at: row), to: out, capacity: capacity, size: outSize,
                        what: "the name of example \(index)")
    }
}
