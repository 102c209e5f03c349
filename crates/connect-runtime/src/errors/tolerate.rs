//! `tolerate!`: the retry loop around one record operation.

/// Evaluates `$op` (an expression giving a `Result`, re-evaluated on each attempt) until it
/// succeeds, retrying and tolerating failures with `$errors` (a [`RetryWithTolerance`]). On a
/// tolerated failure it returns `Ok(None)` from the enclosing function; when the task must fail,
/// the error. The attempt is made on the first failure only, so the common path allocates
/// nothing.
///
/// A macro rather than a method taking a closure: the operation borrows the record, converters
/// and headers in ways an async closure cannot yet express for a spawned, `Send` task.
///
/// [`RetryWithTolerance`]: crate::errors::RetryWithTolerance
macro_rules! tolerate {
    ($errors:expr, $stage:expr, $class:expr, $origin:expr, $op:expr) => {{
        let mut attempt = None;
        loop {
            match $op {
                Ok(value) => break value,
                Err(error) => {
                    let attempt = attempt.get_or_insert_with(|| $errors.begin($stage, $class));
                    if $errors.failed(attempt, error, $origin).await? == $crate::errors::Next::Skip
                    {
                        return Ok(None);
                    }
                }
            }
        }
    }};
}
