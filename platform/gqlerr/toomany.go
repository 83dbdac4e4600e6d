package gqlerr

// TooManyRequests refuses an operation because its caller made too many
// attempts (login guessing, mass registration). Such errors also carry
// extensions.retryAfter: whole seconds until an attempt may succeed.
const TooManyRequests = "TOO_MANY_REQUESTS"
