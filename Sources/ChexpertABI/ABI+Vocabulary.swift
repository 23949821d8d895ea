import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_split_name(_ split: CInt) -> UnsafePointer<CChar>? {
    Vocabulary.splitValue(split).map { StaticCString.pointer($0.name) }
}

@c @implementation
public func chexpert_label_class_name(_ labelClass: CInt) -> UnsafePointer<CChar>? {
    Vocabulary.labelClass(labelClass).map { StaticCString.pointer($0.name) }
}

@c @implementation
public func chexpert_view_name(_ view: CInt) -> UnsafePointer<CChar>? {
    Vocabulary.view(view).map { StaticCString.pointer($0.name) }
}

@c @implementation
public func chexpert_projection_name(_ projection: CInt) -> UnsafePointer<CChar>? {
    Vocabulary.projection(projection).map { StaticCString.pointer($0.name) }
}
