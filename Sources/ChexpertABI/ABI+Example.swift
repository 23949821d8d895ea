import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_example_shape(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                   _ outHeight: UnsafeMutablePointer<Int32>?,
                                   _ outWidth: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(Failure) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        let split = try ChexpertABI.split(split)
        let height = try required(outHeight, "out_height"), width = try required(outWidth, "out_width")
        let shape = try core { () throws(ChexpertError) in try dataset.shape(split: split, index: index) }
        height.pointee = Int32(clamping: shape.height)
        width.pointee = Int32(clamping: shape.width)
    }
}

@c @implementation
public func chexpert_example_image(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                   _ image: UnsafeMutablePointer<UInt8>?, _ capacityBytes: Int,
                                   _ outHeight: UnsafeMutablePointer<Int32>?,
                                   _ outWidth: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(Failure) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        let split = try ChexpertABI.split(split)
        let image = try required(image, "image")
        let capacity = try size(capacityBytes, "capacity_bytes")
        try core { () throws(ChexpertError) in
            try dataset.readImage(split: split, index: index, into: image, capacity: capacity) { shape in
                outHeight?.pointee = Int32(clamping: shape.height)
                outWidth?.pointee = Int32(clamping: shape.width)
            }
        }
    }
}

@c @implementation
public func chexpert_example_labels(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                    _ labels: UnsafeMutablePointer<Int64>?, _ capacity: Int) -> CInt {
    entry { () throws(Failure) in
        let labels = try required(labels, "labels")
        let capacity = try size(capacity, "capacity")
        let (table, row) = try exampleRow(ds, split, index)
        guard capacity >= table.labelCount else {
            throw Failure(CHEXPERT_E_BUFFER_TOO_SMALL,
                          "labels holds \(capacity) elements; the split has \(table.labelCount) labels")
        }
        for (i, value) in table.labels(at: row).enumerated() { labels[i] = Int64(value) }
    }
}

@c @implementation
public func chexpert_example_view(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                  _ outView: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(Failure) in
        let out = try required(outView, "out_view")
        let (table, row) = try exampleRow(ds, split, index)
        out.pointee = Int32(table.view(at: row))
    }
}

@c @implementation
public func chexpert_example_name(_ ds: OpaquePointer?, _ split: CInt, _ index: Int64,
                                  _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                  _ outSize: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(Failure) in
        let (table, row) = try exampleRow(ds, split, index)
        try writeString(table.name(at: row), to: out, capacity: capacity, size: outSize,
                        what: "the name of example \(index)")
    }
}
