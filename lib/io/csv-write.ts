// Writing CSV for other programs: comma-separated, RFC 4180 quoting only
// where a field needs it, numbers in their shortest exact form.

/** One field, quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(v: string | number): string {
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header and rows as CSV text, one line per row, ending with a newline. */
export function csvText(header: (string | number)[], rows: Iterable<(string | number)[]>): string {
  const out: string[] = [header.map(csvField).join(',')];
  for (const r of rows) out.push(r.map(csvField).join(','));
  return out.join('\n') + '\n';
}
