import CChexpertABI
import ChexpertCore

@c @implementation
public func chexpert_split_name(_ split: CInt) -> UnsafePointer<CChar>? {
    Split(rawValue: Int(split)).map { StaticCString.pointer($0.name) }
}

@c @implementation
public func chexpert_label_class_name(_ labelClass: CInt) -> UnsafePointer<CChar>? {
    UInt8(exactly: labelClass).flatMap(LabelClass.init(rawValue:)).map { StaticCString.pointer($0.name) }
}

@c @implementation
public func chexpert_view_name(_ view: CInt) -> UnsafePointer<CChar>? {
    UInt8(exactly: view).flatMap(ImageView.init(rawValue:)).map { StaticCString.pointer($0.name) }
}
