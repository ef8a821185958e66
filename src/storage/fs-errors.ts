/** Small helpers to read Node's errno codes without `any`. */

/** The `code` of a Node system error (`ENOENT`, `EACCES`, ...), if it has one. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  const code = errnoOf(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Errors that mean "this one file cannot be read", as opposed to the whole operation failing. */
export function isUnreadable(error: unknown): boolean {
  const code = errnoOf(error);
  return code === 'EACCES' || code === 'EPERM' || code === 'EIO' || code === 'ELOOP';
}

/** A short description for problem details and error messages: the errno code and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
