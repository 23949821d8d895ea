import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_dataset_open(_ out: UnsafeMutablePointer<OpaquePointer?>?,
                                  _ root: UnsafePointer<CChar>?) -> CInt {
    entry { () throws(Failure) in
        let out = try required(out, "out")
        out.pointee = nil
        let rootPath = root.map(rootBytes)
        let dataset = try core { () throws(ChexpertError) in try Dataset(rootBytes: rootPath) }
        out.pointee = try HandleRegistry.shared.register(dataset)
    }
}

@c @implementation
public func chexpert_dataset_close(_ ds: OpaquePointer?) {
    HandleRegistry.shared.close(ds)
}

@c @implementation
public func chexpert_dataset_root(_ ds: OpaquePointer?, _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                  _ outSize: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(Failure) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        try writeString(dataset.layout.datasetFolderBytes, to: out, capacity: capacity, size: outSize,
                        what: "the root path")
    }
}

@c @implementation
public func chexpert_dataset_set_option(_ ds: OpaquePointer?, _ option: CInt, _ value: Int64) -> CInt {
    entry { () throws(Failure) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        if Int64(option) == OpenOptions.selectKey {
            throw Failure(CHEXPERT_E_INVALID_ARGUMENT,
                          "CHEXPERT_OPTION_SELECT is fixed when the dataset is opened; give it to chexpert_dataset_open_with()")
        }
        let key = try decodeOption(option)
        try core { () throws(ChexpertError) in try dataset.setOption(key, to: value) }
    }
}

@c @implementation
public func chexpert_dataset_get_option(_ ds: OpaquePointer?, _ option: CInt,
                                        _ outValue: UnsafeMutablePointer<Int64>?) -> CInt {
    entry { () throws(Failure) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        let out = try required(outValue, "out_value")
        if Int64(option) == OpenOptions.selectKey {
            out.pointee = dataset.selection.mask
        } else {
            out.pointee = try decodeOption(option).value(in: dataset.options)
        }
    }
}

@c @implementation
public func chexpert_dataset_memory_usage(_ ds: OpaquePointer?, _ outBytes: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(Failure) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        try required(outBytes, "out_bytes").pointee = dataset.memoryUsage
    }
}

private func decodeOption(_ option: CInt) throws(Failure) -> DecodeOption {
    guard let key = DecodeOption(rawValue: option) else {
        throw Failure(CHEXPERT_E_INVALID_ARGUMENT, "option = \(option) is not a chexpert_option")
    }
    return key
}
