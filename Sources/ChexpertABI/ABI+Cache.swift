import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_cache_build(_ ds: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ params: OpaquePointer?,
                                 _ progress: UnsafeMutablePointer<Int64>?) -> CInt {
    entry { () throws(ChexpertError) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        let path = try required(path, "path")
        let values = try ParamSet.values(try required(params, "params"))
        try dataset.buildCache(pathBytes: try pathArgument(path, "path"), plan: try values.cacheBuildPlan(), threads: values.threads,
                               progress: progress)
    }
}

@c @implementation
public func chexpert_dataset_attach_cache(_ ds: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> CInt {
    entry { () throws(ChexpertError) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        try dataset.attachCache(pathBytes: try path.map { (path) throws(ChexpertError) in try pathArgument(path, "path") })
    }
}

@c @implementation
public func chexpert_cache_info(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<Int64>?,
                                _ capacity: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let path = try required(path, "path")
        let out = try required(out, "out")
        let capacity = try size(capacity, "capacity")
        let needed = Int(CHEXPERT_NUM_CACHE_FIELDS)
        guard capacity >= needed else {
            throw ChexpertError(.bufferTooSmall(needed: needed), "out holds \(capacity) elements; the cache's fields need \(needed)")
        }
        let info = try PackedCache(pathBytes: try pathArgument(path, "path")).info
        for (field, value) in info.prefix(needed).enumerated() { out[field] = value }
    }
}

extension ParamValues {
    /// The plan of `chexpert_cache_build`: CACHE_SIDE, or HEIGHT and WIDTH
    /// with FIT and FILTER; DCT and ON_ERROR (nil: the dataset's).
    /// - Throws: `.invalidArgument` (no size, or both kinds).
    func cacheBuildPlan() throws(ChexpertError) -> CacheBuildPlan {
        func optional(_ key: ParamKey) throws(ChexpertError) -> Int64? {
            do throws(ChexpertError) {
                return try get(key)
            } catch where error.code == .notFound {
                return nil
            }
        }
        let side = try optional(.cacheSide), height = try optional(.height), width = try optional(.width)
        let fit = try ParamEnums.fit.decode(try get(.fit), for: ParamKey.fit.name)
        let filter = try ParamEnums.filter.decode(try get(.filter), for: ParamKey.filter.name)
        let geometry: CacheGeometry
        if let side {
            guard height == nil, width == nil else {
                throw ChexpertError(.invalidArgument,
                                    "CHEXPERT_KEY_CACHE_SIDE and CHEXPERT_KEY_HEIGHT/WIDTH are both set; give a short side or an exact size")
            }
            geometry = CacheGeometry(side: Int(side), height: 0, width: 0, fit: fit, filter: filter)
        } else {
            guard let height, let width else {
                throw ChexpertError(.invalidArgument,
                                    "a packed cache needs CHEXPERT_KEY_CACHE_SIDE, or CHEXPERT_KEY_HEIGHT and CHEXPERT_KEY_WIDTH")
            }
            geometry = CacheGeometry(side: nil, height: Int(height), width: Int(width), fit: fit, filter: filter)
        }
        return CacheBuildPlan(geometry: geometry, dct: try dct(), onError: try onError())
    }
}
