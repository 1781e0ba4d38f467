// Errors the devnet reports to API callers, each with the HTTP status it maps to and, for the refusals
// callers act on, a stable machine-readable code (answered as `{ error, code }`; match the code, not
// the wording). Anything else that escapes a handler is a bug and is reported as 500.

/** Codes of refusals callers may act on (API.md lists them). */
export type ApiErrorCode =
  | "credit-too-low"
  | "lock-expires-too-early"
  | "refund-too-early"
  | "receipt-open"
  | "receipt-consumed"
  | "receipt-invalid";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: ApiErrorCode,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Malformed request: missing/invalid field, bad JSON (400). */
export const badRequest = (msg: string) => new ApiError(400, msg);
/** A referenced thing does not exist (404). */
export const notFound = (msg: string) => new ApiError(404, msg);
/** The request conflicts with the current state: wrong phase, duplicate (409). */
export const conflict = (msg: string, code?: ApiErrorCode) => new ApiError(409, msg, code);
/** Well-formed but not allowed: insufficient credit, proof mismatch, wrong owner (422). */
export const unprocessable = (msg: string, code?: ApiErrorCode) => new ApiError(422, msg, code);
