# What needs no dataset: versions, vocabulary, argument checks, conditions.

test_that("the library and the glue agree on the ABI", {
    v <- chexpert_version()
    expect_identical(v$abi_version, 2L)
    expect_identical(v$version, v$header_version)
    expect_identical(v$version_number, 10000L)
})

test_that("the vocabulary comes from the library with TFDS's values", {
    voc <- chexpert_vocabulary()
    expect_identical(voc$split, c(train = 0L, validation = 1L, test = 2L))
    expect_identical(voc$label_class, c(uncertain = 0L, positive = 1L, negative = 2L, unmentioned = 3L))
    expect_identical(voc$view, c(frontal = 0L, lateral = 1L))
    expect_identical(voc$projection, c(ap = 0L, pa = 1L, other_frontal = 2L, lateral = 3L))
})

test_that("a missing root is a chexpert_E_NOT_FOUND condition with status and message", {
    missing_root <- file.path(tempdir(), "no-such-chexpert-root")
    e <- tryCatch(chexpert_open(missing_root), error = function(e) e)
    expect_s3_class(e, "chexpert_E_NOT_FOUND")
    expect_s3_class(e, "chexpert_error")
    expect_identical(e$status, "CHEXPERT_E_NOT_FOUND")
    expect_identical(e$code, -6L)
    expect_match(e$message, "no-such-chexpert-root", fixed = TRUE)
    expect_match(conditionMessage(e), "^CHEXPERT_E_NOT_FOUND: ")
    expect_error(chexpert_open(missing_root), class = "chexpert_error")
})

test_that("the default root is C's: $CHEXPERT_ROOT", {
    missing_root <- file.path(tempdir(), "chexpert-root-from-env")
    old <- Sys.getenv("CHEXPERT_ROOT", unset = NA)
    Sys.setenv(CHEXPERT_ROOT = missing_root)
    on.exit(if (is.na(old)) Sys.unsetenv("CHEXPERT_ROOT") else Sys.setenv(CHEXPERT_ROOT = old))
    e <- tryCatch(chexpert_open(), error = function(e) e)
    expect_s3_class(e, "chexpert_E_NOT_FOUND")
    expect_match(e$message, "chexpert-root-from-env", fixed = TRUE)
})

test_that("bad arguments are chexpert_E_INVALID_ARGUMENT conditions", {
    expect_error(chexpert_open(tempdir(), projections = "sideways"), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_open(tempdir(), dct = "slow"), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_open(tempdir(), max_pixels = 0), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_open(tempdir(), max_pixels = 1.5), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_labels("not a dataset"), class = "chexpert_E_INVALID_ARGUMENT")
})

test_that("shard indices are 1-based and refuse what R cannot hold", {
    expect_identical(chexpert_shard_indices(5), c(1, 2, 3, 4, 5))
    expect_identical(chexpert_shard_indices(10, world = 4, rank = 1, remainder = "drop"), c(2, 6))
    expect_error(chexpert_shard_indices(5, rank = 2, world = 2), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_shard_indices(2^54), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_shard_indices(5, seed = "-1", shuffle = TRUE), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_shard_indices(5, seed = "18446744073709551616", shuffle = TRUE),
                 class = "chexpert_E_INVALID_ARGUMENT")
})
