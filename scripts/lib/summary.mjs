// The summary test-all prints at the end: one row per layer, then why tests were skipped, why
// they failed (the first lines of each reason, since CI shows the log's tail), and which layers
// were not ok. Kept apart from test-all so that a test can feed it rows.
import { formatDuration } from './common.mjs';

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The first non-empty lines of a reason, indented under its title. */
export function firstLines(text, n = 4) {
  return String(text ?? '').split('\n').map((l) => l.trimEnd()).filter(Boolean).slice(0, n).join('\n      ');
}

/**
 * rows: [{ layer: { name }, status, ms, detail, counts?: { passed, failed, skipped,
 * skippedReasons: [{ title, reason }], failures?: [{ title, reason }] } }], in plan order.
 * Returns the text and the exit code (0 only when every layer is ok, no test failed and some ran).
 */
export function summarize(rows, wallMs, interrupted = false) {
  const out = [];
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const nameWidth = Math.max(13, ...rows.map((row) => row.layer.name.length + 2));
  out.push(`\n${'='.repeat(96)}\n${pad('layer', nameWidth)}${pad('status', 10)}${pad('passed', 8)}${pad('failed', 8)}${pad('skipped', 9)}${pad('time', 12)}detail\n`);
  for (const row of rows) {
    const c = row.counts;
    if (c) {
      totals.passed += c.passed;
      totals.failed += c.failed;
      totals.skipped += c.skipped;
    }
    out.push(`${pad(row.layer.name, nameWidth)}${pad(row.status, 10)}${pad(c ? c.passed : '-', 8)}${pad(c ? c.failed : '-', 8)}${pad(c ? c.skipped : '-', 9)}${pad(row.status === 'not run' ? '-' : formatDuration(row.ms), 12)}${row.detail ?? ''}\n`);
  }
  out.push(`${pad('total', nameWidth + 10)}${pad(totals.passed, 8)}${pad(totals.failed, 8)}${pad(totals.skipped, 9)}${formatDuration(wallMs)} (wall clock)\n`);
  const skippedReasons = rows.flatMap((r) => (r.counts?.skippedReasons ?? []).map((s) => `  - [${r.layer.name}] ${s.title}: ${s.reason}`));
  if (skippedReasons.length > 0) out.push(`\nSkipped, and why:\n${skippedReasons.join('\n')}\n`);
  const failures = rows.flatMap((r) => (r.counts?.failures ?? []).map((f) => `  - [${r.layer.name}] ${f.title}\n      ${firstLines(f.reason)}`));
  if (failures.length > 0) out.push(`\nFailed, and why (first lines; the layer's log above has the rest):\n${failures.join('\n')}\n`);
  const bad = rows.filter((r) => r.status !== 'ok');
  if (bad.length > 0) out.push(`\nNot ok: ${bad.map((r) => `${r.layer.name} (${r.status}${r.detail ? `: ${r.detail}` : ''})`).join(', ')}\n`);
  const ran = totals.passed + totals.failed;
  if (ran === 0) out.push('\nNo test ran.\n');
  if (interrupted) out.push('\nInterrupted.\n');
  out.push(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  const code = interrupted ? 130 : bad.length > 0 || totals.failed > 0 || ran === 0 ? 1 : 0;
  return { text: out.join(''), code };
}
