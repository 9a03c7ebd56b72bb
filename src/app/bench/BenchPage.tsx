import { useCallback, useEffect, useMemo, useState } from 'react';
import { SEED_CASES, serveBench, type CaseResult } from '../../duet/bench';
import { formatCode } from '../../duet/code';
import { createTransfers } from '../../duet/create-transfers';
import { Session, type SessionRuntime } from '../../duet/session';
import type { Transfers } from '../../duet/transfers';
import { PATH_NAMES } from '../../transport/paths/types';
import { ErrorBanner } from '../components/ErrorBanner';
import { stateWords, useSession } from '../useSession';
import { benchApi } from './api';
import { barChartSvg, PATH_COLORS } from './chart';

// The "Arrow vs WebRTC" benchmark, live: open #/bench in one tab (it serves the tensors, like a
// data owner) and follow its link in another (it asks for them and times each path).

const caseLabel = (c: { dtype: string; shape: readonly number[] }) => `${c.dtype} ${c.shape.join('×')}`;

export function BenchPage({ runtime, hubUrl, code }: { runtime: SessionRuntime; hubUrl: string; code?: string }) {
  const open = useCallback(
    () => (code ? Session.join({ hubUrl, runtime, code }) : Session.create({ hubUrl, runtime })),
    [hubUrl, runtime, code],
  );
  const view = useSession(open);
  const [transfers, setTransfers] = useState<Transfers>();
  const [results, setResults] = useState<CaseResult[]>([]);
  const [progress, setProgress] = useState<{ done: number; total: number; label: string }>();
  const [error, setError] = useState<unknown>();
  const [runs, setRuns] = useState(5);
  const [scope, setScope] = useState<'all' | 'quick'>('all');
  // "Quick" skips the 72 MB case, which alone takes longer than all the others together.
  const cases = scope === 'all' ? SEED_CASES : SEED_CASES.filter((c) => c.shape[0]! <= 1000);

  useEffect(() => {
    const s = view.session;
    if (!s) return;
    // The negotiator picks codec and path for unpinned sends; the benchmark pins both (codec none),
    // so link probes would only run beside the first cases and disturb them: probe only if asked.
    const { transfers: t } = createTransfers(s, runtime.createCodecs?.(), { probe: 'first-send' });
    if (!code) serveBench(s, t);
    else window.duetBench = benchApi(s, t);
    setTransfers(t);
  }, [view.session, code, runtime]);

  const runAll = async () => {
    if (!view.session || !transfers) return;
    setResults([]);
    setError(undefined);
    const total = cases.length * PATH_NAMES.length * runs;
    let done = 0;
    try {
      for (const c of cases) {
        const rows = await benchApi(view.session, transfers).runCase(c.dtype, c.shape, {
          runs,
          onRun: (r) => setProgress({ done: ++done, total, label: `${caseLabel(r)} over ${r.path}: ${r.ms.toFixed(1)} ms` }),
        });
        setResults((prev) => [...prev, ...rows]);
      }
    } catch (e) {
      setError(e);
    } finally {
      setProgress(undefined);
    }
  };

  const svg = useMemo(() => {
    if (!results.length) return '';
    const rows = SEED_CASES.filter((c) => results.some((r) => caseLabel(r) === caseLabel(c))).map((c) => ({
      label: caseLabel(c),
      values: {
        'seed WebRTC': c.seedWebrtcMs,
        'seed Arrow': c.seedArrowMs,
        ...Object.fromEntries(results.filter((r) => caseLabel(r) === caseLabel(c)).map((r) => [r.path, r.median_ms])),
      },
    }));
    const series = ['seed WebRTC', 'seed Arrow', ...PATH_NAMES].map((name) => ({ name, color: PATH_COLORS[name] ?? '#999' }));
    return barChartSvg(rows, series, 'Median time per case (log scale), lower is better');
  }, [results]);

  const link = view.session ? `${window.location.origin}${window.location.pathname}#/bench/${view.session.code}` : '';
  return (
    <main className="bench">
      <section className="card">
        <div className="panel-head">
          <h2>{code ? 'Benchmark: scientist side' : 'Benchmark: owner side'}</h2>
          <span className={`state state-${view.state}`} data-testid="state" data-state={view.state}>
            <span className="dot" />
            {stateWords(view.state)}
          </span>
        </div>
        {!code && view.session && (
          <p>
            Code <strong data-testid="session-code">{formatCode(view.session.code)}</strong>. Open{' '}
            <a href={link} target="_blank" rel="noreferrer" data-testid="bench-link">
              this link
            </a>{' '}
            in another tab to run the 13 cases of the "Arrow vs WebRTC" table over all three paths.
          </p>
        )}
        {code && (
          <div className="actions">
            <label>
              Runs per case{' '}
              <input data-testid="bench-runs" type="number" min={1} max={20} value={runs} onChange={(e) => setRuns(Number(e.target.value))} style={{ width: 60 }} />
            </label>
            <label>
              Cases{' '}
              <select data-testid="bench-scope" value={scope} onChange={(e) => setScope(e.target.value as 'all' | 'quick')}>
                <option value="all">all 13 (up to 72 MB)</option>
                <option value="quick">up to 1000×1000 (quick)</option>
              </select>
            </label>
            <button className="button primary" data-testid="bench-run" disabled={view.state !== 'connected' || !!progress} onClick={() => void runAll()}>
              Run all cases
            </button>
          </div>
        )}
        {progress && (
          <div className="progress" role="progressbar" aria-valuenow={progress.done} aria-valuemax={progress.total}>
            <div className="bar" style={{ width: `${(100 * progress.done) / progress.total}%` }} />
            <span>{progress.label}</span>
          </div>
        )}
        <ErrorBanner error={error ?? (view.state !== 'connected' ? view.error : undefined)} />
      </section>
      {results.length > 0 && (
        <section className="card">
          <table className="results" data-testid="bench-results">
            <thead>
              <tr>
                <th>case</th>
                <th>seed WebRTC</th>
                <th>seed Arrow</th>
                {PATH_NAMES.map((p) => (
                  <th key={p}>{p}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {SEED_CASES.map((c) => {
                const rows = results.filter((r) => caseLabel(r) === caseLabel(c));
                if (!rows.length) return null;
                return (
                  <tr key={caseLabel(c)} data-testid="bench-row">
                    <td>{caseLabel(c)}</td>
                    <td>{c.seedWebrtcMs.toFixed(1)}</td>
                    <td>{c.seedArrowMs.toFixed(1)}</td>
                    {PATH_NAMES.map((p) => {
                      const r = rows.find((x) => x.path === p);
                      return <td key={p}>{r ? `${r.median_ms.toFixed(1)} ms · ${r.mb_per_s.toFixed(0)} MB/s` : '—'}</td>;
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="chart" dangerouslySetInnerHTML={{ __html: svg }} />
        </section>
      )}
    </main>
  );
}
