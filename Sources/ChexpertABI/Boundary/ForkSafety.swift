import CChexpertABI
import ChexpertCore

/// Called by the library's `pthread_atfork` prepare handler
/// (Sources/CSystem/csystem.c) before it takes the fork gate: touches every lazy
/// global of the library, so none is being initialised when `fork()` runs.
/// (A Swift lazy global is initialised under a futex held by the
/// initialising thread; a fork during that leaves the child waiting forever
/// on the next access.) If another thread is initialising one right now,
/// this waits for it to finish, before the fork.
///
/// The list must name every one-time-initialised global of ChexpertCore and
/// ChexpertABI; `Tests/c/run.sh` ("fork: lazy globals") compares it with
/// the library's `one-time initialization token` symbols.
/// Lazy globals covered: HandleRegistry.shared, ParamEnums.allConstants, Selection.all, DecodeScaling.factors, versionCString
/// (`versionCString` through `chexpert_version_string`; `LastError`'s key is
/// created at load time in C.)
@c(cxp_abi_fork_prepare)
func forkPrepare() {
    _ = HandleRegistry.shared
    _ = ParamEnums.allConstants.count
    _ = Selection.all
    _ = DecodeScaling.factors.count
    _ = CChexpertABI.chexpert_version_string()
}
