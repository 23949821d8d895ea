/// The rule that keeps a CSV's `Path` cells inside the dataset folder (the
/// folder holding train.csv and valid.csv, `chexpert_dataset_root`),
/// checked lexically when the CSV is read (CHEXPERT_KEY_CONFINE_PATHS = 1,
/// the default).
///
/// A `Path` is joined as `DatasetLayout.imagePath` joins it: in TFDS's
/// layout (`root/CheXpert-v1.0-small/`), the Kaggle double nest and the
/// full release (`root/CheXpert-v1.0/`) to the dataset folder's parent, so
/// its first component (after `.` and empty ones) must be the release's
/// folder (`CheXpert-v1.0-small` or `CheXpert-v1.0`); in the dataset-folder
/// layout to the folder itself, after the `CheXpert-v1.0-small/` or
/// `CheXpert-v1.0/` prefix the layout strips. In the AIMI layout the first
/// component must be `CheXpert-v1.0` and the walk below it may not climb
/// above it: `CheXpert-v1.0/train/` stands for a train batch folder and
/// `CheXpert-v1.0/` for the download's top folder, so the file stays inside
/// the download. What follows is walked
/// component by component: `.` and empty components stay, a name goes down,
/// `..` goes up. The `Path` is refused when it is absolute, when a `..`
/// climbs above the dataset folder (even if the path comes back down later),
/// or when it ends at the folder itself. Symbolic links are not resolved:
/// links inside the tree are followed when the file is opened (real installs
/// use them), so whoever can write the tree decides where they lead.
///
/// Linear in the cell's length; allocates nothing.
package struct PathConfinement: Sendable {
    /// Whether `Path` is relative to the dataset folder's parent (TFDS's
    /// layout) rather than to the folder itself.
    let relativeToParent: Bool
    /// The prefixes the folder layout strips.
    let strippedPrefixes: [[UInt8]]
    /// The first component a parent-relative `Path` must have
    /// (`CheXpert-v1.0-small` or `CheXpert-v1.0`; stored: a static would be a
    /// lazy global, which fork safety would have to warm).
    private let folder: [UInt8]

    package init(layout: DatasetLayout) {
        relativeToParent = layout.strippedPrefixes.isEmpty || layout.release == .aimi
        strippedPrefixes = layout.release == .aimi ? [] : layout.strippedPrefixes
        folder = layout.pathFolder
    }

    /// TFDS's layout (`true`) or the dataset-folder layout of the small
    /// release; for tests.
    init(relativeToParent: Bool) {
        self.relativeToParent = relativeToParent
        strippedPrefixes = relativeToParent ? [] : [Array((DatasetLayout.folderName + "/").utf8),
                                                    Array((DatasetLayout.fullFolderName + "/").utf8)]
        folder = Array(DatasetLayout.folderName.utf8)
    }

    /// Why `path` leaves the dataset folder, as the end of a sentence that
    /// starts with the cell ("is absolute ..."), or nil when it stays inside.
    package func violation<C: Collection>(of path: C) -> String? where C.Element == UInt8 {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let option = "; set CHEXPERT_KEY_CONFINE_PATHS = 0 (Python: confine_paths=False) to allow it with a trusted CSV"
        if path.first == slash {
            return "is absolute; a Path must stay inside the dataset folder\(option)"
        }
        var rest = path[...]
        if !relativeToParent, let prefix = strippedPrefixes.first(where: { rest.starts(with: $0) }) {
            rest = rest.dropFirst(prefix.count)
        }
        // depth: components below the dataset folder. In TFDS's layout the
        // walk starts at the folder's parent, until the first component.
        var depth = 0
        var atParent = relativeToParent
        var component = rest.startIndex
        var index = rest.startIndex
        while true {
            let end = index == rest.endIndex
            if end || rest[index] == slash {
                let name = rest[component ..< index]
                let isDot = name.count == 1 && name.first == dot
                let isDotDot = name.count == 2 && name.allSatisfy { $0 == dot }
                if name.isEmpty || isDot {
                    // stays
                } else if atParent {
                    guard !isDotDot, name.elementsEqual(folder) else {
                        return "is outside the dataset folder: it must start with '\(DatasetLayout.display(folder))/' (the folder under the root)\(option)"
                    }
                    atParent = false
                } else if isDotDot {
                    guard depth > 0 else {
                        return "leaves the dataset folder through '..'\(option)"
                    }
                    depth -= 1
                } else {
                    depth += 1
                }
                if end { break }
                component = rest.index(after: index)
            }
            index = end ? index : rest.index(after: index)
        }
        guard depth > 0 else { return "names the dataset folder itself, not a file in it" }
        return nil
    }
}
