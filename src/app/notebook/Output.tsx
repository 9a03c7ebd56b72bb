import { useEffect, useRef } from 'react';
import { isTensor, type Tensor } from '../../tensor';
import { isTable, textAt, type Table } from '../../duet/data/table';
import { asFloat64, describeType } from '../../duet/plan/values';
import type { DpRelease, PointerView, RequestView } from '../../duet/ds-types';
import { isRemote } from '../../duet/remote';
import type { TextColumn } from '../../duet/plan/types';
import { explain } from '../errors';
import { isDuetError } from '../../errors';
import { isImages, MAX_IMAGES, type ImagesOutput } from './helpers';

// How a cell's value looks: each kind of thing a cell can produce has its own view.

/** Rows a table output shows; the rest is counted, not drawn. */
const TABLE_ROWS = 10;
/** Elements a tensor output lists before it summarises. */
const TENSOR_LIST = 64;

export function Output({ value }: { value: unknown }) {
  if (value === undefined) return null;
  if (value instanceof Error || isDuetError(value)) {
    return <ErrorOutput error={value} />;
  }
  if (typeof Node !== 'undefined' && value instanceof Node) return <DomOutput node={value} />;
  if (isImages(value)) return <ImagesView out={value} />;
  if (isTensor(value)) return <TensorView t={value} />;
  if (isTable(value)) return <TableView t={value} />;
  if (isRemote(value)) return <div className="out-card">Remote value, not run yet: <code>{value.toString()}</code></div>;
  if (isDp(value)) return <DpView r={value} />;
  if (isPointer(value)) return <PointerCard p={value} />;
  if (isRequest(value)) return <RequestCard r={value} />;
  if (isText(value)) return <TextColumnView c={value} />;
  if (Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) return <RecordsView rows={value as Record<string, unknown>[]} />;
  if (typeof value === 'string') return <pre className="out-text">{value}</pre>;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return <pre className="out-text">{String(value)}</pre>;
  return <pre className="out-text">{safeJson(value)}</pre>;
}

export function ErrorOutput({ error }: { error: unknown }) {
  const { title, detail } = explain(error);
  return (
    <div className="out-error" data-testid="cell-error" role="alert">
      <strong>{title}</strong>
      <p>{detail}</p>
    </div>
  );
}

function DomOutput({ node }: { node: Node }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    host.replaceChildren(node);
  }, [node]);
  return <div className="out-dom" ref={ref} />;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toString();
  return Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3 ? x.toExponential(3) : Number(x.toPrecision(6)).toString();
}

