# Splits, labels, names, views and handles, against the Python binding.

test_that("splits, sizes and label names match Python", {
    m <- manifest()
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    expect_s3_class(ds, "chexpert_dataset")
    sizes <- chexpert_splits(ds)
    expect_identical(names(sizes), c("train", "validation"))
    expect_identical(unname(sizes), as.numeric(c(m[["size_train"]], m[["size_validation"]])))
    expect_identical(chexpert_split_size(ds, "validation"), as.numeric(m[["size_validation"]]))
    for (split in c("train", "validation"))
        expect_identical(chexpert_label_names(ds, split),
                         strsplit(m[[paste0("label_names_", split)]], "|", fixed = TRUE)[[1]])
    expect_identical(normalizePath(chexpert_root(ds)),
                     normalizePath(file.path(m[["root"]], "CheXpert-v1.0-small")))
    counts <- chexpert_projection_counts(ds, "train")
    expect_identical(names(counts), c("ap", "pa", "other_frontal", "lateral"))
    expect_identical(sum(counts), sizes[["train"]])
    expect_output(print(ds), "chexpert_dataset")
})

test_that("the labels matrix equals Python's, rows = examples, columns named", {
    m <- manifest()
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    for (split in c("train", "validation")) {
        n <- as.integer(m[[paste0("size_", split)]])
        names <- chexpert_label_names(ds, split)
        expected <- matrix(read_i32(paste0("labels_", split, ".i32")), nrow = n, byrow = TRUE,
                           dimnames = list(NULL, names))
        labels <- chexpert_labels(ds, split)
        expect_identical(dim(labels), c(n, length(names)))
        expect_identical(labels, expected)
        # A subset, with repeats, in the order asked.
        rows <- c(n, 1, 2, 2)
        expect_identical(chexpert_labels(ds, split, rows), expected[rows, , drop = FALSE])
        expect_identical(chexpert_image_views(ds, split), read_i32(paste0("views_", split, ".i32")))
        expect_identical(chexpert_projections(ds, split), read_i32(paste0("projections_", split, ".i32")))
        expect_identical(chexpert_names(ds, split),
                         readLines(ref_file(paste0("names_", split, ".txt")), encoding = "UTF-8"))
        expect_identical(chexpert_names(ds, split, c(2, 1)), chexpert_names(ds, split)[c(2, 1)])
        expect_identical(dim(chexpert_labels(ds, split, numeric(0))), c(0L, length(names)))
    }
})

test_that("index errors are conditions, checked before anything is read", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    n <- chexpert_split_size(ds, "train")
    expect_error(chexpert_example(ds, "train", n + 1), class = "chexpert_E_OUT_OF_RANGE")
    expect_error(chexpert_example(ds, "train", 0), class = "chexpert_E_OUT_OF_RANGE")
    expect_error(chexpert_labels(ds, "train", c(1, NA)), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_labels(ds, "train", 1.5), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_labels(ds, "train", 2^53 + 2), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_labels(ds, "test"), class = "chexpert_E_NOT_FOUND")   # no test set here
    expect_error(chexpert_labels(ds, "testing"), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_names(ds, "validation", 1e6), class = "chexpert_error")
})

test_that("closing is idempotent and a closed dataset is chexpert_E_CLOSED", {
    ds <- open_reference()
    expect_false(chexpert_is_closed(ds))
    expect_null(chexpert_close(ds))
    expect_null(chexpert_close(ds))
    expect_true(chexpert_is_closed(ds))
    e <- tryCatch(chexpert_labels(ds), error = function(e) e)
    expect_s3_class(e, "chexpert_E_CLOSED")
    expect_identical(e$status, "CHEXPERT_E_CLOSED")
    expect_output(print(ds), "closed")
    # A dataset left to the garbage collector is closed by its finalizer.
    for (i in 1:5) local(chexpert_open(manifest()[["root"]]))
    expect_silent(gc())
})

test_that("projections select rows when the CSVs are read", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    frontal <- chexpert_open(manifest()[["root"]], projections = "frontal")
    on.exit(chexpert_close(frontal), add = TRUE)
    lateral <- chexpert_open(manifest()[["root"]], projections = c("LATERAL"))
    on.exit(chexpert_close(lateral), add = TRUE)
    views <- chexpert_image_views(ds, "train")
    expect_identical(chexpert_split_size(frontal, "train"), as.numeric(sum(views == 0L)))
    expect_identical(chexpert_split_size(lateral, "train"), as.numeric(sum(views == 1L)))
    expect_identical(chexpert_names(frontal, "train"), chexpert_names(ds, "train")[views == 0L])
})
