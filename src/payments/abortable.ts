// SDKs that take no AbortSignal (alipay-sdk, stripe) still give up when the workflow's signal does:
// the caller stops waiting (the SDK's own timeout ends the request itself), so a hang leaves the
// refund pending for the completion job instead of holding the request.
export async function untilAborted<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let abort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
  });
  try {
    return await Promise.race([work(), aborted]);
  } finally {
    if (abort) signal.removeEventListener('abort', abort);
  }
}
