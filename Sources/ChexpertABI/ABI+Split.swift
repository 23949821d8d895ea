import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_split_size(_ ds: OpaquePointer?, _ split: CInt, _ outCount: UnsafeMutablePointer<Int64>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split) = try datasetSplit(ds, split)
        try required(outCount, "out_count").pointee = Int64(dataset.table(split).count)
    }
}

@c @implementation
public func chexpert_split_num_labels(_ ds: OpaquePointer?, _ split: CInt,
                                      _ outCount: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split) = try datasetSplit(ds, split)
        try required(outCount, "out_count").pointee = Int32(clamping: dataset.table(split).labelCount)
    }
}

@c @implementation
public func chexpert_split_label_name(_ ds: OpaquePointer?, _ split: CInt, _ label: Int32,
                                      _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                      _ outSize: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split) = try datasetSplit(ds, split)
        let table = dataset.table(split)
        guard label >= 0, Int(label) < table.labelCount, Int(label) < table.labelNames.count else {
            throw ChexpertError(.outOfRange,
                                "label = \(label) is out of range; split '\(split.name)' has labels 0 ..< \(table.labelCount)")
        }
        try writeString(table.labelNames[Int(label)].utf8, to: out, capacity: capacity, size: outSize,
                        what: "label name \(label)")
    }
}

@c @implementation
public func chexpert_split_projection_counts(_ ds: OpaquePointer?, _ split: CInt,
                                             _ outCounts: UnsafeMutablePointer<Int64>?, _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let (dataset, split) = try datasetSplit(ds, split)
        let counts = dataset.table(split).csvProjectionCounts
        guard let buffer = try optionalBuffer(outCounts, capacity, "out_counts") else { return }  // skipped
        guard buffer.count >= counts.count else {
            throw ChexpertError(.bufferTooSmall(needed: counts.count),
                                "out_counts holds \(buffer.count) elements; CHEXPERT_NUM_PROJECTIONS is \(counts.count)")
        }
        for (i, value) in counts.enumerated() { buffer[i] = Int64(value) }
    }
}
