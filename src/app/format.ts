// Numbers as people read them in the app.

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 6)}…` : id;
}

export function timeLeft(at: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((at - now) / 1000));
  return s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;
}
