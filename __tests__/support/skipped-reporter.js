/**
 * A jest reporter (jest.config.js): after the run, every test that did not run — skipped, todo —
 * with its full name, which carries the reason (see support/preconditions.ts), so that a missing
 * precondition shows in the run's summary and is never a silent pass.
 */
export default class SkippedReporter {
  onRunComplete(_contexts, results) {
    const skipped = []
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
          skipped.push(
            `  ${file.testFilePath.replace(/^.*__tests__\//, '__tests__/')}: ${test.fullName}`
          )
        }
      }
    }
    if (skipped.length === 0) return
    process.stderr.write(
      `\nSkipped tests (${skipped.length}), each with its reason:\n${skipped.join('\n')}\n`
    )
  }
}
