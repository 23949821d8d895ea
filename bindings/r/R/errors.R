# Conditions: every failure is an R condition of class
#   c("chexpert_<STATUS>", "chexpert_error", "error", "condition")
# with fields `message`, `call`, `status` (the status name, e.g.
# "CHEXPERT_E_NOT_FOUND") and `code` (its value, e.g. -6). <STATUS> is the
# name without its "CHEXPERT_" prefix: class "chexpert_E_NOT_FOUND".

chexpert_condition <- function(code, status, message, call = NULL) {
    structure(
        class = c(paste0("chexpert_", sub("^CHEXPERT_", "", status)), "chexpert_error",
                  "error", "condition"),
        list(message = message, call = call, status = status, code = as.integer(code)))
}

# Called by the C glue (src/chexpert_r.c) with the library's status and its
# chexpert_last_error() message, and by the R code for its own argument checks.
.chexpert_signal <- function(code, status, message, call = sys.call(-1)) {
    stop(chexpert_condition(code, status, message, call))
}

# An invalid argument found in R, reported as the library reports its own.
.arg_error <- function(...) {
    .chexpert_signal(-1L, "CHEXPERT_E_INVALID_ARGUMENT", paste0(...), call = sys.call(-1))
}

conditionMessage.chexpert_error <- function(c) {
    paste0(c$status, ": ", c$message)
}
