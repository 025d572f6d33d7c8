/** Resolves to `fallback` when `work` takes longer than `ms` or fails; the late result is dropped. */
export async function withDeadline<T>(input: {
  ms: number;
  fallback: T;
  work: () => Promise<T>;
}): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(input.fallback), input.ms);
  });
  try {
    const work = input.work().catch(() => input.fallback);
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
