import CChexpertABI
import Testing
@testable import ChexpertABI

/// A `chexpert_key` as the C `int` the functions take.
func key(_ key: chexpert_key) -> CInt { CInt(key.rawValue) }

/// A tagged enum constant as the int64 value `chexpert_params_set` takes.
func value<T: RawRepresentable>(_ constant: T) -> Int64 where T.RawValue: BinaryInteger { Int64(constant.rawValue) }

/// A new `chexpert_params` with `pairs` set; free it with `chexpert_params_free`.
func makeParams(_ pairs: [(chexpert_key, Int64)]) throws -> OpaquePointer? {
    var params: OpaquePointer?
    try #require(chexpert_params_create(&params) == CHEXPERT_OK.rawValue)
    for (k, v) in pairs {
        try #require(chexpert_params_set(params, key(k), v) == CHEXPERT_OK.rawValue, "\(String(cString: chexpert_last_error()))")
    }
    return params
}