function TensorView({ t }: { t: Tensor }) {
  const v = asFloat64(t);
  const shape = `[${t.shape.join(' × ')}]`;
  if (v.length === 1) {
    return (
      <div className="out-tensor" data-testid="out-scalar">
        <span className="big-number">{fmt(v[0]!)}</span>
        <span className="muted"> {t.dtype} {shape}</span>
      </div>
    );
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return (
    <div className="out-tensor" data-testid="out-tensor">
      <div>
        <strong>{t.dtype}</strong> tensor {shape} · {v.length.toLocaleString()} elements · min {fmt(min)} · max {fmt(max)} · mean {fmt(sum / v.length)}
      </div>
      <code className="values">
        {Array.from(v.subarray(0, TENSOR_LIST), fmt).join(', ')}
        {v.length > TENSOR_LIST ? ', …' : ''}
      </code>
    </div>
  );
}

function TableView({ t }: { t: Table }) {
  const rows = Math.min(TABLE_ROWS, t.rowCount);
  return (
    <div className="out-table-wrap" data-testid="out-table">
      <table className="out-table">
        <thead>
          <tr>
            {t.columns.map((c) => (
              <th key={c.name}>
                {c.name}
                <span className="col-kind">{c.kind === 'numeric' ? c.dtype : c.kind}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, r) => (
            <tr key={r}>
              {t.columns.map((c) => {
                const cell = c.kind === 'numeric' ? fmt(Number(c.values[r])) : (textAt(c, r) ?? '—');
                return <td key={c.name}>{cell}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {t.rowCount > rows ? `First ${rows} of ${t.rowCount.toLocaleString()} rows` : `${t.rowCount} row${t.rowCount === 1 ? '' : 's'}`} · {t.columns.length} columns
      </p>
    </div>
  );
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return fmt(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? safeJson(x) : String(x))).join(', ');
  if (typeof v === 'object') return safeJson(v);
  return String(v);
}

function RecordsView({ rows }: { rows: Record<string, unknown>[] }) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <div className="out-table-wrap" data-testid="out-records">
      <table className="out-table">
        <thead>
          <tr>{keys.map((k) => <th key={k}>{k}</th>)}</tr>
        </thead>
        <tbody>
          {rows.slice(0, 200).map((r, i) => (
            <tr key={i}>{keys.map((k) => <td key={k}>{cellText(r[k])}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TextColumnView({ c }: { c: TextColumn }) {
  const n = c.kind === 'category' ? c.codes.length : c.values.length;
  const shown = Array.from({ length: Math.min(n, TENSOR_LIST) }, (_, i) => textAt(c, i) ?? '—');
  return (
    <div className="out-tensor">
      <div>
        text column <strong>{c.name}</strong> · {n} values
      </div>
      <code className="values">{shown.join(', ')}{n > shown.length ? ', …' : ''}</code>
    </div>
  );
}

function ImagesView({ out }: { out: ImagesOutput }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const t = out.tensor;
    const [n, h, w] = t.shape.length === 3 ? (t.shape as [number, number, number]) : [1, t.shape[0]!, t.shape[1]!];
    const v = asFloat64(t);
    let max = 0;
    for (const x of v) if (x > max) max = x;
    const scaleTo = max > 1 ? 255 / max : 255; // 0..255 pixels or 0..1 floats
    const figures: HTMLElement[] = [];
    for (let k = 0; k < Math.min(n, MAX_IMAGES); k++) {
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      canvas.style.width = `${w * out.scale}px`;
      canvas.style.height = `${h * out.scale}px`;
      const ctx = canvas.getContext('2d');
      if (ctx) {
        const img = ctx.createImageData(w, h);
        for (let i = 0; i < w * h; i++) {
          const g = 255 - Math.round(Math.min(255, Math.max(0, v[k * w * h + i]! * scaleTo)));
          img.data.set([g, g, g, 255], i * 4);
        }
        ctx.putImageData(img, 0, 0);
      }
      const fig = document.createElement('figure');
      fig.append(canvas);
      if (out.labels?.[k] !== undefined) {
        const cap = document.createElement('figcaption');
        cap.textContent = String(out.labels[k]);
        fig.append(cap);
      }
      figures.push(fig);
    }
    host.replaceChildren(...figures);
  }, [out]);
  return <div className="out-images" data-testid="out-images" ref={ref} />;
}

function isDp(x: unknown): x is DpRelease {
  return typeof x === 'object' && x !== null && 'mechanism' in x && 'remaining' in x && 'values' in x;
}

function DpView({ r }: { r: DpRelease }) {
  return (
    <div className="out-card dp" data-testid="out-dp">
      <div className="dp-head">
        <span className="chip">DP {r.query}</span>
        {r.value !== undefined ? <span className="big-number">{fmt(r.value)}</span> : <code className="values">{r.values.map(fmt).join(', ')}</code>}
      </div>
      <p className="muted small">
        ε = {fmt(r.epsilon)}
        {r.delta > 0 ? `, δ = ${fmt(r.delta)}` : ''} · {r.mechanism} noise{r.query === 'mean' ? ' on the sum and the count' : `, scale ${fmt(r.scale)}`} · budget left on this asset: ε = {fmt(r.remaining.epsilon)}
      </p>
    </div>
  );
}

function isPointer(x: unknown): x is PointerView {
  return typeof x === 'object' && x !== null && 'pointerId' in x && 'lineage' in x && 'type' in x;
}

function PointerCard({ p }: { p: PointerView }) {
  const t = p.type;
  const rows = t.kind === 'table' ? `${t.exact ? '' : 'at most '}${t.rows.toLocaleString()} rows` : t.kind === 'tensor' && !t.exact ? '(size is an upper bound)' : '';
  return (
    <div className="out-card" data-testid="out-pointer">
      <div>
        <span className="chip">remote</span> {describeType(t)} {rows}
      </div>
      {t.kind === 'table' && (
        <p className="columns">
          {t.columns.map((c) => (
            <span key={c.name} className="column-pill">
              {c.name} <em>{c.kind === 'numeric' ? c.dtype : c.kind}</em>
            </span>
          ))}
        </p>
      )}
      <p className="muted small">
        pointer {p.pointerId.slice(0, 12)}… · from {p.lineage.assets.join(', ') || 'earlier results'}
        {p.lineage.ops.length ? ` via ${p.lineage.ops.join(' → ')}` : ''}
      </p>
    </div>
  );
}

function isRequest(x: unknown): x is RequestView {
  return typeof x === 'object' && x !== null && 'status' in x && 'reason' in x && 'expiresAt' in x;
}

function RequestCard({ r }: { r: RequestView }) {
  return (
    <div className="out-card">
      <span className={`chip status-${r.status}`}>{r.status}</span> request "{r.reason}" · {r.elements} element(s)
      {r.message && <p className="muted small">Owner: {r.message}</p>}
    </div>
  );
}

function isText(x: unknown): x is TextColumn {
  if (typeof x !== 'object' || x === null || isTable(x) || isTensor(x)) return false;
  const k = (x as { kind?: unknown }).kind;
  return (k === 'category' && 'codes' in x) || (k === 'string' && 'values' in x && 'name' in x);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x), 2) ?? String(v);
  } catch {
    return String(v);
  }
}
