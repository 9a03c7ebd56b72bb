import { useRef, useState, type ChangeEvent } from 'react';
import type { DataScientist } from '../../duet/scientist';
import { ErrorBanner } from '../components/ErrorBanner';
import { download } from '../download';
import { CodeEditor } from './Editor';
import { exampleNotebook } from './example';
import { importNotebook, toJson, toMarkdown } from './format';
import { Output } from './Output';
import { useNotebook, type CellState } from './useNotebook';

export function Notebook({ duet, waiting }: { duet: DataScientist | undefined; waiting: number }) {
  const nb = useNotebook(duet);
  const [importError, setImportError] = useState<unknown>();
  const fileInput = useRef<HTMLInputElement>(null);

  const onImport = async (ev: ChangeEvent<HTMLInputElement>) => {
    const file = ev.target.files?.[0];
    ev.target.value = '';
    if (!file) return;
    try {
      nb.replace(importNotebook(file.name, await file.text()));
      setImportError(undefined);
    } catch (e) {
      setImportError(e);
    }
  };

  return (
    <section className="notebook" aria-label="Notebook">
      <div className="nb-toolbar card">
        <div className="nb-title">
          <h2>Notebook</h2>
          <span className="muted small">JavaScript or TypeScript with top-level await · <code>duet</code>, <code>Plot</code>, <code>images</code>, <code>toArray</code>, <code>toRows</code>, <code>display</code> in scope · Shift+Enter runs a cell</span>
        </div>
        <div className="actions">
          <button className="button primary" data-testid="run-all" disabled={nb.running || !duet} onClick={() => void nb.runAll()}>
            {nb.running ? 'Running…' : 'Run all'}
          </button>
          <button className="button" data-testid="add-cell" onClick={() => nb.add()}>
            Add cell
          </button>
          <button className="button ghost small" data-testid="export-json" onClick={() => download('notebook.duet.json', toJson(nb.cells), 'application/json')}>
            Export JSON
          </button>
          <button className="button ghost small" data-testid="export-md" onClick={() => download('notebook.md', toMarkdown(nb.cells), 'text/markdown')}>
            Export Markdown
          </button>
          <button className="button ghost small" onClick={() => fileInput.current?.click()}>
            Import…
          </button>
          <input ref={fileInput} type="file" accept=".json,.md,.markdown" hidden data-testid="import-file" onChange={(e) => void onImport(e)} />
          <button className="button ghost small" data-testid="reset-notebook" onClick={() => confirmReset() && nb.replace(exampleNotebook())}>
            Example
          </button>
        </div>
        <ErrorBanner error={importError} />
      </div>
      {nb.cells.map((cell, i) => (
        <Cell key={cell.id} cell={cell} index={i} waiting={waiting} nb={nb} canRun={!!duet} />
      ))}
      <button className="add-below" onClick={() => nb.add()}>
        + Add a cell
      </button>
    </section>
  );
}

function confirmReset(): boolean {
  return typeof window.confirm !== 'function' || window.confirm('Replace the cells with the example notebook?');
}

function Cell({ cell, index, waiting, nb, canRun }: { cell: CellState; index: number; waiting: number; nb: ReturnType<typeof useNotebook>; canRun: boolean }) {
  const running = cell.status === 'running';
  return (
    <article className={`cell card cell-${cell.status}`} data-testid="cell" data-status={cell.status} data-index={index}>
      <div className="cell-gutter">
        <button className="run-button" title="Run (Shift+Enter)" data-testid="run-cell" disabled={running || !canRun} onClick={() => void nb.run(cell.id)}>
          {running ? <span className="spinner" /> : '▶'}
        </button>
        <span className="count">[{cell.count ?? ' '}]</span>
      </div>
      <div className="cell-main">
        <CodeEditor value={cell.code} label={`Cell ${index + 1}`} onChange={(code) => nb.setCode(cell.id, code)} onRun={() => canRun && void nb.run(cell.id)} />
        {(cell.outputs.length > 0 || running) && (
          <div className="cell-output" data-testid="cell-output">
            {cell.outputs.map((o, k) => (
              <Output key={k} value={o} />
            ))}
            {running && (
              <p className="muted small running-note">
                Running…{waiting > 0 ? ` waiting for the data owner to decide on ${waiting} request${waiting === 1 ? '' : 's'}` : ''}
              </p>
            )}
          </div>
        )}
        {cell.ms !== undefined && !running && <span className="cell-time muted">{cell.ms < 1000 ? `${cell.ms.toFixed(0)} ms` : `${(cell.ms / 1000).toFixed(1)} s`}</span>}
      </div>
      <div className="cell-tools">
        <button className="icon" title="Move up" onClick={() => nb.move(cell.id, -1)}>↑</button>
        <button className="icon" title="Move down" onClick={() => nb.move(cell.id, 1)}>↓</button>
        <button className="icon" title="Add a cell below" onClick={() => nb.add(cell.id)}>+</button>
        <button className="icon" title="Delete" data-testid="delete-cell" onClick={() => nb.remove(cell.id)}>✕</button>
      </div>
    </article>
  );
}
