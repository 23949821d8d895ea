import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_dataset_open(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ root: UnsafePointer<CChar>?,
                                  _ options: OpaquePointer?) -> CInt {
    entry { () throws(ChexpertError) in
        let out = try required(out, "out")
        out.pointee = nil
        let values = try ParamSet.values(options, argument: "options")
        let (settings, selection) = try values.openOptions()
        let rootBytes = try root.map { (root) throws(ChexpertError) in try pathArgument(root, "root") }
        let dataset = try Dataset(rootBytes: rootBytes, selection: selection, settings: settings,
                                  confinePaths: values.confinePaths, labels: try values.labelSource())
        // Counted before it can be closed (the worker pool lives while a handle is open).
        ParallelWorkers.handleOpened()
        do throws(ChexpertError) {
            out.pointee = try HandleRegistry.shared.register(dataset)
        } catch {
            ParallelWorkers.handleClosed()
            throw error
        }
    }
}

@c @implementation
public func chexpert_dataset_close(_ ds: OpaquePointer?) {
    if HandleRegistry.shared.remove(ds, as: Dataset.self) { ParallelWorkers.handleClosed() }
}

@c @implementation
public func chexpert_dataset_root(_ ds: OpaquePointer?, _ out: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                  _ outSize: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(ChexpertError) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        try writeString(dataset.layout.datasetFolderBytes, to: out, capacity: capacity, size: outSize,
                        what: "the root path")
    }
}

@c @implementation
public func chexpert_dataset_set_option(_ ds: OpaquePointer?, _ key: CInt, _ value: Int64) -> CInt {
    entry { () throws(ChexpertError) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        let key = try ParamKey.parse(key)
        if key == .select || key == .confinePaths || key == .labels {
            throw ChexpertError(.invalidArgument,
                                "\(key.name) is fixed when the dataset is opened; give it to chexpert_dataset_open()")
        }
        guard key.isDatasetOption else {
            throw ChexpertError(.invalidArgument,
                                "\(key.name) is not a dataset option (CHEXPERT_KEY_DCT, _MAX_PIXELS, _MAX_FILE_BYTES or _ON_ERROR)")
        }
        try key.check(value)
        let dct = key == .dct ? try ParamEnums.dct.decode(value, for: key.name) : nil
        let onError = key == .onError ? try ParamEnums.onError.decode(value, for: key.name) : nil
        dataset.updateSettings { settings in
            switch key {
            case .dct: if let dct { settings.dct = dct }
            case .onError: if let onError { settings.onError = onError }
            case .maxPixels: settings.maxPixels = value
            case .maxFileBytes: settings.maxFileBytes = value
            default: break
            }
        }
    }
}

@c @implementation
public func chexpert_dataset_get_option(_ ds: OpaquePointer?, _ key: CInt,
                                        _ outValue: UnsafeMutablePointer<Int64>?) -> CInt {
    entry { () throws(ChexpertError) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        let key = try ParamKey.parse(key)
        let out = try required(outValue, "out_value")
        let settings = dataset.settings
        switch key {
        case .select: out.pointee = dataset.selection.mask
        case .confinePaths: out.pointee = dataset.confinesPaths ? 1 : 0
        case .labels: out.pointee = ParamEnums.labels.encode(dataset.labelSource)
        case .dct: out.pointee = ParamEnums.dct.encode(settings.dct)
        case .onError: out.pointee = ParamEnums.onError.encode(settings.onError)
        case .maxPixels: out.pointee = settings.maxPixels
        case .maxFileBytes: out.pointee = settings.maxFileBytes
        default:
            throw ChexpertError(.invalidArgument,
                                "\(key.name) is not a dataset option (CHEXPERT_KEY_DCT, _MAX_PIXELS, _MAX_FILE_BYTES, _ON_ERROR, _SELECT, _CONFINE_PATHS or _LABELS)")
        }
    }
}

@c @implementation
public func chexpert_dataset_memory_usage(_ ds: OpaquePointer?, _ outBytes: UnsafeMutablePointer<Int>?) -> CInt {
    entry { () throws(ChexpertError) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        try required(outBytes, "out_bytes").pointee = dataset.memoryUsage
    }
}
