import CChexpertABI
import CChexpertLimits
import ChexpertCore

@c @implementation
public func chexpert_params_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> CInt {
    entry { () throws(ChexpertError) in
        let out = try required(out, "out")
        out.pointee = nil
        out.pointee = try HandleRegistry.shared.register(ParamSet())
    }
}

@c @implementation
public func chexpert_params_free(_ params: OpaquePointer?) {
    HandleRegistry.shared.remove(params, as: ParamSet.self)
}

@c @implementation
public func chexpert_params_set(_ params: OpaquePointer?, _ key: CInt, _ value: Int64) -> CInt {
    entry { () throws(ChexpertError) in
        let set = try HandleRegistry.shared.params(params)
        let key = try ParamKey.parse(key)
        try set.modify { (values) throws(ChexpertError) in try values.set(key, value) }
    }
}

@c @implementation
public func chexpert_params_set_floats(_ params: OpaquePointer?, _ key: CInt, _ values: UnsafePointer<Float>?,
                                       _ count: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let set = try HandleRegistry.shared.params(params)
        let key = try ParamKey.parse(key)
        let count = try size(count, "count")
        let floats = try inputBuffer(values, count, "values")
        try set.modify { (stored) throws(ChexpertError) in try stored.setFloats(key, floats) }
    }
}

@c @implementation
public func chexpert_params_set_rules(_ params: OpaquePointer?, _ rules: UnsafePointer<Int32>?,
                                      _ ruleCount: Int) -> CInt {
    entry { () throws(ChexpertError) in
        let set = try HandleRegistry.shared.params(params)
        let count = try size(ruleCount, "rule_count")
        guard count >= 1 else { throw ChexpertError(.invalidArgument, "rule_count = 0; give 1 ... CHEXPERT_MAX_RULES rules") }
        guard count <= Int(cxp_max_rules) else {
            throw ChexpertError(.limit, "rule_count = \(count) exceeds CHEXPERT_MAX_RULES (\(cxp_max_rules))")
        }
        let triples = try inputBuffer(rules, 3 * count, "rules")  // count <= 4096: no overflow
        var parsed: [TargetRule] = []
        parsed.reserveCapacity(count)
        for i in 0 ..< count {
            let label = triples[3 * i]
            guard label >= 0 else {
                throw ChexpertError(.invalidArgument, "rules[\(i)]: label \(label) is negative")
            }
            let uncertain = try ParamEnums.uncertain.decode(Int64(triples[3 * i + 1]), for: "rules[\(i)].uncertain")
            let blank = try ParamEnums.blank.decode(Int64(triples[3 * i + 2]), for: "rules[\(i)].blank")
            parsed.append(TargetRule(label: Int(label), uncertain: uncertain, blank: blank))
        }
        try set.modify { (values) throws(ChexpertError) in values.setRules(parsed) }
    }
}

@c @implementation
public func chexpert_params_get(_ params: OpaquePointer?, _ key: CInt, _ outValue: UnsafeMutablePointer<Int64>?) -> CInt {
    entry { () throws(ChexpertError) in
        let values = try HandleRegistry.shared.params(params).snapshot
        let key = try ParamKey.parse(key)
        let out = try required(outValue, "out_value")
        out.pointee = try values.get(key)
    }
}
