/**
 * Where a suite needs a service the run was not given (`npm test` on a fresh machine sets no variable), it
 * still shows up in the results: one skipped test that names what it needs. An empty file would fail Jest's
 * "must contain at least one test" instead.
 */
export function missingServices(...variables: string[]): string[] {
  return variables.filter((name) => !process.env[name]);
}

export function describeSkippedWithout(name: string, variables: string[]): void {
  const missing = missingServices(...variables);
  describe(name, () => {
    it.skip(`needs ${missing.join(' and ')} (services mode: .ci/run sets them; see README, Tests)`, () => undefined);
  });
}
