import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_release_name(_ release: CInt) -> UnsafePointer<CChar>? {
    Release(rawValue: Int(release)).map { StaticCString.pointer($0.name) }
}

@c @implementation
public func chexpert_dataset_release(_ ds: OpaquePointer?, _ outRelease: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(ChexpertError) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        try required(outRelease, "out_release").pointee = Int32(dataset.release.rawValue)
    }
}

@c @implementation
public func chexpert_dataset_has_split(_ ds: OpaquePointer?, _ split: CInt, _ outHas: UnsafeMutablePointer<Int32>?) -> CInt {
    entry { () throws(ChexpertError) in
        let dataset = try HandleRegistry.shared.dataset(ds)
        let split = try Vocabulary.split(split)
        try required(outHas, "out_has").pointee = dataset.hasSplit(split) ? 1 : 0
    }
}
